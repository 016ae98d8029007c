package io.mooring.example.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.mooring.api.CommandType;
import io.mooring.api.ValidationException;

/**
 * The commands an example device executes and the payload each one takes. Every payload value is a
 * string; anything the device would not understand is refused before the command is queued, because a
 * queued command goes to every target device and cannot be corrected afterwards.
 */
final class ExampleCommands {
    static final CommandType LOCK = new CommandType("Lock");
    static final CommandType WIPE = new CommandType("Wipe");
    static final CommandType RESTART = new CommandType("Restart");
    static final CommandType REQUEST_INVENTORY = new CommandType("RequestInventory");
    static final CommandType NOTIFY = new CommandType("Notify");

    private record Key(String name, boolean required, int maxLength) {
    }

    private static final Map<CommandType, Map<String, Key>> PAYLOADS = Map.of(
            LOCK, keys(new Key("message", false, 200), new Key("phoneNumber", false, 32)),
            WIPE, keys(),
            RESTART, keys(),
            REQUEST_INVENTORY, keys(),
            NOTIFY, keys(new Key("title", true, 100), new Key("body", true, 1000)));

    private ExampleCommands() {
    }

    static Set<CommandType> types() {
        return PAYLOADS.keySet();
    }

    static void validate(CommandType type, Map<String, Object> payload) {
        if (type == null || !PAYLOADS.containsKey(type)) {
            throw new ValidationException("type", "example devices do not execute command type '" + type + "'");
        }
        Map<String, Key> keys = PAYLOADS.get(type);
        Map<String, Object> given = payload == null ? Map.of() : payload;
        for (String name : given.keySet()) {
            if (!keys.containsKey(name)) {
                throw new ValidationException(name, type + " takes no key '" + name + "'" + accepted(keys.keySet()));
            }
        }
        for (Key key : keys.values()) {
            check(type, key, given);
        }
    }

    private static void check(CommandType type, Key key, Map<String, Object> payload) {
        if (!payload.containsKey(key.name())) {
            if (key.required()) {
                throw new ValidationException(key.name(), type + " needs the key '" + key.name() + "'");
            }
            return;
        }
        if (!(payload.get(key.name()) instanceof String value)) {
            throw new ValidationException(key.name(), type + " key '" + key.name() + "' must be a string");
        }
        if (key.required() && value.isBlank()) {
            throw new ValidationException(key.name(), type + " key '" + key.name() + "' must not be blank");
        }
        if (value.length() > key.maxLength()) {
            throw new ValidationException(key.name(),
                    type + " key '" + key.name() + "' is longer than " + key.maxLength() + " characters");
        }
    }

    private static String accepted(Set<String> names) {
        return names.isEmpty() ? "; it takes none" : "; it takes " + String.join(", ", names);
    }

    /** Keeps the declared order, so error messages list the keys as this table does. */
    private static Map<String, Key> keys(Key... keys) {
        Map<String, Key> byName = new LinkedHashMap<>();
        for (Key key : keys) {
            byName.put(key.name(), key);
        }
        return Collections.unmodifiableMap(byName);
    }
}
