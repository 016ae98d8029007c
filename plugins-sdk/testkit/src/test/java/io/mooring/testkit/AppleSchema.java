package io.mooring.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Apple's device-management schema from the corpus ({@code apple-device-management/mdm}), read for the
 * tests: which request types exist where, and whether a result's keys and types are the ones Apple defines.
 */
final class AppleSchema {
    private static final Path CORPUS = Path.of("../../../shared/corpus");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private AppleSchema() {
    }

    /**
     * A file or folder of the protocol corpus beside the project. In CI it must be there and a missing one
     * fails; elsewhere the test that needs it is skipped, saying why.
     */
    static Path corpus(String relative) {
        Path path = CORPUS.resolve(relative);
        if (!Files.exists(path)) {
            String reason = "the protocol corpus entry " + path.toAbsolutePath().normalize() + " is missing (CI has it beside the project)";
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(reason);
            }
            org.junit.jupiter.api.Assumptions.abort(reason);
        }
        return path;
    }

    /** The request types, read on first use: a missing corpus then skips or fails the test instead of breaking the class. */
    private static final class Commands {
        static final Map<String, Map<String, Object>> ALL = commands();
    }

    static Map<String, Object> command(String requestType) {
        corpus("apple-device-management/mdm/commands");
        Map<String, Object> command = Commands.ALL.get(requestType);
        if (command == null) {
            throw new IllegalArgumentException("Apple's schema has no request type " + requestType);
        }
        return command;
    }

    static Map<String, Object> checkIn(String file) {
        return read(corpus("apple-device-management/mdm/checkin/" + file));
    }

    /** The supportedOS entry of a schema element for iOS or macOS; empty when it names none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> os(Map<String, Object> element, boolean mac) {
        Object supported = element.get("supportedOS");
        if (!(supported instanceof Map<?, ?> map) || !(map.get(mac ? "macOS" : "iOS") instanceof Map<?, ?> os)) {
            return Map.of();
        }
        return (Map<String, Object>) os;
    }

    static boolean notOn(Map<String, Object> element, boolean mac) {
        return "n/a".equals(os(element, mac).get("introduced"));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> keys(Map<String, Object> element, String list) {
        Object keys = element.get(list);
        return keys instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /**
     * Problems with a result's command-specific keys against the command's {@code responsekeys}: keys Apple
     * does not define, keys not available on the platform, values of the wrong type. Empty when it conforms.
     */
    @SuppressWarnings("unchecked")
    static List<String> problems(String requestType, Map<String, Object> result, boolean mac) {
        Map<String, Object> payload = (Map<String, Object>) command(requestType).get("payload");
        List<String> problems = new ArrayList<>();
        if (notOn(payload, mac)) {
            problems.add(requestType + " is not available on " + (mac ? "macOS" : "iOS"));
        }
        Map<String, Object> specific = new HashMap<>(result);
        List.of("CommandUUID", "Status", "UDID", "ErrorChain", "RequestType").forEach(specific::remove);
        checkDictionary(requestType, specific, keys(command(requestType), "responsekeys"), mac, problems);
        return problems;
    }

    private static void checkDictionary(String path, Map<String, Object> value, List<Map<String, Object>> schema, boolean mac,
            List<String> problems) {
        if (schema.size() == 1 && "ANY".equals(schema.get(0).get("key"))) {
            return;
        }
        for (Map.Entry<String, Object> entry : value.entrySet()) {
            Map<String, Object> key = schema.stream().filter(k -> entry.getKey().equals(k.get("key"))).findFirst().orElse(null);
            if (key == null) {
                problems.add(path + "." + entry.getKey() + " is not in Apple's schema");
            } else {
                check(path + "." + entry.getKey(), entry.getValue(), key, mac, problems);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void check(String path, Object value, Map<String, Object> key, boolean mac, List<String> problems) {
        if (notOn(key, mac)) {
            problems.add(path + " is not available on " + (mac ? "macOS" : "iOS"));
        }
        String type = String.valueOf(key.get("type"));
        // Apple's schema types the Settings response as one dictionary; devices send one per setting item
        if (path.equals("Settings.Settings") && value instanceof List<?> items) {
            for (Object item : items) {
                check(path + "[]", item, key, mac, problems);
            }
            return;
        }
        boolean matches = switch (type) {
            case "<string>" -> value instanceof String;
            case "<integer>" -> value instanceof Long || value instanceof Integer;
            case "<real>" -> value instanceof Double;
            case "<boolean>" -> value instanceof Boolean;
            case "<data>" -> value instanceof byte[];
            case "<date>" -> value instanceof Instant;
            case "<array>" -> value instanceof List<?>;
            case "<dictionary>" -> value instanceof Map<?, ?>;
            default -> true;
        };
        if (!matches) {
            problems.add(path + " is " + value.getClass().getSimpleName() + ", Apple's schema says " + type);
            return;
        }
        List<Map<String, Object>> subkeys = keys(key, "subkeys");
        if (value instanceof Map<?, ?> map && !subkeys.isEmpty()) {
            checkDictionary(path, (Map<String, Object>) map, subkeys, mac, problems);
        } else if (value instanceof List<?> list && !subkeys.isEmpty()) {
            for (Object item : list) {
                check(path + "[]", item, subkeys.get(0), mac, problems);
            }
        }
    }

    private static Map<String, Map<String, Object>> commands() {
        Map<String, Map<String, Object>> commands = new HashMap<>();
        try (Stream<Path> files = Files.list(CORPUS.resolve("apple-device-management/mdm/commands"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Map<String, Object> command = read(file);
                if (command.get("payload") instanceof Map<?, ?> payload && payload.get("requesttype") instanceof String type) {
                    commands.put(type, command);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return commands;
    }

    private static Map<String, Object> read(Path file) {
        try {
            return YAML.readValue(file.toFile(), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
