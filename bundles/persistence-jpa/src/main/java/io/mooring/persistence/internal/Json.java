package io.mooring.persistence.internal;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mooring.api.DeviceDescription;
import io.mooring.api.Payload;
import io.mooring.api.ValidationException;

/** Payload trees and small records as JSON text columns. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private Json() {
    }

    /** What a JSON text column holds (VARCHAR(1048576)); a larger payload or result is refused before any write. */
    static final int MAX_CHARS = 1_048_576;

    static String write(Object value) {
        try {
            String json = MAPPER.writeValueAsString(value);
            if (json.length() > MAX_CHARS) {
                throw new ValidationException("payload", "the data is larger than " + MAX_CHARS + " characters as JSON");
            }
            return json;
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
