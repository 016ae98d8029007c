package io.mooring.example.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mooring.api.Payload;
import io.mooring.api.ValidationException;

/**
 * Typed access to the members of a request's JSON object. Every failure is a {@link ValidationException}
 * naming the member, which the endpoint answers with 400. A member set to {@code null} counts as absent,
 * since many JSON writers emit nulls for unset fields.
 */
final class RequestBody {
    private static final TypeReference<Map<String, Object>> TREE = new TypeReference<>() {
    };

    private final ObjectNode node;
    private final ObjectMapper json;

    /** Refuses members other than {@code allowed}, so a misspelt key is an error rather than silently lost data. */
    RequestBody(ObjectNode node, ObjectMapper json, List<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ValidationException(name, "unknown member '" + name + "'; this request takes " + String.join(", ", allowed));
            }
        }
        this.node = node;
        this.json = json;
    }

    String requiredText(String name, int maxLength) {
        String value = text(name, maxLength);
        if (value == null || value.isBlank()) {
            throw new ValidationException(name, "'" + name + "' is required");
        }
        return value;
    }

    String text(String name, int maxLength) {
        String value = text(name);
        if (value != null && value.length() > maxLength) {
            throw new ValidationException(name, "'" + name + "' is longer than " + maxLength + " characters");
        }
        return value;
    }

    /** Unbounded here because the type it feeds (a device description, a result) bounds it itself. */
    String text(String name) {
        JsonNode value = member(name);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ValidationException(name, "'" + name + "' must be a string");
        }
        return value.textValue();
    }

    int integer(String name, int absent, int min, int max) {
        JsonNode value = member(name);
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw new ValidationException(name, "'" + name + "' must be a whole number from " + min + " to " + max);
        }
        return value.intValue();
    }

    Instant instant(String name, Instant absent) {
        String value = text(name, 64);
        if (value == null) {
            return absent;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new ValidationException(name, "'" + name + "' must be an ISO-8601 date-time with offset, such as 2024-05-01T12:00:00Z");
        }
    }

    /** A structured member, copied through {@link Payload#copyOf} so its size and depth are bounded. */
    Map<String, Object> object(String name) {
        JsonNode value = member(name);
        if (value == null) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw new ValidationException(name, "'" + name + "' must be a JSON object");
        }
        try {
            return Payload.copyOf(json.convertValue(value, TREE));
        } catch (ValidationException e) {
            throw new ValidationException(name, "'" + name + "' is not acceptable: " + e.getMessage());
        }
    }

    private JsonNode member(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }
}
