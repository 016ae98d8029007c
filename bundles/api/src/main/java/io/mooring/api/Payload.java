package io.mooring.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured command and result data: a tree of maps, lists, strings, numbers and booleans (the shape
 * JSON, plists and SyncML items share). Copies are deep and immutable, so a payload cannot change after
 * it was validated; limits keep one request from exhausting the server.
 */
public final class Payload {
    public static final int MAX_DEPTH = 16;
    public static final int MAX_NODES = 10_000;

    private Payload() {
    }

    /** A deep, immutable copy of {@code data}; anything other than the allowed value types is refused. */
    public static Map<String, Object> copyOf(Map<String, ?> data) {
        if (data == null) {
            return Map.of();
        }
        int[] nodes = {0};
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) copy("payload", data, 0, nodes);
        return copy;
    }

    private static Object copy(String path, Object value, int depth, int[] nodes) {
        if (++nodes[0] > MAX_NODES) {
            throw new ValidationException("payload", "payload has more than " + MAX_NODES + " values");
        }
        if (depth > MAX_DEPTH) {
            throw new ValidationException("payload", "payload is nested deeper than " + MAX_DEPTH + " levels at " + path);
        }
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Number) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new ValidationException("payload", "payload keys must be strings at " + path);
                }
                out.put(key, copy(path + "." + key, e.getValue(), depth + 1, nodes));
            }
            return Collections.unmodifiableMap(out);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(copy(path + "[" + i + "]", list.get(i), depth + 1, nodes));
            }
            return Collections.unmodifiableList(out);
        }
        throw new ValidationException("payload", "unsupported value of type " + value.getClass().getSimpleName() + " at " + path);
    }
}
