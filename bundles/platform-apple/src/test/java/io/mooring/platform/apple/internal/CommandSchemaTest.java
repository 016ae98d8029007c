package io.mooring.platform.apple.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mooring.api.ValidationException;
import io.mooring.platform.apple.internal.CommandSchema.Command;
import io.mooring.platform.apple.internal.CommandSchema.PayloadKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The facts in commands.plist against Apple's schema read straight from the corpus, and the validator
 * against payloads Apple's devices would take or refuse.
 */
class CommandSchemaTest {
    private static final CommandSchema SCHEMA = CommandSchema.load();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** How Apple's schema names each family under supportedOS. */
    private static final Map<OsFamily, String> APPLE_OS_NAMES = Map.of(
            OsFamily.IOS, "iOS", OsFamily.MACOS, "macOS", OsFamily.TVOS, "tvOS",
            OsFamily.VISIONOS, "visionOS", OsFamily.WATCHOS, "watchOS");
    private static final String PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    @Test
    void knowsEveryRequestTypeInApplesSchema() {
        List<JsonNode> apple = appleCommands();
        Set<String> appleRequestTypes = apple.stream()
                .map(command -> command.path("payload").path("requesttype").asText())
                .collect(Collectors.toSet());

        assertThat(apple).hasSize(66);
        assertThat(appleRequestTypes).hasSize(66);
        assertThat(SCHEMA.requestTypes()).containsExactlyInAnyOrderElementsOf(appleRequestTypes);
    }

    @TestFactory
    Stream<DynamicTest> agreesWithApplesSchemaOnEveryCommand() {
        return appleCommands().stream().map(apple -> {
            String requestType = apple.path("payload").path("requesttype").asText();
            return dynamicTest(requestType, () -> assertAgrees(requestType, apple));
        });
    }

    @Test
    void acceptsADeviceLockWithMessageAndPhoneNumber() {
        assertThatCode(() -> SCHEMA.validate("DeviceLock", Map.of("Message", "Return to the front desk",
                "PhoneNumber", "+1 555 0100", "PIN", "123456"))).doesNotThrowAnyException();
        assertThatCode(() -> SCHEMA.validate("DeviceLock", Map.of())).doesNotThrowAnyException();
        assertThatCode(() -> SCHEMA.validate("DeviceLock", null)).doesNotThrowAnyException();
    }

    @Test
    void refusesAnUnknownRequestType() {
        assertThat(rejected("LockDevice", Map.of()).field()).isEqualTo("RequestType");
    }

    @Test
    void refusesAKeyTheCommandDoesNotTake() {
        ValidationException e = rejected("DeviceLock", Map.of("Mesage", "typo"));
        assertThat(e.field()).isEqualTo("Mesage");
        assertThat(e.getMessage()).contains("DeviceLock", "Mesage");

        // The request type travels beside the payload, never in it.
        assertThat(rejected("DeviceLock", Map.of("RequestType", "DeviceLock")).field()).isEqualTo("RequestType");
    }

    @Test
    void refusesAValueOfTheWrongType() {
        assertThat(rejected("DeviceLock", Map.of("Message", 42)).field()).isEqualTo("Message");
        assertThat(rejected("EraseDevice", Map.of("PreserveDataPlan", "yes")).field()).isEqualTo("PreserveDataPlan");
        assertThat(rejected("InstallProfile", Map.of("Payload", "not base64!")).field()).isEqualTo("Payload");
        assertThat(rejected("InstallApplication", Map.of("iTunesStoreID", 361309726.5)).field()).isEqualTo("iTunesStoreID");
        assertThat(rejected("InstallApplication", Map.of("iTunesStoreID", "361309726")).field()).isEqualTo("iTunesStoreID");
        assertThat(rejected("InstallApplication", Map.of("Options", List.of())).field()).isEqualTo("Options");
        assertThat(rejected("DeviceInformation", Map.of("Queries", "UDID")).field()).isEqualTo("Queries");
        assertThat(rejected("DeviceInformation", Map.of("Queries", List.of("UDID", 7))).field()).isEqualTo("Queries[1]");
        Map<String, Object> withNull = new LinkedHashMap<>();
        withNull.put("Message", null);
        assertThat(rejected("DeviceLock", withNull).field()).isEqualTo("Message");
    }

