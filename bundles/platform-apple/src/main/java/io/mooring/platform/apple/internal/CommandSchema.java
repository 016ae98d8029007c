package io.mooring.platform.apple.internal;

import com.dd.plist.NSArray;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListFormatException;
import com.dd.plist.XMLPropertyListParser;
import io.mooring.api.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.xml.parsers.ParserConfigurationException;
import org.xml.sax.SAXException;

/**
 * Apple's MDM commands as its device-management schema describes them: which OS runs each one, whether
 * it needs a supervised device, and which payload keys it takes. {@link #validate} holds a payload to
 * those keys, so a command a device would refuse is turned down before it is queued.
 *
 * <p>The facts are in {@value #RESOURCE} beside this class, written by {@code src/build/commands.py} from
 * Apple's schema; {@code CommandSchemaTest} checks the two agree.
 */
final class CommandSchema {
    static final String RESOURCE = "commands.plist";

    /** Apple's schema names the free-form entries of a dictionary (an app's configuration) {@code ANY}. */
    private static final String WILDCARD = "ANY";

    private final SortedMap<String, Command> commands;

    private CommandSchema(SortedMap<String, Command> commands) {
        this.commands = commands;
    }

    /** The facts are data of this bundle and never change: read once, whichever component asks first. */
    private static final class Loaded {
        static final CommandSchema FACTS = read();

