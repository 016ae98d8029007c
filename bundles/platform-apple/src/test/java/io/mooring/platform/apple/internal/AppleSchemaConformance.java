package io.mooring.platform.apple.internal;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLAnchorReplayingFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Holds a plist Mooring sends (a command, an enrollment profile) to Apple's device-management schema read
 * straight from the YAML in the corpus, and lists every way it departs from it: unknown keys, missing
 * required keys, plist types other than the schema's, values outside a {@code rangelist}, strings not
 * matching a {@code format}, arrays with more or fewer items than a {@code repetition} allows.
 *
 * <p>The schema's meta-schema is {@code docs/schema.yaml} in Apple's repository.
 */
final class AppleSchemaConformance {
    /** Apple's schema names the free-form entries of a dictionary {@code ANY}. */
    static final String WILDCARD = "ANY";

    /** Apple's files share subkeys through anchors ({@code subkeys: *id001}); this factory replays them where they are used. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLAnchorReplayingFactory());
    /** Reads a file's header only: a few profile files describe recursive structures no anchor replay can expand. */
    private static final ObjectMapper YAML_AS_WRITTEN = new ObjectMapper(new YAMLFactory());

    private final List<String> problems = new ArrayList<>();

    /** Every problem found so far, one sentence each, naming the key path. */
    List<String> problems() {
        return problems;
    }

