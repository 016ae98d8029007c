package io.mooring.core.internal.shell;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mooring.api.Actor;
import io.mooring.api.ValidationException;

/** What the shell commands share: who they act as, and how a {@code key=value} payload is read. */
final class ShellSupport {
    static final Actor SHELL = new Actor(Actor.Kind.ADMIN, "karaf-shell");

    private ShellSupport() {
    }

    /** {@code key=value} pairs; values that look like booleans or integers become those. */
    static Map<String, Object> payload(List<String> pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (pairs == null) {
            return out;
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new ValidationException("payload", "payload entries are key=value, got '" + pair + "'");
            }
            String key = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            out.put(key, typed(value));
        }
        return out;
    }

    private static Object typed(String value) {
        if (value.equals("true") || value.equals("false")) {
            return Boolean.valueOf(value);
        }
        if (value.matches("-?\\d{1,18}")) {
            return Long.valueOf(value);
        }
        return value;
    }
}
