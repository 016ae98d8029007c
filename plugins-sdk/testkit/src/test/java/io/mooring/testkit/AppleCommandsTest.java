package io.mooring.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mooring.testkit.AppleDevice.Kind;
import org.junit.jupiter.api.Test;

/** The device's answers to commands, without a server: what each result holds and what Apple's schema allows. */
class AppleCommandsTest {
    private static final List<String> QUERIES = List.of("UDID", "DeviceName", "OSVersion", "BuildVersion", "ProductName", "SerialNumber",
            "DeviceCapacity", "AvailableDeviceCapacity", "BatteryLevel", "IsSupervised", "IMEI", "WiFiMAC", "NoSuchQuery");

    @Test
    void deviceInformationAnswersTheRequestedQueriesAnIphoneKnows() {
        AppleDevice phone = AppleDevice.ofKind(Kind.IPHONE, "Ada's iPhone");

        Map<String, Object> result = answer(phone, command("DeviceInformation", Map.of("Queries", QUERIES)));

        assertThat(result).containsEntry("Status", "Acknowledged").containsEntry("UDID", phone.udid());
        @SuppressWarnings("unchecked")
        Map<String, Object> answers = (Map<String, Object>) result.get("QueryResponses");
        assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(QUERIES.subList(0, QUERIES.size() - 1));
        assertThat(answers).containsEntry("DeviceName", "Ada's iPhone")
                .containsEntry("ProductName", "iPhone15,2")
                .containsEntry("SerialNumber", phone.serialNumber())
                .containsEntry("IsSupervised", false);
        assertThat(answers.get("DeviceCapacity")).isInstanceOf(Double.class).isEqualTo(128.0);
        assertThat((Double) answers.get("AvailableDeviceCapacity")).isBetween(0.0, 128.0);
        assertThat((Double) answers.get("BatteryLevel")).isBetween(0.0, 1.0);
        assertThat((String) answers.get("IMEI")).matches("\\d{2} \\d{6} \\d{6} \\d");
        assertThat((String) answers.get("WiFiMAC")).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
    }

    @Test
    void aMacHasNoBatteryLevelNorImei() {
        AppleDevice mac = AppleDevice.ofKind(Kind.MAC, "Build Mac");

        Map<String, Object> result = answer(mac, command("DeviceInformation", Map.of("Queries", QUERIES)));

        @SuppressWarnings("unchecked")
        Map<String, Object> answers = (Map<String, Object>) result.get("QueryResponses");
        assertThat(answers).doesNotContainKeys("BatteryLevel", "IMEI", "NoSuchQuery").containsEntry("ProductName", "Mac14,3");
        assertThat(result).containsEntry("RequestType", "DeviceInformation");
    }

    @Test
    void everyQueryADeviceAnswersIsOneApplesSchemaDefinesForItsPlatformAndType() {
        Map<String, Object> schema = AppleSchema.command("DeviceInformation");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> queryKeys = AppleSchema.keys(AppleSchema.keys(AppleSchema.keys(schema, "payloadkeys").get(0), "subkeys").get(0),
                "subkeys");
        List<Object> everyQuery = new ArrayList<>(queryKeys.stream().map(k -> k.get("key")).toList());
        for (Kind kind : Kind.values()) {
            Map<String, Object> result = answer(AppleDevice.ofKind(kind, "Device"), command("DeviceInformation", Map.of("Queries", everyQuery)));

            assertThat(AppleSchema.problems("DeviceInformation", result, kind.isMac())).as(kind.name()).isEmpty();
            @SuppressWarnings("unchecked")
            Map<String, Object> answers = (Map<String, Object>) result.get("QueryResponses");
            assertThat(answers).as(kind.name()).containsKeys("UDID", "SerialNumber", "OSVersion", "BuildVersion", "DeviceCapacity");
            if (!kind.isMac()) {
                for (String query : answers.keySet()) {
                    Map<String, Object> key = queryKeys.stream().filter(k -> query.equals(k.get("key"))).findFirst().orElseThrow();
                    assertThat(AppleCommands.queryRight(query)).as("access right of " + query)
                            .isEqualTo(right(AppleSchema.os(key, false).get("accessrights")));
                }
            }
        }
    }