    @Test
    void takesWholeNumbersOfAnyJsonShapeAsIntegers() {
        for (Object storeId : List.of(361309726, 361309726L, new BigDecimal("361309726"), 361309726.0)) {
            assertThatCode(() -> SCHEMA.validate("InstallApplication", Map.of("iTunesStoreID", storeId)))
                    .as("%s %s", storeId.getClass().getSimpleName(), storeId).doesNotThrowAnyException();
        }
        assertThat(rejected("InstallApplication", Map.of("iTunesStoreID", new BigDecimal("1e19"))).field())
                .as("beyond a plist integer").isEqualTo("iTunesStoreID");
    }

    @Test
    void refusesAMissingRequiredKey() {
        ValidationException e = rejected("InstallProfile", Map.of());
        assertThat(e.field()).isEqualTo("Payload");
        assertThat(e.getMessage()).contains("InstallProfile", "Payload");

        assertThat(rejected("SetAutoAdminPassword", Map.of("GUID", "6F8C3B5A-1D2E-4F60-9A7B-8C9D0E1F2A3B")).field())
                .isEqualTo("passwordHash");
    }

    @Test
    void refusesAValueOutsideTheAllowedOnes() {
        ValidationException e = rejected("EraseDevice", Map.of("ObliterationBehavior", "Sometimes"));
        assertThat(e.field()).isEqualTo("ObliterationBehavior");
        assertThat(e.getMessage()).contains("DoNotObliterate");
        assertThatCode(() -> SCHEMA.validate("EraseDevice", Map.of("ObliterationBehavior", "DoNotObliterate")))
                .doesNotThrowAnyException();

        assertThat(rejected("InstallApplication", Map.of("ManagementFlags", 2)).field()).isEqualTo("ManagementFlags");
        assertThatCode(() -> SCHEMA.validate("InstallApplication", Map.of("ManagementFlags", 5L))).doesNotThrowAnyException();
    }

    @Test
    void checksEachSettingsItemAgainstTheKindItsItemKeyNames() {
        Map<String, Object> deviceName = Map.of("Item", "DeviceName", "DeviceName", "Lab iPad 7");
        Map<String, Object> wallpaper = Map.of("Item", "Wallpaper", "Image", PNG_1X1, "Where", 3);
        assertThatCode(() -> SCHEMA.validate("Settings", Map.of("Settings", List.of(deviceName, wallpaper))))
                .doesNotThrowAnyException();

        assertThat(settingsRejected(Map.of("DeviceName", "Lab iPad 7")).field()).isEqualTo("Settings[0].Item");
        assertThat(settingsRejected(Map.of("Item", "Teleport")).field()).isEqualTo("Settings[0].Item");
        assertThat(settingsRejected(Map.of("Item", "DeviceName")).field()).isEqualTo("Settings[0].DeviceName");
        assertThat(settingsRejected(Map.of("Item", "Wallpaper", "Image", PNG_1X1, "Where", 4)).field())
                .isEqualTo("Settings[0].Where");
        assertThat(settingsRejected(Map.of("Item", "Wallpaper", "Image", PNG_1X1, "Where", "3")).field())
                .isEqualTo("Settings[0].Where");
        assertThat(settingsRejected(Map.of("Item", "DeviceName", "DeviceName", "x", "Colour", "red")).field())
                .isEqualTo("Settings[0].Colour");
        assertThat(settingsRejected("DeviceName").field()).isEqualTo("Settings[0]");
        assertThat(rejected("Settings", Map.of("Settings", List.of(deviceName, Map.of("Item", "Bluetooth")))).field())
                .isEqualTo("Settings[1].Enabled");
        assertThat(rejected("Settings", Map.of()).field()).isEqualTo("Settings");
    }

    @Test
    void letsAnAppConfigurationHoldAnyKeys() {
        Map<String, Object> configuration = Map.of("ServerURL", "https://mdm.example.com",
                "Retries", 3, "Servers", List.of(Map.of("Name", "eu")));
        assertThatCode(() -> SCHEMA.validate("InstallApplication",
                Map.of("Identifier", "com.example.app", "Configuration", configuration))).doesNotThrowAnyException();
        assertThatCode(() -> SCHEMA.validate("Settings", Map.of("Settings", List.of(Map.of("Item", "ApplicationConfiguration",
                "Identifier", "com.example.app", "Configuration", configuration))))).doesNotThrowAnyException();
    }

