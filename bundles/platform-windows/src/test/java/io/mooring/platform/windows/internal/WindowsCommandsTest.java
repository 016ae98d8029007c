package io.mooring.platform.windows.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import io.mooring.api.ValidationException;
import io.mooring.platform.windows.internal.WindowsCommands.Op;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;

/**
 * Mooring's typed Windows commands and the OMA-DM commands each becomes. The expected node paths and
 * values are the ones Microsoft documents for each configuration service provider (Policy CSP
 * DeviceLock and others, RemoteWipe, Reboot, WiFi, VPNv2, BitLocker, EnterpriseDesktopAppManagement,
 * DMClient); they are written out here, not taken from the code under test.
 */
class WindowsCommandsTest {
    private final WindowsCommands commands = new WindowsCommands("Mooring");

    @Test
    void aPasscodePolicyIsOneAtomicOfDeviceLockReplaces() {
        List<Op> ops = commands.translate("PasscodePolicy", Map.of("minLength", 8, "complexity", "alphanumeric", "maxInactivityMinutes", 5,
                "expirationDays", 90, "history", 5, "maxFailedAttempts", 10));

        // Policy CSP DeviceLock: DevicePasswordEnabled 0 means "enabled"; AlphanumericDevicePasswordRequired 0 is
        // "password or alphanumeric PIN", 1 "password or numeric PIN", 2 "any"
        assertThat(nested(ops)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "./Device/Vendor/MSFT/Policy/Config/DeviceLock/DevicePasswordEnabled", "0",
                "./Device/Vendor/MSFT/Policy/Config/DeviceLock/MinDevicePasswordLength", "8",
                "./Device/Vendor/MSFT/Policy/Config/DeviceLock/AlphanumericDevicePasswordRequired", "0",
                "./Device/Vendor/MSFT/Policy/Config/DeviceLock/MaxInactivityTimeDeviceLock", "5",
                "./Device/Vendor/MSFT/Policy/Config/DeviceLock/DevicePasswordExpiration", "90",
                "./Device/Vendor/MSFT/Policy/Config/DeviceLock/DevicePasswordHistory", "5",
                "./Device/Vendor/MSFT/Policy/Config/DeviceLock/MaxDevicePasswordFailedAttempts", "10"));
        assertThat(ops.get(0).nested()).allSatisfy(op -> {
            assertThat(op.verb()).as("Microsoft: use Replace, not Add, for DeviceLock on desktop").isEqualTo("Replace");
            assertThat(op.format()).isEqualTo("int");
        });
        assertThat(nested(commands.translate("PasscodePolicy", Map.of("complexity", "numeric"))))
                .containsEntry("./Device/Vendor/MSFT/Policy/Config/DeviceLock/AlphanumericDevicePasswordRequired", "1");
        assertThat(nested(commands.translate("PasscodePolicy", Map.of("complexity", "any"))))
                .containsEntry("./Device/Vendor/MSFT/Policy/Config/DeviceLock/AlphanumericDevicePasswordRequired", "2");
    }

    @Test
    void restrictionsAreOneAtomicOfPolicyCspReplacesWithEachPolicysOwnValues() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("camera", false);
        payload.put("bluetooth", true);
        payload.put("storageCard", false);
        payload.put("location", true);
        payload.put("cortana", false);
        payload.put("microsoftAccount", false);
        payload.put("telemetry", false);

        List<Op> ops = commands.translate("Restrictions", payload);

        // AllowBluetooth: 0 disallow, 2 allow (1 is reserved); AllowTelemetry 0 is the lowest level (Security)
        assertThat(nested(ops)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera", "0",
                "./Device/Vendor/MSFT/Policy/Config/Connectivity/AllowBluetooth", "2",
                "./Device/Vendor/MSFT/Policy/Config/System/AllowStorageCard", "0",
                "./Device/Vendor/MSFT/Policy/Config/System/AllowLocation", "1",
                "./Device/Vendor/MSFT/Policy/Config/Experience/AllowCortana", "0",
                "./Device/Vendor/MSFT/Policy/Config/Accounts/AllowMicrosoftAccountConnection", "0",
                "./Device/Vendor/MSFT/Policy/Config/System/AllowTelemetry", "0"));
        assertThat(ops.get(0).nested()).extracting(Op::verb, Op::format).containsOnly(tuple("Replace", "int"));
        assertThat(nested(commands.translate("Restrictions", Map.of("camera", true, "bluetooth", false))))
                .containsExactlyInAnyOrderEntriesOf(Map.of("./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera", "1",
                        "./Device/Vendor/MSFT/Policy/Config/Connectivity/AllowBluetooth", "0"));
    }

    @Test
    void aWifiProfileIsAddedUnderItsPercentEncodedSsidWithAWlanProfileForIt() throws Exception {
        List<Op> ops = commands.translate("WifiProfile", Map.of("ssid", "Guest Net/5G & more", "passphrase", "correct horse battery"));

        assertThat(ops).singleElement().satisfies(op -> {
            assertThat(op.verb()).isEqualTo("Add");
            assertThat(op.uri()).isEqualTo("./Device/Vendor/MSFT/WiFi/Profile/Guest%20Net%2F5G%20%26%20more/WlanXml");
            assertThat(op.format()).isEqualTo("chr");
        });
        Element profile = xml(ops.get(0).data());
        assertThat(profile.getNamespaceURI()).isEqualTo("http://www.microsoft.com/networking/WLAN/profile/v1");
        assertThat(text(profile, "name")).isEqualTo("Guest Net/5G & more");
        assertThat(text(profile, "SSIDConfig", "SSID", "name")).isEqualTo("Guest Net/5G & more");
        assertThat(text(profile, "connectionType")).isEqualTo("ESS");
        assertThat(text(profile, "MSM", "security", "authEncryption", "authentication")).isEqualTo("WPA2PSK");
        assertThat(text(profile, "MSM", "security", "authEncryption", "encryption")).isEqualTo("AES");
        assertThat(text(profile, "MSM", "security", "sharedKey", "keyType")).isEqualTo("passPhrase");
        assertThat(text(profile, "MSM", "security", "sharedKey", "protected")).as("true would make Windows expect an encrypted key")
                .isEqualTo("false");
        assertThat(text(profile, "MSM", "security", "sharedKey", "keyMaterial")).isEqualTo("correct horse battery");

        Element open = xml(commands.translate("WifiProfile", Map.of("ssid", "Lobby", "security", "open", "hidden", true)).get(0).data());
        assertThat(text(open, "MSM", "security", "authEncryption", "authentication")).isEqualTo("open");
        assertThat(text(open, "MSM", "security", "authEncryption", "encryption")).isEqualTo("none");
        assertThat(SafeXml.path(open, "MSM", "security", "sharedKey")).isNull();
        assertThat(text(open, "SSIDConfig", "nonBroadcast")).isEqualTo("true");
    }

    @Test
    void aVpnProfileIsOneAtomicOfVpnv2NativeProfileAdds() {
        List<Op> ops = commands.translate("VpnProfile", Map.of("name", "Corp VPN", "servers", List.of("vpn1.example.test", "vpn2.example.test"),
                "protocol", "IKEv2", "authentication", "Certificate", "routing", "ForceTunnel", "alwaysOn", true));

        assertThat(nested(ops)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "./Device/Vendor/MSFT/VPNv2/Corp%20VPN/NativeProfile/Servers", "vpn1.example.test,vpn2.example.test",
                "./Device/Vendor/MSFT/VPNv2/Corp%20VPN/NativeProfile/NativeProtocolType", "IKEv2",
                "./Device/Vendor/MSFT/VPNv2/Corp%20VPN/NativeProfile/Authentication/MachineMethod", "Certificate",
                "./Device/Vendor/MSFT/VPNv2/Corp%20VPN/NativeProfile/RoutingPolicyType", "ForceTunnel",
                "./Device/Vendor/MSFT/VPNv2/Corp%20VPN/AlwaysOn", "true"));
        assertThat(ops.get(0).nested()).extracting(Op::verb).containsOnly("Add");
        assertThat(ops.get(0).nested()).filteredOn(op -> op.uri().endsWith("/AlwaysOn")).extracting(Op::format).containsExactly("bool");
        assertThat(nested(commands.translate("VpnProfile", Map.of("name", "Corp", "servers", List.of("vpn.example.test"), "protocol", "SSTP",
                "authentication", "MSChapv2"))))
                .containsEntry("./Device/Vendor/MSFT/VPNv2/Corp/NativeProfile/Authentication/UserMethod", "MSChapv2")
                .doesNotContainKey("./Device/Vendor/MSFT/VPNv2/Corp/NativeProfile/Authentication/MachineMethod");
    }

    @Test
    void requireEncryptionSetsBitLockersDeviceEncryptionNodes() {
        List<Op> ops = commands.translate("RequireEncryption", Map.of("silent", true));

        assertThat(nested(ops)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "./Device/Vendor/MSFT/BitLocker/RequireDeviceEncryption", "1",
                // 0 turns off the prompt about other disk encryption, so Windows encrypts silently
                "./Device/Vendor/MSFT/BitLocker/AllowWarningForOtherDiskEncryption", "0"));
        assertThat(ops.get(0).nested()).extracting(Op::verb, Op::format).containsOnly(tuple("Replace", "int"));
        assertThat(nested(commands.translate("RequireEncryption", Map.of())))
                .containsEntry("./Device/Vendor/MSFT/BitLocker/AllowWarningForOtherDiskEncryption", "1");
    }

    @Test
    void installMsiAddsTheProductsDownloadInstallNodeThenExecutesAnMsiInstallJob() throws Exception {
        byte[] msi = "not really an MSI, but these are its bytes".getBytes(StandardCharsets.UTF_8);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(msi));
        String node = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BAF9257BA-6BBD-4624-AA9B-0182D50292C3%7D/DownloadInstall";

        List<Op> ops = commands.translate("InstallMsi", Map.of("productId", "af9257ba-6bbd-4624-aa9b-0182d50292c3",
                "url", "https://apps.example.test/tool.msi?build=7&channel=stable", "sha256", sha256, "version", "2.1.0.0",
                "commandLine", "/quiet /norestart"));

        assertThat(ops).extracting(Op::verb, Op::uri).containsExactly(tuple("Add", node), tuple("Exec", node));
        assertThat(ops.get(0).data()).isNull();
        assertThat(ops.get(1).format()).isEqualTo("xml");
        Element job = xml(ops.get(1).data());
        assertThat(job.getTagName()).isEqualTo("MsiInstallJob");
        assertThat(job.getAttribute("id")).isEqualTo("{AF9257BA-6BBD-4624-AA9B-0182D50292C3}");
        assertThat(SafeXml.path(job, "Product").getAttribute("Version")).isEqualTo("2.1.0.0");
        assertThat(text(job, "Product", "Download", "ContentURLList", "ContentURL")).isEqualTo("https://apps.example.test/tool.msi?build=7&channel=stable");
        assertThat(text(job, "Product", "Validation", "FileHash")).isEqualTo(sha256.toUpperCase(java.util.Locale.ROOT));
        assertThat(text(job, "Product", "Enforcement", "CommandLine")).isEqualTo("/quiet /norestart");
    }

    @Test
    void thePollScheduleAndUnenrollmentAddressThisServersDmClientProvider() {
        assertThat(commands.translate("SetPollSchedule", Map.of("minutes", 120))).singleElement().satisfies(op -> {
            assertThat(op.verb()).isEqualTo("Replace");
            assertThat(op.uri()).isEqualTo("./Vendor/MSFT/DMClient/Provider/Mooring/Poll/IntervalForRemainingScheduledRetries");
            assertThat(op.format()).isEqualTo("int");
            assertThat(op.data()).isEqualTo("120");
        });
        // DMClient CSP: Exec on Unenroll with the server's ProviderID as data
        assertThat(commands.translate("Unenroll", Map.of())).singleElement().satisfies(op -> {
            assertThat(op.verb()).isEqualTo("Exec");
            assertThat(op.uri()).isEqualTo("./Vendor/MSFT/DMClient/Unenroll");
            assertThat(op.data()).isEqualTo("Mooring");
        });
        assertThat(new WindowsCommands("Acme MDM").translate("Unenroll", Map.of())).extracting(Op::data).containsExactly("Acme MDM");
    }

    @Test
    void wipeAndRebootExecuteRemoteWipeAndReboot() {
        assertThat(commands.translate("Wipe", Map.of())).extracting(Op::verb, Op::uri)
                .containsExactly(tuple("Exec", "./Device/Vendor/MSFT/RemoteWipe/doWipe"));
        assertThat(commands.translate("Wipe", Map.of("protected", true))).extracting(Op::verb, Op::uri)
                .containsExactly(tuple("Exec", "./Device/Vendor/MSFT/RemoteWipe/doWipeProtected"));
        assertThat(commands.translate("Wipe", Map.of("protected", false))).extracting(Op::uri)
                .containsExactly("./Device/Vendor/MSFT/RemoteWipe/doWipe");
        assertThat(commands.translate("Reboot", Map.of())).extracting(Op::verb, Op::uri, Op::format)
                .containsExactly(tuple("Exec", "./Device/Vendor/MSFT/Reboot/RebootNow", "null"));
    }

    static Stream<Arguments> badPayloads() {
        String goodSha = "a".repeat(64);
        String guid = "{AF9257BA-6BBD-4624-AA9B-0182D50292C3}";
        return Stream.of(
                bad("a passcode shorter than DeviceLock allows", "PasscodePolicy", Map.of("minLength", 3), "minLength"),
                bad("a passcode longer than DeviceLock allows", "PasscodePolicy", Map.of("minLength", 17), "minLength"),
                bad("a fractional passcode length", "PasscodePolicy", Map.of("minLength", 6.5), "minLength"),
                bad("an unknown complexity", "PasscodePolicy", Map.of("complexity", "weird"), "complexity"),
                bad("an unknown passcode key", "PasscodePolicy", Map.of("minLenght", 6), "minLenght"),
                bad("an unknown restriction", "Restrictions", Map.of("teleport", true), "teleport"),
                bad("a restriction that is not a boolean", "Restrictions", Map.of("camera", "no"), "camera"),
                bad("a URI without ./", "Get", Map.of("uris", List.of("Vendor/MSFT/DeviceStatus/OS/Edition")), "uris[0]"),
                bad("a URI with a space", "Get", Map.of("uris", List.of("./DevDetail/SwV", "./Dev Detail/SwV")), "uris[1]"),
                bad("a URI climbing with ..", "Delete", Map.of("uris", List.of("./Vendor/MSFT/../../Windows")), "uris[0]"),
                bad("an Exec URI with a control character", "Exec", Map.of("uri", "./Device/Vendor/MSFT/Reboot/RebootNow\n"), "uri"),
                bad("an item URI without ./", "Replace", Map.of("items", List.of(Map.of("uri", "/Vendor/MSFT/X", "data", "1"))), "items[0].uri"),
                bad("a Get inside an Atomic (OMA-DM allows none)", "Atomic", Map.of("commands", List.of(Map.of("verb", "Get", "uri", "./DevInfo/Man"))),
                        "commands[0].verb"),
                bad("an unknown format", "Add", Map.of("items", List.of(Map.of("uri", "./Vendor/MSFT/X", "data", "1", "format", "jpeg"))), "items[0].format"),
                bad("a Wi-Fi profile without ssid", "WifiProfile", Map.of("passphrase", "long enough"), "ssid"),
                bad("a WPA passphrase of 7 characters", "WifiProfile", Map.of("ssid", "Office", "passphrase", "1234567"), "passphrase"),
                bad("a Wi-Fi profile without passphrase", "WifiProfile", Map.of("ssid", "Office"), "passphrase"),
                bad("an unknown Wi-Fi security", "WifiProfile", Map.of("ssid", "Office", "security", "WEP"), "security"),
                bad("a VPN without servers", "VpnProfile", Map.of("name", "Corp", "servers", List.of()), "servers"),
                bad("an unknown VPN protocol", "VpnProfile", Map.of("name", "Corp", "servers", List.of("vpn.example.test"), "protocol", "OpenVPN"),
                        "protocol"),
                bad("a product id that is no GUID", "InstallMsi", Map.of("productId", "not-a-guid", "url", "https://x.example/a.msi", "sha256",
                        goodSha), "productId"),
                bad("a sha256 of 63 digits", "InstallMsi", Map.of("productId", guid, "url", "https://x.example/a.msi", "sha256",
                        "a".repeat(63)), "sha256"),
                bad("a sha256 that is not hex", "InstallMsi", Map.of("productId", guid, "url", "https://x.example/a.msi", "sha256",
                        "g".repeat(64)), "sha256"),
                bad("an MSI fetched over ftp", "InstallMsi", Map.of("productId", guid, "url", "ftp://x.example/a.msi", "sha256", goodSha), "url"),
                bad("a poll interval of 0 minutes", "SetPollSchedule", Map.of("minutes", 0), "minutes"),
                bad("a wipe whose protected flag is text", "Wipe", Map.of("protected", "yes"), "protected"));
    }

    private static Arguments bad(String what, String type, Map<String, Object> payload, String key) {
        return bad(what, type, payload, key, key);
    }

    /** @param named what the message must name: the key, or for a key inside a list entry at least its own name */
    private static Arguments bad(String what, String type, Map<String, Object> payload, String key, String named) {
        return Arguments.of(Named.of(what, type), payload, key, named);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPayloads")
    void aBadPayloadIsRefusedNamingTheKey(String type, Map<String, Object> payload, String key, String named) {
        assertThatThrownBy(() -> commands.translate(type, payload)).isInstanceOfSatisfying(ValidationException.class, e -> {
            assertThat(e.field()).isEqualTo(key);
            assertThat(e.getMessage()).contains(named);
        });
        assertThatThrownBy(() -> commands.validate(type, payload)).isInstanceOf(ValidationException.class);
    }

    @Test
    void aBadEntryOfAListIsReportedByItsIndexAndAnEmptyRestrictionsPayloadIsRefused() {
        assertThatThrownBy(() -> commands.translate("VpnProfile", Map.of("name", "Corp", "servers", List.of("vpn.example.test", "a.example,b.example"))))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("servers[1]"));
        assertThatThrownBy(() -> commands.translate("Atomic", Map.of("commands", List.of(Map.of("verb", "Replace", "uri", "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera", "data", 0),
                "Reboot"))))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("commands[1]"));
        assertThatThrownBy(() -> commands.translate("Restrictions", Map.of()))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.getMessage()).contains("camera", "telemetry"));
    }

    @Test
    void anUnknownCommandTypeIsRefusedNamingIt() {
        assertThatThrownBy(() -> commands.translate("Teleport", Map.of())).isInstanceOfSatisfying(ValidationException.class, e -> {
            assertThat(e.field()).isEqualTo("type");
            assertThat(e.getMessage()).contains("Teleport").contains("Reboot", "WifiProfile");
        });
    }

    /** The Atomic's commands as node path to data; the translation must be exactly one Atomic. */
    private static Map<String, String> nested(List<Op> ops) {
        assertThat(ops).singleElement().extracting(Op::verb).isEqualTo("Atomic");
        Map<String, String> out = new LinkedHashMap<>();
        for (Op op : ops.get(0).nested()) {
            assertThat(out.put(op.uri(), op.data())).as("each node once: " + op.uri()).isNull();
        }
        return out;
    }

    private static Element xml(String text) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    }

    private static String text(Element e, String... path) {
        Element at = SafeXml.path(e, path);
        assertThat(at).as(String.join("/", path)).isNotNull();
        return at.getTextContent();
    }

    @Test
    void anEapVpnCarriesItsEapConfigurationAndIsRefusedWithoutIt() {
        assertThatThrownBy(() -> commands.translate("VpnProfile", Map.of("name", "Corp", "servers", List.of("vpn.example.test"), "authentication", "EAP")))
                .isInstanceOf(io.mooring.api.ValidationException.class).hasMessageContaining("eapConfiguration");
        String eap = "<EapHostConfig xmlns=\"http://www.microsoft.com/provisioning/EapHostConfig\"/>";
        assertThat(nested(commands.translate("VpnProfile", Map.of("name", "Corp", "servers", List.of("vpn.example.test"), "authentication", "EAP",
                "eapConfiguration", eap))))
                .containsEntry("./Device/Vendor/MSFT/VPNv2/Corp/NativeProfile/Authentication/UserMethod", "EAP")
                .containsEntry("./Device/Vendor/MSFT/VPNv2/Corp/NativeProfile/Authentication/Eap/Configuration", eap);
    }

    @Test
    void inventoryReadsDeviceStatusCodesAsTheCspDefinesThem() {
        Map<String, Object> facts = WindowsCommands.inventoryFacts(Map.of(
                "./Vendor/MSFT/DeviceStatus/Firewall/Status", "3",
                "./Vendor/MSFT/DeviceStatus/Antivirus/Status", "1",
                "./Vendor/MSFT/DeviceStatus/Antivirus/SignatureStatus", "1",
                "./Vendor/MSFT/DeviceStatus/Compliance/EncryptionCompliance", "1"));

        assertThat(facts).containsEntry("firewall", "temporarily not monitoring").containsEntry("antivirus", "disabled")
                .containsEntry("antivirusSignatures", "up to date").containsEntry("encrypted", true);
        assertThat(WindowsCommands.inventoryFacts(Map.of("./Vendor/MSFT/DeviceStatus/Firewall/Status", "4",
                "./Vendor/MSFT/DeviceStatus/Antivirus/SignatureStatus", "0")))
                .containsEntry("firewall", "not applicable").containsEntry("antivirusSignatures", "out of date");
    }

    @Test
    void theIdentitySearchCriteriaEscapeSpacesAsRfc2396Does() {
        assertThat(ProvisioningDoc.escape("CN=abc,O=Example Corp")).isEqualTo("CN%3Dabc%2CO%3DExample%20Corp");
        assertThat(ProvisioningDoc.escape("My\\System")).isEqualTo("My%5CSystem");
    }
}