    @Test
    void whereEachCommandRunsAgreesWithApplesSchema() {
        for (Map.Entry<String, AppleCommands.Rule> entry : AppleCommands.RULES.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = (Map<String, Object>) AppleSchema.command(entry.getKey()).get("payload");
            AppleCommands.Rule rule = entry.getValue();
            String type = entry.getKey();

            assertThat(rule.ios()).as(type + " on iOS").isEqualTo(!AppleSchema.notOn(payload, false));
            assertThat(rule.mac()).as(type + " on macOS").isEqualTo(!AppleSchema.notOn(payload, true));
            assertThat(rule.iosSupervised()).as(type + " supervised on iOS").isEqualTo(Boolean.TRUE.equals(AppleSchema.os(payload, false).get("supervised")));
            assertThat(rule.macSupervised()).as(type + " supervised on macOS").isEqualTo(Boolean.TRUE.equals(AppleSchema.os(payload, true).get("supervised")));
            if (rule.ios()) {
                assertThat(rule.iosRight()).as(type + " access right on iOS").isEqualTo(right(AppleSchema.os(payload, false).get("accessrights")));
            }
            if (rule.mac()) {
                assertThat(rule.macRight()).as(type + " access right on macOS").isEqualTo(right(AppleSchema.os(payload, true).get("accessrights")));
            }
        }
    }

    @Test
    void everyResultConformsToApplesSchema() throws Exception {
        TestPki pki = new TestPki("results");
        byte[] profile = ApplePlists.xml(Map.of("PayloadType", "Configuration", "PayloadIdentifier", "io.mooring.wifi", "PayloadUUID",
                UUID.randomUUID().toString(), "PayloadVersion", 1, "PayloadContent", List.of(Map.of("PayloadType", "com.apple.wifi.managed",
                        "PayloadIdentifier", "io.mooring.wifi.1", "PayloadUUID", UUID.randomUUID().toString(), "PayloadVersion", 1))));
        for (Kind kind : Kind.values()) {
            AppleDevice device = AppleDevice.ofKind(kind, "Device").supervised(true);
            List<Map<String, Object>> commands = List.of(
                    command("SecurityInfo", Map.of()),
                    command("InstalledApplicationList", Map.of()),
                    command("CertificateList", Map.of()),
                    command("InstallProfile", Map.of("Payload", TestPki.signedProfile(profile, pki.raKeys, pki.ra))),
                    command("ProfileList", Map.of()),
                    command("DeviceLock", Map.of("Message", "Call IT")),
                    command("ScheduleOSUpdate", Map.of("Updates", List.of(Map.of("InstallAction", "Default"),
                            Map.of("ProductKey", "X", "InstallAction", "InstallLater")))),
                    command("Settings", Map.of("Settings", List.of(Map.of("Item", "DeviceName", "DeviceName", "Renamed"),
                            Map.of("Item", "NoSuchItem")))),
                    command("InstallApplication", Map.of("Identifier", "io.mooring.notes")),
                    command("RemoveApplication", Map.of("Identifier", "io.mooring.notes")),
                    command("RestartDevice", Map.of()),
                    command("EnableLostMode", Map.of("Message", "Lost")),
                    command("DeviceLocation", Map.of()),
                    command("PlayLostModeSound", Map.of()),
                    command("DisableLostMode", Map.of()),
                    command("EraseDevice", Map.of()));
            for (Map<String, Object> command : commands) {
                String type = requestType(command);
                Map<String, Object> result = answer(device, command);
                if (AppleCommands.RULES.get(type).supportedOn(kind)) {
                    assertThat(result.get("Status")).as(kind + " " + type).isEqualTo("Acknowledged");
                    assertThat(AppleSchema.problems(type, result, kind.isMac())).as(kind + " " + type).isEmpty();
                } else {
                    assertThat(errorCode(result)).as(kind + " " + type).isEqualTo(12021L);
                }
            }
        }
    }

