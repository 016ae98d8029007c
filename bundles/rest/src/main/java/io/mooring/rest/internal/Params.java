package io.mooring.rest.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import io.mooring.api.PageRequest;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.Role;

/** Query and body values read with a clear 400 when they are off. */
final class Params {
    private Params() {
    }

    static PageRequest page(Integer offset, Integer limit) {
        return new PageRequest(offset == null ? 0 : offset, limit == null ? 50 : limit);
    }

    static Instant instant(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ValidationException(field, field + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field, field + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
    }

    static Role role(String text) {
        return enumValue(Role.class, "role", text);
    }

    static void require(String field, Object value) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new ValidationException(field, field + " is required");
        }
    }
}
