package io.mooring.persistence.internal;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mooring.api.DeviceDescription;
import io.mooring.api.Payload;

/** Payload trees and small records as JSON text columns. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private Json() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("payload is not serializable", e);
        }
    }

    static Map<String, Object> readMap(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            return Payload.copyOf(MAPPER.readValue(json, MAP));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    static DeviceDescription readDescription(String json) {
        Map<String, Object> m = readMap(json);
        return new DeviceDescription((String) m.get("name"), (String) m.get("model"), (String) m.get("osVersion"),
                (String) m.get("serialNumber"), (String) m.get("hardwareId"));
    }
}