    @Test
    void lostModeNeedsSupervisionAndLocationNeedsLostMode() {
        AppleDevice phone = AppleDevice.ofKind(Kind.IPHONE, "Phone");

        Map<String, Object> refused = answer(phone, command("EnableLostMode", Map.of("Message", "Please return")));
        assertThat(refused).containsEntry("Status", "Error");
        assertThat(errorChain(refused).get(0)).containsEntry("ErrorDomain", "MCChaperoneErrorDomain").containsEntry("ErrorCode", 29000L)
                .containsKeys("LocalizedDescription", "USEnglishDescription");

        phone.supervised(true);
        Map<String, Object> notLost = answer(phone, command("DeviceLocation", Map.of()));
        assertThat(errorCode(notLost)).isEqualTo(12067L);
        assertThat(answer(phone, command("EnableLostMode", Map.of("Message", "Please return")))).containsEntry("Status", "Acknowledged");
        assertThat(phone.isInLostMode()).isTrue();
        Map<String, Object> location = answer(phone, command("DeviceLocation", Map.of()));
        assertThat(location).containsEntry("Status", "Acknowledged").containsKeys("Latitude", "Longitude", "HorizontalAccuracy", "Timestamp");
        assertThat((Double) location.get("Latitude")).isBetween(47.0, 48.0);
    }

    @Test
    void unknownAndMalformedCommandsAreRefusedTheWayDevicesRefuseThem() {
        AppleDevice pad = AppleDevice.ofKind(Kind.IPAD, "Pad");

        assertThat(errorCode(answer(pad, command("MakeCoffee", Map.of())))).isEqualTo(12021L);
        assertThat(errorChain(answer(pad, command("MakeCoffee", Map.of()))).get(0)).containsEntry("ErrorDomain", "MCMDMErrorDomain");
        assertThat(answer(pad, command("DeviceInformation", Map.of("Queries", "UDID")))).containsEntry("Status", "CommandFormatError");
        assertThat(answer(pad, Map.of("CommandUUID", "X", "Command", Map.of()))).containsEntry("Status", "CommandFormatError")
                .containsEntry("CommandUUID", "X");
        assertThat(answer(pad, command("RemoveProfile", Map.of("Identifier", "not.installed")))).containsEntry("Status", "Error");
        assertThat(errorCode(answer(pad, command("RemoveApplication", Map.of("Identifier", "com.apple.Pages"))))).isEqualTo(12029L);
    }

    @Test
    void aBusyDeviceAnswersNotNowAsOftenAsItWasTold() {
        AppleDevice phone = AppleDevice.ofKind(Kind.IPHONE, "Phone").busy(2);
        Map<String, Object> lock = command("DeviceLock", Map.of());

        assertThat(List.of(answer(phone, lock).get("Status"), answer(phone, lock).get("Status"), answer(phone, lock).get("Status")))
                .containsExactly("NotNow", "NotNow", "Acknowledged");
        assertThat(phone.isLocked()).isTrue();
    }

