package io.mooring.platform.apple.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mooring.api.CommandId;
import io.mooring.api.CommandType;
import io.mooring.api.DeviceId;
import io.mooring.api.Payload;
import io.mooring.api.PendingCommand;
import io.mooring.api.ValidationException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every one of Apple's 66 commands as an admin would queue it, validated and encoded the way Mooring
 * sends it to a device, then read back as the device reads it and held to Apple's YAML schema (not to the
 * facts in commands.plist, which are what is under test here).
 */
class GeneratedCommandsTest {
    private static final String COMMANDS = "apple-device-management/mdm/commands";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UUID_TEXT = Pattern.compile("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}");
    private static final Set<String> SCALAR_TYPES = Set.of("<string>", "<integer>", "<boolean>", "<real>", "<date>", "<data>");

    private final CommandSchema schema = CommandSchema.load();
    private final AppleCommands encoder = new AppleCommands(schema);

    /** How much of a command's schema the generated payload fills in. */
    private enum Fill {
        /**
         * What a careful admin sends: every required key (inside dictionaries and array items too, one item
         * per required array, the first kind where items come in kinds) and every optional top-level scalar.
         */
        CAREFUL,
        /** Every key Apple names, at every depth, and one item of every kind in arrays of several kinds. */
        EVERY_KEY
    }

    @Test
    void coversEveryCommandInApplesSchema() {
        List<String> requestTypes = AppleSchemaConformance.readAll(COMMANDS).stream()
                .map(GeneratedCommandsTest::requestType).toList();
        assertThat(requestTypes).hasSize(66).doesNotHaveDuplicates();
    }

    @TestFactory
    Stream<DynamicTest> aCarefulAdminsCommandReachesTheDeviceAsApplesSchemaDescribesIt() {
        return AppleSchemaConformance.readAll(COMMANDS).stream()
                .map(apple -> dynamicTest(requestType(apple), () -> assertConforms(apple, Fill.CAREFUL)));
    }

    @TestFactory
    Stream<DynamicTest> aCommandWithEveryKeyReachesTheDeviceAsApplesSchemaDescribesIt() {
        return AppleSchemaConformance.readAll(COMMANDS).stream()
                .map(apple -> dynamicTest(requestType(apple), () -> assertConforms(apple, Fill.EVERY_KEY)));
    }

    @Test
    void deviceInformationWithoutQueriesAsksOnlyQueriesAppleDefines() throws Exception {
        JsonNode apple = AppleSchemaConformance.readAll(COMMANDS).stream()
                .filter(command -> "DeviceInformation".equals(requestType(command))).findFirst().orElseThrow();

        NSDictionary received = receivedByDevice("DeviceInformation", Map.of());

        AppleSchemaConformance conformance = new AppleSchemaConformance();
        conformance.dictionary(AppleSchemaConformance.list(apple.path("payloadkeys")),
                (NSDictionary) received.objectForKey("Command"), "Command.", Set.of("RequestType"));
        assertThat(conformance.problems()).as("DeviceInformation with Mooring's default queries").isEmpty();
        assertThat(((NSDictionary) received.objectForKey("Command")).objectForKey("Queries"))
                .as("the queries Mooring asks when the admin names none").isInstanceOfSatisfying(NSArray.class,
                        queries -> assertThat(queries.count()).isPositive());
    }

    private void assertConforms(JsonNode apple, Fill fill) throws Exception {
        String requestType = requestType(apple);
        List<JsonNode> keys = AppleSchemaConformance.list(apple.path("payloadkeys"));
        Map<String, Object> payload = asQueued(payload(keys, fill));
        List<String> problems = new ArrayList<>();

        try {
            schema.validate(requestType, payload);
        } catch (ValidationException e) {
            problems.add("Mooring refuses the payload at " + e.field() + ": " + e.getMessage());
        }

        NSDictionary received = receivedByDevice(requestType, payload);
        if (!(received.objectForKey("CommandUUID") instanceof NSString uuid) || !UUID_TEXT.matcher(uuid.getContent()).matches()) {
            problems.add("CommandUUID is " + received.objectForKey("CommandUUID") + ", not a UUID string");
        }
        if (!(received.objectForKey("Command") instanceof NSDictionary command)) {
            problems.add("Command is " + AppleSchemaConformance.plistType(received.objectForKey("Command")) + ", not a dictionary");
        } else {
            if (!(command.objectForKey("RequestType") instanceof NSString sent) || !requestType.equals(sent.getContent())) {
                problems.add("Command.RequestType is " + command.objectForKey("RequestType") + ", not " + requestType);
            }
            AppleSchemaConformance conformance = new AppleSchemaConformance();
            conformance.dictionary(keys, command, "Command.", Set.of("RequestType"));
            problems.addAll(conformance.problems());
            payload.forEach((key, value) -> sameValue(value, command.objectForKey(key), "Command." + key, problems));
        }

        assertThat(problems).as("%s with payload %s", requestType, payload).isEmpty();
    }

    /** The command as Mooring writes it for the device, read back with the plist parser a device-side client would use. */
    private NSDictionary receivedByDevice(String requestType, Map<String, Object> payload) throws Exception {
        NSDictionary encoded = encoder.encode(new PendingCommand(CommandId.random(), DeviceId.random(),
                new CommandType(requestType), payload, 1));
        return (NSDictionary) PropertyListParser.parse(Plists.toXml(encoded));
    }

    /** The payload as the command queue hands it back: through JSON, as it is stored, and copied as core copies it. */
    private static Map<String, Object> asQueued(Map<String, Object> payload) throws Exception {
        return Payload.copyOf(JSON.readValue(JSON.writeValueAsString(payload), new TypeReference<Map<String, Object>>() {
        }));
    }