    /** Every {@code .yaml} file of a corpus folder, sorted by name. */
    static List<JsonNode> readAll(String folder) {
        try (Stream<Path> files = Files.list(Corpus.path(folder))) {
            return files.filter(file -> file.getFileName().toString().endsWith(".yaml")).sorted()
                    .map(AppleSchemaConformance::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files of a corpus folder by the {@code payload} field that names what each describes, e.g. {@code payloadtype}. */
    static Map<String, List<Path>> filesBy(String folder, String field) {
        try (Stream<Path> files = Files.list(Corpus.path(folder))) {
            return files.filter(file -> file.getFileName().toString().endsWith(".yaml")).sorted()
                    .collect(Collectors.groupingBy(file -> {
                        try {
                            return YAML_AS_WRITTEN.readTree(file.toFile()).path("payload").path(field).asText();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, LinkedHashMap::new, Collectors.toList()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isRequired(JsonNode key) {
        return "required".equals(key.path("presence").asText());
    }

    static boolean isWildcard(JsonNode key) {
        return WILDCARD.equals(key.path("key").asText());
    }

    static String type(JsonNode key) {
        return key.path("type").asText();
    }

    static List<JsonNode> list(JsonNode keys) {
        if (!keys.isMissingNode() && !keys.isArray()) {
            throw new IllegalStateException("Apple's schema gives keys as " + keys + ", not as a list (an alias not replayed?)");
        }
        List<JsonNode> list = new ArrayList<>();
        keys.forEach(list::add);
        return list;
    }

    /**
     * A dictionary against the keys Apple gives it. {@code alsoKnown} are keys that are not Apple's to
     * judge here ({@code RequestType} beside a command's keys).
     */
    void dictionary(List<JsonNode> keys, NSDictionary dictionary, String path, Set<String> alsoKnown) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        keys.forEach(key -> byName.putIfAbsent(key.path("key").asText(), key));
        JsonNode wildcard = byName.get(WILDCARD);
        for (Map.Entry<String, NSObject> entry : dictionary.entrySet()) {
            String name = entry.getKey();
            JsonNode key = byName.get(name);
            if (key != null && !isWildcard(key)) {
                value(key, entry.getValue(), path + name);
            } else if (wildcard != null) {
                value(wildcard, entry.getValue(), path + name);
            } else if (!alsoKnown.contains(name)) {
                problems.add(path + name + " is a key Apple's schema does not name here");
            }
        }
        for (JsonNode key : keys) {
            if (isRequired(key) && !isWildcard(key) && !dictionary.containsKey(key.path("key").asText())) {
                problems.add(path + key.path("key").asText() + " is required by Apple's schema but missing");
            }
        }
    }

    /** One value against its key: type, allowed values, format, and what is inside it. */
    void value(JsonNode key, NSObject value, String path) {
        String type = type(key);
        if (!fits(type, value)) {
            problems.add(path + " is " + plistType(value) + " where Apple's schema has " + type);
            return;
        }
        List<JsonNode> subkeys = list(key.path("subkeys"));
        JsonNode rangelist = key.path("rangelist");
        if (rangelist.isArray() && !rangelist.isEmpty() && !inRange(rangelist, value)) {
            problems.add(path + " is " + plain(value) + ", not one of " + rangelist);
        }
        if (key.has("format") && value instanceof NSString text
                && !Pattern.compile(key.path("format").asText()).matcher(text.getContent()).matches()) {
            problems.add(path + " is '" + text.getContent() + "', which does not match " + key.path("format").asText());
        }
        if (value instanceof NSString text && !subkeys.isEmpty() && !rangelist.isArray()
                && subkeys.stream().noneMatch(name -> name.path("key").asText().equals(text.getContent()))) {
            // A <string> with subkeys is how Apple lists the names a string may take (DeviceInformation's queries).
            problems.add(path + " is '" + text.getContent() + "', which is none of the names Apple's schema lists for it");
        }
        if (value instanceof NSDictionary dictionary) {
            if (!subkeys.isEmpty()) {
                dictionary(subkeys, dictionary, path + ".", Set.of());
            }
        } else if (value instanceof NSArray array) {
            items(subkeys, array, path);
        }
    }

    private void items(List<JsonNode> kinds, NSArray array, String path) {
        NSObject[] items = array.getArray();
        if (kinds.size() == 1) {
            JsonNode repetition = kinds.get(0).path("repetition");
            if (repetition.isObject() && (items.length < repetition.path("min").asInt() || items.length > repetition.path("max").asInt())) {
                problems.add(path + " has " + items.length + " items where Apple's schema wants " + repetition.path("min").asInt()
                        + " to " + repetition.path("max").asInt());
            }
        }
        for (int i = 0; i < items.length; i++) {
            String itemPath = path + "[" + i + "]";
            if (kinds.size() == 1) {
                value(kinds.get(0), items[i], itemPath);
            } else if (!kinds.isEmpty()) {
                Optional<JsonNode> kind = kindOf(kinds, items[i]);
                if (kind.isPresent()) {
                    value(kind.get(), items[i], itemPath);
                } else {
                    problems.add(itemPath + " is none of the item kinds Apple's schema gives " + path);
                }
            }
        }
    }

    /**
     * Which of an array's item kinds an item is: Apple tells them apart by a required key whose allowed
     * values name the kind, as {@code Item} does for {@code Settings}.
     */
    private static Optional<JsonNode> kindOf(List<JsonNode> kinds, NSObject item) {
        if (!(item instanceof NSDictionary dictionary)) {
            return Optional.empty();
        }
        return kinds.stream().filter(kind -> {
            List<JsonNode> tags = list(kind.path("subkeys")).stream()
                    .filter(key -> isRequired(key) && key.path("rangelist").isArray() && !key.path("rangelist").isEmpty())
                    .toList();
            return !tags.isEmpty() && tags.stream().allMatch(tag -> {
                NSObject value = dictionary.objectForKey(tag.path("key").asText());
                return value != null && inRange(tag.path("rangelist"), value);
            });
        }).findFirst();
    }

    static boolean fits(String type, NSObject value) {
        return switch (type) {
            case "<string>" -> value instanceof NSString;
            case "<integer>" -> value instanceof NSNumber number && number.isInteger();
            case "<boolean>" -> value instanceof NSNumber number && number.isBoolean();
            case "<real>" -> value instanceof NSNumber number && number.isReal();
            case "<date>" -> value instanceof NSDate;
            case "<data>" -> value instanceof NSData;
            case "<array>" -> value instanceof NSArray;
            case "<dictionary>" -> value instanceof NSDictionary;
            case "<any>" -> value != null;
            default -> false;
        };
    }

    static boolean inRange(JsonNode rangelist, NSObject value) {
        for (JsonNode allowed : rangelist) {
            if (allowed.isTextual() && value instanceof NSString text && allowed.asText().equals(text.getContent())) {
                return true;
            }
            if (allowed.isNumber() && value instanceof NSNumber number && !number.isBoolean()
                    && allowed.decimalValue().compareTo(decimal(number)) == 0) {
                return true;
            }
        }
        return false;
    }

    private static BigDecimal decimal(NSNumber number) {
        return number.isInteger() ? BigDecimal.valueOf(number.longValue()) : BigDecimal.valueOf(number.doubleValue());
    }

    /** The plist element a value was written as, for messages. */
    static String plistType(NSObject value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof NSNumber number) {
            return number.isBoolean() ? "a <boolean>" : number.isInteger() ? "an <integer>" : "a <real>";
        }
        return switch (value.getClass().getSimpleName()) {
            case "NSString" -> "a <string>";
            case "NSDate" -> "a <date>";
            case "NSData" -> "a <data>";
            case "NSArray" -> "an <array>";
            case "NSDictionary" -> "a <dictionary>";
            default -> "a " + value.getClass().getSimpleName();
        };
    }

    private static String plain(NSObject value) {
        return value instanceof NSString text ? "'" + text.getContent() + "'" : String.valueOf(value.toJavaObject());
    }
}