    @Test
    void acceptsCommandsOtherServersSent() throws Exception {
        // MicroMDM's InstallProfile command as it went to a device, with the request type taken out.
        NSDictionary plist = (NSDictionary) PropertyListParser.parse(
                Corpus.path("micromdm/mdm_mdm_testdata_InstallProfile.plist").toFile());
        NSDictionary command = (NSDictionary) plist.objectForKey("Command");
        Map<String, Object> payload = new LinkedHashMap<>();
        command.forEach((key, value) -> payload.put(key, jsonShaped(value)));
        String requestType = (String) payload.remove("RequestType");
        assertThatCode(() -> SCHEMA.validate(requestType, payload)).doesNotThrowAnyException();

        // NanoMDM's enrollment profile, installed again by command.
        byte[] profile = Files.readAllBytes(Corpus.path("nanomdm/docs_enroll.mobileconfig"));
        assertThatCode(() -> SCHEMA.validate("InstallProfile",
                Map.of("Payload", Base64.getEncoder().encodeToString(profile)))).doesNotThrowAnyException();
    }

    @Test
    void knowsWhereACommandRuns() {
        Command setAdminPassword = SCHEMA.command("SetAutoAdminPassword").orElseThrow();
        assertThat(setAdminPassword.supports(OsFamily.MACOS)).isTrue();
        assertThat(setAdminPassword.supports(OsFamily.IOS)).isFalse();
        assertThat(setAdminPassword.introducedIn(OsFamily.IOS)).isEmpty();
        assertThat(setAdminPassword.requiresSupervision(OsFamily.IOS)).isFalse();

        Command enableLostMode = SCHEMA.command("EnableLostMode").orElseThrow();
        assertThat(enableLostMode.supports(OsFamily.IOS)).isTrue();
        assertThat(enableLostMode.requiresSupervision(OsFamily.IOS)).isTrue();
        assertThat(SCHEMA.command("DeviceLock").orElseThrow().requiresSupervision(OsFamily.IOS)).isFalse();
        assertThat(SCHEMA.command("LockDevice")).isEmpty();
    }