        private static CommandSchema read() {
            try (InputStream in = CommandSchema.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing beside " + CommandSchema.class.getName());
                }
                return CommandSchema.read(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + RESOURCE, e);
            }
        }
    }

    static CommandSchema load() {
        return Loaded.FACTS;
    }

    /** Reads facts in the form {@code commands.py} writes them. */
    static CommandSchema read(InputStream facts) {
        NSObject root;
        try {
            root = XMLPropertyListParser.parse(facts);
        } catch (IOException | ParserConfigurationException | SAXException | PropertyListFormatException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
        if (!(root instanceof NSDictionary byRequestType)) {
            throw new IllegalStateException(RESOURCE + " does not hold a dictionary of commands");
        }
        SortedMap<String, Command> commands = new TreeMap<>();
        for (Map.Entry<String, NSObject> entry : byRequestType.entrySet()) {
            Command command = Command.read(as(NSDictionary.class, entry.getValue(), entry.getKey()));
            if (!command.requestType().equals(entry.getKey())) {
                throw new IllegalStateException(RESOURCE + " files " + command.requestType() + " under " + entry.getKey());
            }
            commands.put(entry.getKey(), command);
        }
        return new CommandSchema(Collections.unmodifiableSortedMap(commands));
    }

    /** Every request type Apple defines, sorted. */
    Set<String> requestTypes() {
        return commands.keySet();
    }

    Optional<Command> command(String requestType) {
        return Optional.ofNullable(commands.get(requestType));
    }

    /**
     * Checks a command's payload (its keys, without {@code RequestType}) against Apple's schema. Values are
     * the JSON-shaped ones the admin API hands over: {@code <data>} is base64 text, {@code <date>} ISO-8601
     * text with an offset, {@code <integer>} any number without a fraction that fits a plist integer.
     *
     * @throws ValidationException naming the first key path that is unknown, missing, of the wrong type or
     *     not one of the schema's allowed values, e.g. {@code Settings[0].Item}
     */
    void validate(String requestType, Map<String, Object> payload) {
        Command command = commands.get(requestType);
        if (command == null) {
            throw new ValidationException("RequestType", "Apple's MDM protocol has no command " + requestType);
        }
        new PayloadCheck(requestType).entries(command.keys(), hasWildcard(command.keys()),
                payload == null ? Map.of() : payload, "");
    }

    /** One command's facts. */
    static final class Command {
        private final String requestType;
        private final Map<OsFamily, Availability> availability;
        private final List<PayloadKey> keys;

        private Command(String requestType, Map<OsFamily, Availability> availability, List<PayloadKey> keys) {
            this.requestType = requestType;
            this.availability = availability;
            this.keys = keys;
        }

        String requestType() {
            return requestType;
        }

        boolean supports(OsFamily os) {
            return availability.get(os).introduced() != null;
        }

        /** The first OS version that runs the command; empty where it is not supported. */
        Optional<String> introducedIn(OsFamily os) {
            return Optional.ofNullable(availability.get(os).introduced());
        }

        boolean requiresSupervision(OsFamily os) {
            return supports(os) && Boolean.TRUE.equals(availability.get(os).supervised());
        }

        /** Whether the command may go over the device channel; empty where Apple's schema does not say. */
        Optional<Boolean> deviceChannel(OsFamily os) {
            return Optional.ofNullable(availability.get(os).deviceChannel());
        }

        /** Whether the command may go over the user channel; empty where Apple's schema does not say. */
        Optional<Boolean> userChannel(OsFamily os) {
            return Optional.ofNullable(availability.get(os).userChannel());
        }

        /** The payload's top-level keys, sorted by name. */
        List<PayloadKey> keys() {
            return keys;
        }

        private static Command read(NSDictionary facts) {
            String requestType = string(facts, "requestType");
            NSDictionary os = as(NSDictionary.class, facts.objectForKey("os"), requestType + ".os");
            Map<OsFamily, Availability> availability = new EnumMap<>(OsFamily.class);
            for (OsFamily family : OsFamily.values()) {
                String where = requestType + ".os." + family.schemaName();
                availability.put(family, Availability.read(as(NSDictionary.class, os.objectForKey(family.schemaName()), where)));
            }
            return new Command(requestType, availability, PayloadKey.readAll(facts.objectForKey("keys"), requestType));
        }
    }

    /**
     * A payload key. For an {@code <array>} the subkeys describe its items: one subkey for arrays of one
     * kind, several dictionaries told apart by a tag key for arrays like {@code Settings}.
     *
     * @param allowedValues the schema's {@code rangelist} (String, Long or Double values); empty when any
     *     value of the type is allowed
     * @param required false also where the schema states no presence, as for array items
     */
    record PayloadKey(String name, ValueType type, boolean required, List<Object> allowedValues, List<PayloadKey> subkeys) {
        boolean isWildcard() {
            return WILDCARD.equals(name) && type == ValueType.ANY;
        }

        boolean allows(Object value) {
            return allowedValues.isEmpty() || allowedValues.stream().anyMatch(allowed -> sameValue(allowed, value));
        }

        Optional<PayloadKey> subkey(String name) {
            return subkeys.stream().filter(key -> key.name().equals(name)).findFirst();
        }

        private static List<PayloadKey> readAll(NSObject facts, String where) {
            if (facts == null) {
                return List.of();
            }
            List<PayloadKey> keys = new ArrayList<>();
            for (NSObject key : as(NSArray.class, facts, where).getArray()) {
                keys.add(read(as(NSDictionary.class, key, where)));
            }
            return List.copyOf(keys);
        }

        private static PayloadKey read(NSDictionary facts) {
            String name = string(facts, "key");
            NSObject presence = facts.objectForKey("presence");
            List<Object> allowed = new ArrayList<>();
            NSObject rangelist = facts.objectForKey("rangelist");
            if (rangelist != null) {
                for (NSObject value : as(NSArray.class, rangelist, name + ".rangelist").getArray()) {
                    allowed.add(plainValue(value, name));
                }
            }
            return new PayloadKey(name, ValueType.of(string(facts, "type")),
                    presence != null && "required".equals(as(NSString.class, presence, name).getContent()),
                    List.copyOf(allowed), readAll(facts.objectForKey("subkeys"), name));
        }
    }

    /** The value types of Apple's schema, as they arrive in a JSON-shaped payload. */
    enum ValueType {
        STRING("<string>", "a string"),
        INTEGER("<integer>", "an integer"),
        REAL("<real>", "a number"),
        BOOLEAN("<boolean>", "true or false"),
        DATE("<date>", "an ISO-8601 date with an offset, e.g. 2024-05-01T10:00:00Z"),
        DATA("<data>", "base64 data"),
        ARRAY("<array>", "an array"),
        DICTIONARY("<dictionary>", "a dictionary"),
        ANY("<any>", "a value");

        private final String schemaName;
        private final String description;

        ValueType(String schemaName, String description) {
            this.schemaName = schemaName;
            this.description = description;
        }

        /** How Apple's schema spells the type, e.g. {@code <string>}. */
        String schemaName() {
            return schemaName;
        }

        static ValueType of(String schemaName) {
            for (ValueType type : values()) {
                if (type.schemaName.equals(schemaName)) {
                    return type;
                }
            }
            throw new IllegalStateException(RESOURCE + " names an unknown type " + schemaName);
        }
    }

    /** Where Apple's schema places a command on one OS family; introduced is null where it is not supported. */
    private record Availability(String introduced, Boolean supervised, Boolean deviceChannel, Boolean userChannel) {
        static Availability read(NSDictionary facts) {
            if (!flag(facts, "supported")) {
                return new Availability(null, null, null, null);
            }
            return new Availability(string(facts, "introduced"), optionalFlag(facts, "supervised"),
                    optionalFlag(facts, "devicechannel"), optionalFlag(facts, "userchannel"));
        }
    }

    /** One validation run; the request type makes the messages say which command was refused. */
    private record PayloadCheck(String requestType) {
        void entries(List<PayloadKey> keys, boolean open, Map<?, ?> values, String prefix) {
            Map<String, PayloadKey> byName = keys.stream()
                    .collect(Collectors.toMap(PayloadKey::name, key -> key));
            // Sorted, so the same payload always reports the same first problem.
            SortedMap<String, Object> sorted = new TreeMap<>();
            for (Map.Entry<?, ?> entry : values.entrySet()) {
                if (!(entry.getKey() instanceof String name)) {
                    throw new ValidationException(prefix + entry.getKey(), "the keys of " + pathOrPayload(prefix) + " must be strings");
                }
                sorted.put(name, entry.getValue());
            }
            for (Map.Entry<String, Object> entry : sorted.entrySet()) {
                String path = prefix + entry.getKey();
                PayloadKey key = byName.get(entry.getKey());
                if (key != null && !key.isWildcard()) {
                    value(key, entry.getValue(), path);
                } else if (!open) {
                    throw new ValidationException(path, requestType + " has no key " + path);
                } else if (entry.getValue() == null) {
                    throw new ValidationException(path, path + " must have a value, not null");
                }
            }
            for (PayloadKey key : keys) {
                if (key.required() && !sorted.containsKey(key.name())) {
                    throw new ValidationException(prefix + key.name(), requestType + " requires " + prefix + key.name());
                }
            }
        }

        private void value(PayloadKey key, Object value, String path) {
            boolean fits = switch (key.type()) {
                case STRING -> value instanceof String;
                case INTEGER -> isInteger(value);
                case REAL -> decimal(value) != null;
                case BOOLEAN -> value instanceof Boolean;
                case DATE -> value instanceof String text && isDate(text);
                case DATA -> value instanceof String text && isBase64(text);
                case ARRAY -> value instanceof List;
                case DICTIONARY -> value instanceof Map;
                case ANY -> value != null;
            };
            if (!fits) {
                throw new ValidationException(path, path + " must be " + key.type().description);
            }
            if (!key.allows(value)) {
                throw new ValidationException(path, path + " must be one of " + listed(key.allowedValues()));
            }
            if (value instanceof List<?> items && key.type() == ValueType.ARRAY) {
                items(key.subkeys(), items, path);
            } else if (value instanceof Map<?, ?> entries && key.type() == ValueType.DICTIONARY) {
                entries(key.subkeys(), key.subkeys().isEmpty() || hasWildcard(key.subkeys()), entries, path + ".");
            }
        }

        private void items(List<PayloadKey> kinds, List<?> items, String path) {
            for (int i = 0; i < items.size(); i++) {
                String itemPath = path + "[" + i + "]";
                Object item = items.get(i);
                if (kinds.isEmpty()) {
                    if (item == null) {
                        throw new ValidationException(itemPath, itemPath + " must have a value, not null");
                    }
                } else if (kinds.size() == 1) {
                    value(kinds.get(0), item, itemPath);
                } else {
                    value(kindOf(kinds, item, itemPath), item, itemPath);
                }
            }
        }

        /**
         * Picks which of an array's item kinds an item is. Apple tells them apart by a required key whose
         * allowed values name the kind: {@code Settings} items carry {@code Item = "DeviceName"} and so on.
         */
        private PayloadKey kindOf(List<PayloadKey> kinds, Object item, String path) {
            if (!(item instanceof Map<?, ?> entries)) {
                throw new ValidationException(path, path + " must be a dictionary");
            }
            Optional<String> tag = tagKey(kinds);
            if (tag.isEmpty()) {
                return firstFitting(kinds, item, path);
            }
            String tagPath = path + "." + tag.get();
            Object value = entries.get(tag.get());
            if (value == null) {
                throw new ValidationException(tagPath, requestType + " requires " + tagPath);
            }
            List<Object> names = new ArrayList<>();
            for (PayloadKey kind : kinds) {
                PayloadKey tagKey = kind.subkey(tag.get()).orElseThrow();
                if (tagKey.allows(value)) {
                    return kind;
                }
                names.addAll(tagKey.allowedValues());
            }
            throw new ValidationException(tagPath, tagPath + " must be one of " + listed(names));
        }

        /** Without a tag key the first kind the item passes as is taken; if none, the first kind's complaint stands. */
        private PayloadKey firstFitting(List<PayloadKey> kinds, Object item, String path) {
            ValidationException first = null;
            for (PayloadKey kind : kinds) {
                try {
                    value(kind, item, path);
                    return kind;
                } catch (ValidationException e) {
                    first = first == null ? e : first;
                }
            }
            throw first;
        }

        private static Optional<String> tagKey(List<PayloadKey> kinds) {
            return kinds.get(0).subkeys().stream()
                    .filter(candidate -> kinds.stream().allMatch(kind -> kind.subkey(candidate.name())
                            .filter(key -> key.required() && !key.allowedValues().isEmpty())
                            .isPresent()))
                    .map(PayloadKey::name)
                    .findFirst();
        }

        private static String pathOrPayload(String prefix) {
            return prefix.isEmpty() ? "the payload" : prefix.substring(0, prefix.length() - 1);
        }
    }

    private static boolean hasWildcard(List<PayloadKey> keys) {
        return keys.stream().anyMatch(PayloadKey::isWildcard);
    }

    private static boolean isInteger(Object value) {
        BigDecimal number = decimal(value);
        // A plist <integer> is a signed 64-bit value.
        return number != null && number.stripTrailingZeros().scale() <= 0
                && number.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0
                && number.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
    }

    /** The number a JSON-shaped value stands for, or null when it is no (finite) number. */
    private static BigDecimal decimal(Object value) {
        if (value instanceof BigDecimal number) {
            return number;
        }
        if (value instanceof BigInteger number) {
            return new BigDecimal(number);
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            return Double.isFinite(number) ? BigDecimal.valueOf(number) : null;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        return null;
    }

    private static boolean sameValue(Object allowed, Object value) {
        if (allowed instanceof Number && value instanceof Number) {
            BigDecimal left = decimal(allowed);
            BigDecimal right = decimal(value);
            return left != null && right != null && left.compareTo(right) == 0;
        }
        return allowed.equals(value);
    }

    private static boolean isDate(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static boolean isBase64(String text) {
        try {
            Base64.getDecoder().decode(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String listed(List<Object> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static <T extends NSObject> T as(Class<T> type, NSObject value, String where) {
        if (!type.isInstance(value)) {
            throw new IllegalStateException(RESOURCE + ": " + where + " is not a " + type.getSimpleName());
        }
        return type.cast(value);
    }

    private static String string(NSDictionary facts, String key) {
        return as(NSString.class, facts.objectForKey(key), key).getContent();
    }

    private static boolean flag(NSDictionary facts, String key) {
        NSNumber flag = as(NSNumber.class, facts.objectForKey(key), key);
        if (!flag.isBoolean()) {
            throw new IllegalStateException(RESOURCE + ": " + key + " is not true or false");
        }
        return flag.boolValue();
    }

    private static Boolean optionalFlag(NSDictionary facts, String key) {
        return facts.containsKey(key) ? flag(facts, key) : null;
    }

    private static Object plainValue(NSObject value, String where) {
        if (value instanceof NSString text) {
            return text.getContent();
        }
        if (value instanceof NSNumber number && number.isInteger()) {
            return number.longValue();
        }
        if (value instanceof NSNumber number && number.isReal()) {
            return number.doubleValue();
        }
        throw new IllegalStateException(RESOURCE + ": " + where + " allows a value that is neither text nor a number");
    }
}