    private static Map<String, Object> payload(List<JsonNode> keys, Fill fill) {
        Map<String, Object> payload = new LinkedHashMap<>();
        for (JsonNode key : keys) {
            if (AppleSchemaConformance.isWildcard(key)) {
                continue;
            }
            if (AppleSchemaConformance.isRequired(key) || fill == Fill.EVERY_KEY
                    || SCALAR_TYPES.contains(AppleSchemaConformance.type(key))) {
                payload.put(key.path("key").asText(), sample(key, fill));
            }
        }
        return payload;
    }

    /** A value of the key's type: its first allowed value where Apple lists them. */
    private static Object sample(JsonNode key, Fill fill) {
        String name = key.path("key").asText();
        JsonNode rangelist = key.path("rangelist");
        List<JsonNode> subkeys = AppleSchemaConformance.list(key.path("subkeys"));
        if (rangelist.isArray() && !rangelist.isEmpty()) {
            JsonNode first = rangelist.get(0);
            return first.isTextual() ? first.asText() : first.numberValue();
        }
        return switch (AppleSchemaConformance.type(key)) {
            // a <string> with subkeys names the values it may take, as DeviceInformation's queries do
            case "<string>" -> subkeys.isEmpty() ? text(name) : subkeys.get(0).path("key").asText();
            case "<integer>" -> 1;
            case "<real>" -> 0.5;
            case "<boolean>" -> true;
            case "<date>" -> "2024-05-01T10:00:00Z";
            case "<data>" -> Base64.getEncoder().encodeToString(("Mooring " + name).getBytes(StandardCharsets.UTF_8));
            case "<dictionary>" -> dictionary(subkeys, fill);
            case "<array>" -> items(subkeys, fill);
            default -> text(name);
        };
    }

    private static Map<String, Object> dictionary(List<JsonNode> subkeys, Fill fill) {
        Map<String, Object> dictionary = new LinkedHashMap<>();
        for (JsonNode subkey : subkeys) {
            if (AppleSchemaConformance.isWildcard(subkey)) {
                if (fill == Fill.EVERY_KEY) {
                    dictionary.put("ExampleSetting", sample(subkey, fill));
                }
            } else if (fill == Fill.EVERY_KEY || AppleSchemaConformance.isRequired(subkey)) {
                dictionary.put(subkey.path("key").asText(), sample(subkey, fill));
            }
        }
        return dictionary;
    }

    private static List<Object> items(List<JsonNode> kinds, Fill fill) {
        if (kinds.isEmpty()) {
            return List.of("example");
        }
        if (kinds.size() == 1 || fill == Fill.CAREFUL) {
            return List.of(sample(kinds.get(0), fill));
        }
        return kinds.stream().map(kind -> sample(kind, fill)).toList();
    }

    /** Text an admin would plausibly give a key of this name. */
    private static String text(String name) {
        if (name.endsWith("URL")) {
            return "https://mdm.example.com/" + name.toLowerCase(java.util.Locale.ROOT);
        }
        if (name.endsWith("UUID") || name.equals("GUID")) {
            return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(java.util.Locale.ROOT);
        }
        return "Example " + name;
    }

    /** Whether the device got the value the admin sent, each in its own form (base64 against bytes, ISO-8601 against a date). */
    private static void sameValue(Object sent, NSObject received, String path, List<String> problems) {
        boolean same;
        if (received instanceof NSDictionary dictionary && sent instanceof Map<?, ?> map) {
            if (!dictionary.keySet().equals(map.keySet())) {
                problems.add(path + " has keys " + dictionary.keySet() + " where the admin sent " + map.keySet());
            }
            map.forEach((key, value) -> sameValue(value, dictionary.objectForKey(String.valueOf(key)), path + "." + key, problems));
            return;
        }
        if (received instanceof NSArray array && sent instanceof List<?> list) {
            if (array.count() != list.size()) {
                problems.add(path + " has " + array.count() + " items where the admin sent " + list.size());
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                sameValue(list.get(i), array.objectAtIndex(i), path + "[" + i + "]", problems);
            }
            return;
        }
        if (received instanceof NSData data && sent instanceof String base64) {
            same = Arrays.equals(data.bytes(), Base64.getDecoder().decode(base64));
        } else if (received instanceof NSDate date && sent instanceof String iso) {
            same = date.getDate().toInstant().equals(OffsetDateTime.parse(iso).toInstant());
        } else if (received instanceof NSNumber number && number.isBoolean()) {
            same = Boolean.valueOf(number.boolValue()).equals(sent);
        } else if (received instanceof NSNumber number && sent instanceof Number admin) {
            BigDecimal got = number.isInteger() ? BigDecimal.valueOf(number.longValue()) : BigDecimal.valueOf(number.doubleValue());
            same = got.compareTo(new BigDecimal(admin.toString())) == 0;
        } else if (received instanceof NSString text) {
            same = text.getContent().equals(sent);
        } else {
            same = false;
        }
        if (!same) {
            problems.add(path + " is " + (received == null ? "missing" : received.toXMLPropertyList().lines()
                    .filter(line -> !line.startsWith("<?xml") && !line.startsWith("<!DOCTYPE") && !line.contains("plist"))
                    .collect(Collectors.joining(" ")).trim()) + " where the admin sent " + sent);
        }
    }

    private static String requestType(JsonNode apple) {
        return apple.path("payload").path("requesttype").asText();
    }
}