    @Test
    void checksDatesAndRealNumbers() {
        // No command in Apple's schema takes a <date> or a <real> yet; the meta-schema allows both.
        CommandSchema schema = CommandSchema.read(new ByteArrayInputStream(facts("Example",
                key("NotBefore", "<date>") + key("Ratio", "<real>")).getBytes(StandardCharsets.UTF_8)));

        assertThatCode(() -> schema.validate("Example", Map.of("NotBefore", "2024-05-01T10:00:00Z", "Ratio", 0.5)))
                .doesNotThrowAnyException();
        assertThatCode(() -> schema.validate("Example", Map.of("NotBefore", "2024-05-01T12:00:00+02:00", "Ratio", 2)))
                .doesNotThrowAnyException();
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> schema.validate("Example", Map.of("NotBefore", "1 May 2024"))).field()).isEqualTo("NotBefore");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> schema.validate("Example", Map.of("NotBefore", "2024-05-01"))).field()).isEqualTo("NotBefore");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> schema.validate("Example", Map.of("Ratio", Double.NaN))).field()).isEqualTo("Ratio");
        assertThat(catchThrowableOfType(ValidationException.class,
                () -> schema.validate("Example", Map.of("Ratio", "0.5"))).field()).isEqualTo("Ratio");
    }

    private static void assertAgrees(String requestType, JsonNode apple) {
        Command command = SCHEMA.command(requestType).orElseThrow(() -> new AssertionError(requestType + " is missing"));
        assertThat(command.requestType()).isEqualTo(requestType);

        JsonNode supportedOs = apple.path("payload").path("supportedOS");
        for (Map.Entry<OsFamily, String> os : APPLE_OS_NAMES.entrySet()) {
            JsonNode entry = supportedOs.path(os.getValue());
            assertThat(entry.path("introduced").isTextual()).as("%s names its %s version", requestType, os.getValue()).isTrue();
            String introduced = entry.path("introduced").asText();
            boolean supported = !"n/a".equals(introduced);
            String on = requestType + " on " + os.getValue();
            assertThat(command.supports(os.getKey())).as(on).isEqualTo(supported);
            assertThat(command.introducedIn(os.getKey())).as(on).isEqualTo(supported ? Optional.of(introduced) : Optional.empty());
            assertThat(command.requiresSupervision(os.getKey())).as(on)
                    .isEqualTo(supported && entry.path("supervised").asBoolean(false));
            if (supported) {
                assertThat(command.deviceChannel(os.getKey())).as(on).isEqualTo(flag(entry, "devicechannel"));
                assertThat(command.userChannel(os.getKey())).as(on).isEqualTo(flag(entry, "userchannel"));
            }
        }

        List<String> appleKeys = new ArrayList<>();
        describeApple(apple.path("payloadkeys"), "", appleKeys);
        List<String> ourKeys = new ArrayList<>();
        describeOurs(command.keys(), "", ourKeys);
        assertThat(ourKeys).as(requestType + " payload keys").containsExactlyInAnyOrderElementsOf(appleKeys);
    }

    /** One line per key: path, type, whether required, allowed values (text quoted). */
    private static void describeApple(JsonNode keys, String prefix, List<String> lines) {
        for (JsonNode key : keys) {
            String path = prefix + key.path("key").asText();
            List<String> allowed = new ArrayList<>();
            key.path("rangelist").forEach(value -> allowed.add(value.isTextual() ? '"' + value.asText() + '"' : value.asText()));
            lines.add(path + " " + key.path("type").asText() + " "
                    + ("required".equals(key.path("presence").asText()) ? "required" : "optional") + " " + allowed);
            describeApple(key.path("subkeys"), path + ".", lines);
        }
    }

    private static void describeOurs(List<PayloadKey> keys, String prefix, List<String> lines) {
        for (PayloadKey key : keys) {
            String path = prefix + key.name();
            List<String> allowed = key.allowedValues().stream()
                    .map(value -> value instanceof String text ? '"' + text + '"' : String.valueOf(value))
                    .toList();
            lines.add(path + " " + key.type().schemaName() + " " + (key.required() ? "required" : "optional") + " " + allowed);
            describeOurs(key.subkeys(), path + ".", lines);
        }
    }

    private static Optional<Boolean> flag(JsonNode entry, String name) {
        return entry.has(name) ? Optional.of(entry.get(name).asBoolean()) : Optional.empty();
    }

    private static List<JsonNode> appleCommands() {
        Path folder = Corpus.path("apple-device-management/mdm/commands");
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".yaml")).sorted()
                    .map(CommandSchemaTest::readYaml).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ValidationException rejected(String requestType, Map<String, Object> payload) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> SCHEMA.validate(requestType, payload));
        assertThat(e).as("%s %s is refused", requestType, payload).isNotNull();
        return e;
    }

    private static ValidationException settingsRejected(Object item) {
        return rejected("Settings", Map.of("Settings", List.of(item)));
    }

    /** A plist value as the admin API would hand it over: data as base64 text, arrays as lists. */
    private static Object jsonShaped(NSObject value) {
        if (value instanceof NSData data) {
            return data.getBase64EncodedData();
        }
        if (value instanceof NSString text) {
            return text.getContent();
        }
        if (value instanceof NSNumber number) {
            return number.isBoolean() ? number.boolValue() : number.isInteger() ? number.longValue() : number.doubleValue();
        }
        if (value instanceof NSArray array) {
            return Arrays.stream(array.getArray()).map(CommandSchemaTest::jsonShaped).toList();
        }
        if (value instanceof NSDictionary dictionary) {
            Map<String, Object> map = new LinkedHashMap<>();
            dictionary.forEach((key, entry) -> map.put(key, jsonShaped(entry)));
            return map;
        }
        throw new IllegalArgumentException("no JSON shape for " + value.getClass().getSimpleName());
    }

    /** Facts for one command, in the form commands.py writes, supported nowhere. */
    private static String facts(String requestType, String keys) {
        String os = APPLE_OS_NAMES.values().stream()
                .map(name -> "<key>" + name + "</key><dict><key>supported</key><false/></dict>")
                .collect(Collectors.joining());
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict>"
                + "<key>" + requestType + "</key><dict><key>requestType</key><string>" + requestType + "</string>"
                + "<key>os</key><dict>" + os + "</dict><key>keys</key><array>" + keys + "</array></dict></dict></plist>";
    }

    private static String key(String name, String type) {
        return "<dict><key>key</key><string>" + name + "</string><key>presence</key><string>optional</string>"
                + "<key>type</key><string>" + type.replace("<", "&lt;").replace(">", "&gt;") + "</string></dict>";
    }
}