    @Test
    void installedProfilesAreListedAndRemovable() {
        AppleDevice mac = AppleDevice.ofKind(Kind.MAC, "Mac");
        byte[] profile = ApplePlists.xml(Map.of("PayloadType", "Configuration", "PayloadIdentifier", "io.mooring.vpn", "PayloadUUID", "U-1",
                "PayloadVersion", 1, "PayloadDisplayName", "VPN", "PayloadContent", List.of()));

        assertThat(answer(mac, command("InstallProfile", Map.of("Payload", profile)))).containsEntry("Status", "Acknowledged");
        Map<String, Object> list = answer(mac, command("ProfileList", Map.of()));
        assertThat((List<?>) list.get("ProfileList")).singleElement().satisfies(item -> assertThat(dict(item))
                .containsEntry("PayloadIdentifier", "io.mooring.vpn").containsEntry("PayloadDisplayName", "VPN").containsEntry("PayloadUUID", "U-1"));
        assertThat(answer(mac, command("RemoveProfile", Map.of("Identifier", "io.mooring.vpn")))).containsEntry("Status", "Acknowledged");
        assertThat(mac.installedProfiles()).isEmpty();

        byte[] garbage = "not a profile".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> refused = answer(mac, command("InstallProfile", Map.of("Payload", garbage)));
        assertThat(errorChain(refused).get(0)).containsEntry("ErrorDomain", "MCProfileErrorDomain").containsEntry("ErrorCode", 1000L);
    }

    @Test
    void aMacTakesASixDigitPinToEraseOrLock() {
        AppleDevice mac = AppleDevice.ofKind(Kind.MAC, "Mac");

        assertThat(answer(mac, command("EraseDevice", Map.of("PIN", "12ab")))).containsEntry("Status", "CommandFormatError");
        assertThat(answer(mac, command("DeviceLock", Map.of("PIN", "123456")))).containsEntry("Status", "Acknowledged");
        assertThat(answer(mac, command("ClearPasscode", Map.of("UnlockToken", new byte[] {1})))).containsEntry("Status", "Error");
    }

    private static long right(Object accessRights) {
        return switch (String.valueOf(accessRights)) {
            case "AllowInspection" -> AppleEnrollmentProfile.ALLOW_INSPECTION;
            case "AllowInstallationRemoval" -> AppleEnrollmentProfile.ALLOW_INSTALLATION_REMOVAL;
            case "AllowPasscodeRemovalAndLock" -> AppleEnrollmentProfile.ALLOW_PASSCODE_REMOVAL_AND_LOCK;
            case "AllowDeviceErase" -> AppleEnrollmentProfile.ALLOW_DEVICE_ERASE;
            case "AllowQueryDeviceInformation" -> AppleEnrollmentProfile.ALLOW_QUERY_DEVICE_INFORMATION;
            case "AllowQueryNetworkInformation" -> AppleEnrollmentProfile.ALLOW_QUERY_NETWORK_INFORMATION;
            case "AllowQueryApplications" -> AppleEnrollmentProfile.ALLOW_QUERY_APPLICATIONS;
            case "AllowQuerySecurity" -> AppleEnrollmentProfile.ALLOW_QUERY_SECURITY;
            case "AllowSettings" -> AppleEnrollmentProfile.ALLOW_SETTINGS;
            case "AllowAppInstallation" -> AppleEnrollmentProfile.ALLOW_APP_INSTALLATION;
            default -> 0; // None, Special Case, n/a, or not given
        };
    }

    /** The device's answer as the server reads it: command and result both through a property list. */
    static Map<String, Object> answer(AppleDevice device, Map<String, Object> command) {
        return ApplePlists.parse(ApplePlists.xml(device.answer(ApplePlists.parse(ApplePlists.xml(command)))));
    }

    static Map<String, Object> command(String requestType, Map<String, Object> keys) {
        Map<String, Object> command = new LinkedHashMap<>(keys);
        command.put("RequestType", requestType);
        return Map.of("CommandUUID", UUID.randomUUID().toString(), "Command", command);
    }

    private static String requestType(Map<String, Object> command) {
        return (String) ((Map<?, ?>) command.get("Command")).get("RequestType");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> errorChain(Map<String, Object> result) {
        return (List<Map<String, Object>>) result.get("ErrorChain");
    }

    private static Object errorCode(Map<String, Object> result) {
        assertThat(result).containsEntry("Status", "Error");
        return ((Number) errorChain(result).get(0).get("ErrorCode")).longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dict(Object value) {
        return (Map<String, Object>) value;
    }
}
