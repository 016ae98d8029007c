package io.mooring.platform.windows.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.mooring.api.ValidationException;

/**
 * The commands an admin sends to Windows PCs, and the OMA-DM commands each becomes. Everyday operations
 * are typed (their configuration service provider paths are Microsoft's, in the Policy, RemoteWipe,
 * Reboot, WiFi, VPNv2, BitLocker, EnterpriseDesktopAppManagement and DMClient CSPs); Get, Add, Replace,
 * Delete, Exec and Atomic reach any OMA-URI for what is not typed yet.
 */
final class WindowsCommands {
    /** One OMA-DM command to send: Get, Add, Replace, Delete, Exec, or Atomic holding others. */
    record Op(String verb, String uri, String format, String type, String data, List<Op> nested) {
        static Op get(String uri) {
            return new Op("Get", uri, null, null, null, List.of());
        }

        static Op set(String verb, String uri, String format, String data) {
            return new Op(verb, uri, format, "text/plain", data, List.of());
        }

        static Op atomic(List<Op> ops) {
            return new Op("Atomic", null, null, null, null, List.copyOf(ops));
        }
    }

    static final String DEVICE_INFORMATION = "DeviceInformation";
    static final String UNENROLL = "Unenroll";
    static final String WIPE = "Wipe";

    static final Set<String> TYPES = Set.of(DEVICE_INFORMATION, "Get", "Add", "Replace", "Delete", "Exec", "Atomic", "PasscodePolicy",
            "Restrictions", WIPE, "Reboot", "WifiProfile", "VpnProfile", "RequireEncryption", "InstallMsi", "SetPollSchedule", UNENROLL);

    /** What DeviceInformation asks for: the DevInfo and DevDetail trees and the DeviceStatus CSP's security state. */
    static final List<String> INVENTORY_NODES = List.of("./DevInfo/DevId", "./DevInfo/Man", "./DevInfo/Mod", "./DevInfo/DmV", "./DevInfo/Lang",
            "./DevDetail/SwV", "./DevDetail/HwV", "./DevDetail/FwV", "./DevDetail/OEM", "./DevDetail/DevTyp",
            "./DevDetail/Ext/Microsoft/OSPlatform", "./DevDetail/Ext/Microsoft/DeviceName", "./DevDetail/Ext/Microsoft/ProcessorArchitecture",
            "./DevDetail/Ext/Microsoft/TotalStorage", "./DevDetail/Ext/Microsoft/TotalRAM", "./DevDetail/Ext/Microsoft/SMBIOSSerialNumber",
            "./Vendor/MSFT/DeviceStatus/OS/Edition", "./Vendor/MSFT/DeviceStatus/Compliance/EncryptionCompliance",
            "./Vendor/MSFT/DeviceStatus/TPM/SpecificationVersion", "./Vendor/MSFT/DeviceStatus/Firewall/Status",
            "./Vendor/MSFT/DeviceStatus/Antivirus/Status", "./Vendor/MSFT/DeviceStatus/Antivirus/SignatureStatus",
            "./Vendor/MSFT/DeviceStatus/Antispyware/Status", "./Vendor/MSFT/DeviceStatus/UAC/Status",
            "./Vendor/MSFT/DeviceStatus/Battery/EstimatedChargeRemaining");

    static final String DEVICE_LOCK = "./Device/Vendor/MSFT/Policy/Config/DeviceLock/";
    private static final Pattern GUID = Pattern.compile("\\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}}?");
    private static final Pattern SHA256 = Pattern.compile("[0-9A-Fa-f]{64}");
    private static final Set<String> FORMATS = Set.of("chr", "int", "bool", "b64", "xml", "bin", "float", "date", "time", "node", "null");
    static final int MAX_DATA = 64 * 1024;

    /** Restrictions by the name an admin uses: the Policy CSP node, and the values for allowed / not allowed. */
    private record Restriction(String node, String allowed, String blocked) {
    }

    private static final Map<String, Restriction> RESTRICTIONS = Map.of(
            "camera", new Restriction("Camera/AllowCamera", "1", "0"),
            "bluetooth", new Restriction("Connectivity/AllowBluetooth", "2", "0"),
            "storageCard", new Restriction("System/AllowStorageCard", "1", "0"),
            "location", new Restriction("System/AllowLocation", "1", "0"),
            "cortana", new Restriction("Experience/AllowCortana", "1", "0"),
            "microsoftAccount", new Restriction("Accounts/AllowMicrosoftAccountConnection", "1", "0"),
            "telemetry", new Restriction("System/AllowTelemetry", "3", "0"));

    private final String providerId;

    WindowsCommands(String providerId) {
        this.providerId = providerId;
    }

    /** Throws {@link ValidationException} naming the offending key. */
    void validate(String type, Map<String, Object> payload) {
        translate(type, payload);
    }

    /** The OMA-DM commands for one of Mooring's commands, validating as it goes. */
    List<Op> translate(String type, Map<String, Object> p) {
        Map<String, Object> payload = p == null ? Map.of() : p;
        return switch (type) {
            case DEVICE_INFORMATION -> INVENTORY_NODES.stream().map(Op::get).toList();
            case "Get" -> uris(payload, "uris").stream().map(Op::get).toList();
            case "Delete" -> uris(payload, "uris").stream().map(u -> new Op("Delete", u, null, null, null, List.of())).toList();
            case "Add", "Replace" -> items(payload, type);
            case "Exec" -> List.of(new Op("Exec", uri(payload.get("uri"), "uri"), format(payload, "format", "format", "chr"), "text/plain",
                    data(payload.get("data"), "data", false), List.of()));
            case "Atomic" -> List.of(Op.atomic(atomic(payload)));
            case "PasscodePolicy" -> List.of(Op.atomic(passcode(payload)));
            case "Restrictions" -> List.of(Op.atomic(restrictions(payload)));
            case WIPE -> List.of(Op.set("Exec", "./Device/Vendor/MSFT/RemoteWipe/" + (bool(payload, "protected", false) ? "doWipeProtected"
                    : "doWipe"), "chr", ""));
            case "Reboot" -> List.of(Op.set("Exec", "./Device/Vendor/MSFT/Reboot/RebootNow", "null", ""));
            case "WifiProfile" -> wifi(payload);
            case "VpnProfile" -> List.of(Op.atomic(vpn(payload)));
            case "RequireEncryption" -> List.of(Op.atomic(List.of(
                    Op.set("Replace", "./Device/Vendor/MSFT/BitLocker/RequireDeviceEncryption", "int", "1"),
                    // 0 turns off the prompt about other disk encryption: what silent encryption needs
                    Op.set("Replace", "./Device/Vendor/MSFT/BitLocker/AllowWarningForOtherDiskEncryption", "int",
                            bool(payload, "silent", false) ? "0" : "1"))));
            case "InstallMsi" -> msi(payload);
            case "SetPollSchedule" -> List.of(Op.set("Replace", "./Vendor/MSFT/DMClient/Provider/" + providerId
                    + "/Poll/IntervalForRemainingScheduledRetries", "int", Integer.toString(integer(payload, "minutes", 1, 1440 * 7, null))));
            case UNENROLL -> List.of(Op.set("Exec", "./Vendor/MSFT/DMClient/Unenroll", "chr", providerId));
            default -> throw new ValidationException("type", "type: Windows PCs do not take " + type + " commands; they take " + String.join(", ",
                    TYPES.stream().sorted().toList()));
        };
    }

    private List<Op> items(Map<String, Object> payload, String verb) {
        List<Op> out = new ArrayList<>();
        List<?> items = list(payload, "items");
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Map<?, ?> item)) {
                throw new ValidationException("items[" + i + "]", "items[" + i + "] is an object with uri, data and format");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) item;
            out.add(new Op(verb, uri(m.get("uri"), "items[" + i + "].uri"), format(m, "format", "items[" + i + "].format", "chr"), "text/plain",
                    data(m.get("data"), "items[" + i + "].data", true), List.of()));
        }
        return out;
    }

    private List<Op> atomic(Map<String, Object> payload) {
        List<Op> out = new ArrayList<>();
        List<?> commands = list(payload, "commands");
        for (int i = 0; i < commands.size(); i++) {
            String key = "commands[" + i + "]";
            if (!(commands.get(i) instanceof Map<?, ?> c)) {
                throw new ValidationException(key, key + " is an object with verb, uri and for Add / Replace / Exec data");
            }
            Object verb = c.get("verb");
            // OMA-DM 1.2 allows no Get inside Atomic (OMA-TS-DM_RepPro-V1_2 §6.6.4)
            if (!(verb instanceof String v) || !Set.of("Add", "Replace", "Delete", "Exec").contains(v)) {
                throw new ValidationException(key + ".verb", key + ".verb is one of Add, Replace, Delete, Exec (an Atomic cannot hold a Get)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) c;
            String uri = uri(m.get("uri"), key + ".uri");
            out.add(v.equals("Delete") ? new Op(v, uri, null, null, null, List.of())
                    : new Op(v, uri, format(m, "format", key + ".format", "chr"), "text/plain", data(m.get("data"), key + ".data", !v.equals("Exec")),
                            List.of()));
        }
        return out;
    }

    /** Policy CSP DeviceLock: a password is required (DevicePasswordEnabled 0 means enabled) with these rules. */
    private static List<Op> passcode(Map<String, Object> payload) {
        List<Op> ops = new ArrayList<>();
        ops.add(Op.set("Replace", DEVICE_LOCK + "DevicePasswordEnabled", "int", "0"));
        ops.add(Op.set("Replace", DEVICE_LOCK + "MinDevicePasswordLength", "int", Integer.toString(integer(payload, "minLength", 4, 16, 6))));
        Object complexity = payload.getOrDefault("complexity", "any");
        String alnum = switch (String.valueOf(complexity)) {
            case "alphanumeric" -> "0";
            case "numeric" -> "1";
            case "any" -> "2";
            default -> throw new ValidationException("complexity", "complexity is alphanumeric, numeric or any");
        };
        ops.add(Op.set("Replace", DEVICE_LOCK + "AlphanumericDevicePasswordRequired", "int", alnum));
        optionalInt(ops, payload, "maxInactivityMinutes", 1, 999, "MaxInactivityTimeDeviceLock");
        optionalInt(ops, payload, "expirationDays", 0, 730, "DevicePasswordExpiration");
        optionalInt(ops, payload, "history", 0, 50, "DevicePasswordHistory");
        optionalInt(ops, payload, "maxFailedAttempts", 0, 999, "MaxDevicePasswordFailedAttempts");
        known(payload, Set.of("minLength", "complexity", "maxInactivityMinutes", "expirationDays", "history", "maxFailedAttempts"));
        return ops;
    }

    private static void optionalInt(List<Op> ops, Map<String, Object> payload, String key, int min, int max, String node) {
        if (payload.containsKey(key)) {
            ops.add(Op.set("Replace", DEVICE_LOCK + node, "int", Integer.toString(integer(payload, key, min, max, null))));
        }
    }

    private static List<Op> restrictions(Map<String, Object> payload) {
        if (payload.isEmpty()) {
            throw new ValidationException("payload", "payload: name at least one of " + RESTRICTIONS.keySet().stream().sorted().toList()
                    + " as true (allowed) or false (not allowed)");
        }
        List<Op> ops = new ArrayList<>();
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(payload).entrySet()) {
            Restriction r = RESTRICTIONS.get(e.getKey());
            if (r == null) {
                throw new ValidationException(e.getKey(), "unknown restriction " + e.getKey() + "; known: "
                        + RESTRICTIONS.keySet().stream().sorted().toList());
            }
            if (!(e.getValue() instanceof Boolean allowed)) {
                throw new ValidationException(e.getKey(), e.getKey() + " is true (allowed) or false (not allowed)");
            }
            ops.add(Op.set("Replace", "./Device/Vendor/MSFT/Policy/Config/" + r.node(), "int", allowed ? r.allowed() : r.blocked()));
        }
        return ops;
    }

    /** WiFi CSP: a WLAN profile (Windows' WLANProfile schema) built from the SSID and security, or the admin's own. */
    private static List<Op> wifi(Map<String, Object> payload) {
        String ssid = string(payload, "ssid", true, 32);
        String xml;
        if (payload.containsKey("profileXml")) {
            xml = data(payload.get("profileXml"), "profileXml", true);
            try {
                SafeXml.parse(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (SafeXml.Malformed e) {
                throw new ValidationException("profileXml", "profileXml is not well-formed XML: " + e.getMessage());
            }
        } else {
            String security = String.valueOf(payload.getOrDefault("security", "WPA2PSK"));
            String auth = switch (security) {
                case "open" -> "open";
                case "WPA2PSK" -> "WPA2PSK";
                case "WPA3SAE" -> "WPA3SAE";
                default -> throw new ValidationException("security", "security is open, WPA2PSK or WPA3SAE");
            };
            String key = null;
            if (!auth.equals("open")) {
                key = string(payload, "passphrase", true, 63);
                if (key.length() < 8) {
                    throw new ValidationException("passphrase", "a WPA passphrase has 8 to 63 characters");
                }
            }
            String e = SafeXml.escape(ssid);
            xml = "<WLANProfile xmlns=\"http://www.microsoft.com/networking/WLAN/profile/v1\"><name>" + e + "</name><SSIDConfig><SSID><name>" + e
                    + "</name></SSID><nonBroadcast>" + bool(payload, "hidden", false) + "</nonBroadcast></SSIDConfig>"
                    + "<connectionType>ESS</connectionType><connectionMode>" + (bool(payload, "autoConnect", true) ? "auto" : "manual")
                    + "</connectionMode><MSM><security><authEncryption><authentication>" + auth + "</authentication><encryption>"
                    + (auth.equals("open") ? "none" : "AES") + "</encryption><useOneX>false</useOneX></authEncryption>"
                    + (key == null ? "" : "<sharedKey><keyType>passPhrase</keyType><protected>false</protected><keyMaterial>" + SafeXml.escape(key)
                            + "</keyMaterial></sharedKey>")
                    + "</security></MSM></WLANProfile>";
        }
        return List.of(Op.set("Add", "./Device/Vendor/MSFT/WiFi/Profile/" + segment(ssid) + "/WlanXml", "chr", xml));
    }

    /** VPNv2 CSP native profile. */
    private static List<Op> vpn(Map<String, Object> payload) {
        String name = string(payload, "name", true, 64);
        String base = "./Device/Vendor/MSFT/VPNv2/" + segment(name);
        List<?> servers = list(payload, "servers");
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            if (!(servers.get(i) instanceof String s) || s.isBlank() || s.length() > 255 || s.contains(",") || s.contains(";")) {
                throw new ValidationException("servers[" + i + "]", "servers[" + i + "] is a host name or address");
            }
            hosts.add(s.strip());
        }
        // the VPNv2 CSP's own spellings
        String protocol = oneOf(payload, "protocol", "Automatic", "Automatic", "IKEv2", "L2TP", "PPTP", "SSTP");
        String method = oneOf(payload, "authentication", "MSChapv2", "MSChapv2", "EAP", "Certificate");
        String eap = null;
        if (method.equals("EAP")) {
            // EAP needs its EapHostConfig XML (Authentication/Eap/Configuration): Windows cannot connect without it
            eap = data(payload.get("eapConfiguration"), "eapConfiguration", true);
            try {
                SafeXml.parse(eap.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (SafeXml.Malformed e) {
                throw new ValidationException("eapConfiguration", "eapConfiguration is not well-formed XML: " + e.getMessage());
            }
        }
        String routing = oneOf(payload, "routing", "SplitTunnel", "SplitTunnel", "ForceTunnel");
        List<Op> ops = new ArrayList<>();
        ops.add(Op.set("Add", base + "/NativeProfile/Servers", "chr", String.join(",", hosts)));
        ops.add(Op.set("Add", base + "/NativeProfile/NativeProtocolType", "chr", protocol));
        ops.add(Op.set("Add", base + "/NativeProfile/Authentication/" + (method.equals("Certificate") ? "MachineMethod" : "UserMethod"), "chr",
                method.equals("Certificate") ? "Certificate" : method));
        if (eap != null) {
            ops.add(Op.set("Add", base + "/NativeProfile/Authentication/Eap/Configuration", "chr", eap));
        }
        ops.add(Op.set("Add", base + "/NativeProfile/RoutingPolicyType", "chr", routing));
        ops.add(Op.set("Add", base + "/AlwaysOn", "bool", Boolean.toString(bool(payload, "alwaysOn", false))));
        return ops;
    }

    /** EnterpriseDesktopAppManagement: the MSI's node, then the download-and-install job (MsiInstallJob). */
    private static List<Op> msi(Map<String, Object> payload) {
        String product = string(payload, "productId", true, 38);
        if (!GUID.matcher(product).matches()) {
            throw new ValidationException("productId", "productId is the MSI's ProductCode, a GUID");
        }
        String guid = "{" + product.replace("{", "").replace("}", "").toUpperCase(Locale.ROOT) + "}";
        String url = string(payload, "url", true, 2048);
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw new ValidationException("url", "url is where the PC downloads the MSI (http or https)");
        }
        String hash = string(payload, "sha256", true, 64);
        if (!SHA256.matcher(hash).matches()) {
            throw new ValidationException("sha256", "sha256 is the MSI file's SHA-256, 64 hex digits");
        }
        String version = payload.containsKey("version") ? string(payload, "version", true, 32) : "1.0.0.0";
        String commandLine = payload.containsKey("commandLine") ? string(payload, "commandLine", true, 1024) : "/quiet";
        String node = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/" + segment(guid) + "/DownloadInstall";
        String job = "<MsiInstallJob id=\"" + guid + "\"><Product Version=\"" + SafeXml.escape(version) + "\"><Download><ContentURLList><ContentURL>"
                + SafeXml.escape(url) + "</ContentURL></ContentURLList></Download><Validation><FileHash>" + hash.toUpperCase(Locale.ROOT)
                + "</FileHash></Validation><Enforcement><CommandLine>" + SafeXml.escape(commandLine) + "</CommandLine><TimeOut>10</TimeOut>"
                + "<RetryCount>3</RetryCount><RetryInterval>5</RetryInterval></Enforcement></Product></MsiInstallJob>";
        return List.of(new Op("Add", node, null, null, null, List.of()), Op.set("Exec", node, "xml", job));
    }

    /** One path segment of an OMA-URI: percent-encoded as the CSPs expect (an SSID or profile name may hold spaces or slashes). */
    static String segment(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (Character.isLetterOrDigit(c) && c < 0x80 || "-_.~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    static String uri(Object value, String key) {
        if (!(value instanceof String uri) || !uri.startsWith("./") || uri.length() > 1024 || uri.contains("..")
                || uri.chars().anyMatch(c -> c <= 0x20 || c == 0x7F)) {
            throw new ValidationException(key, key + " must be an OMA-URI starting with ./ (no spaces, at most 1024 characters)");
        }
        return uri;
    }

    private static List<String> uris(Map<String, Object> payload, String key) {
        List<?> values = list(payload, key);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            out.add(uri(values.get(i), key + "[" + i + "]"));
        }
        return out;
    }

    private static List<?> list(Map<String, Object> payload, String key) {
        if (!(payload.get(key) instanceof List<?> list) || list.isEmpty() || list.size() > 200) {
            throw new ValidationException(key, key + " is a list of 1 to 200 entries");
        }
        return list;
    }

    private static String data(Object value, String key, boolean required) {
        if (value == null && !required) {
            return "";
        }
        String text = value instanceof String s ? s : value instanceof Number || value instanceof Boolean ? String.valueOf(value) : null;
        if (text == null || text.length() > MAX_DATA) {
            throw new ValidationException(key, key + " is text (or a number or boolean) of at most " + MAX_DATA + " characters");
        }
        return text;
    }

    private static String format(Map<String, Object> m, String key, String name, String fallback) {
        Object f = m.getOrDefault(key, fallback);
        if (!(f instanceof String s) || !FORMATS.contains(s)) {
            throw new ValidationException(name, name + " is one of " + FORMATS.stream().sorted().toList());
        }
        return s;
    }

    private static String string(Map<String, Object> payload, String key, boolean required, int max) {
        Object v = payload.get(key);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof String s) || s.isBlank() || s.length() > max || s.chars().anyMatch(c -> c < 0x20)) {
            throw new ValidationException(key, key + " is required: text of at most " + max + " characters");
        }
        return s;
    }

    private static int integer(Map<String, Object> payload, String key, int min, int max, Integer fallback) {
        Object v = payload.get(key);
        if (v == null && fallback != null) {
            return fallback;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min || n.longValue() > max) {
            throw new ValidationException(key, key + " is a whole number from " + min + " to " + max);
        }
        return n.intValue();
    }

    private static boolean bool(Map<String, Object> payload, String key, boolean fallback) {
        Object v = payload.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new ValidationException(key, key + " is true or false");
        }
        return b;
    }

    private static String oneOf(Map<String, Object> payload, String key, String fallback, String... allowed) {
        Object v = payload.getOrDefault(key, fallback);
        for (String a : allowed) {
            if (a.equals(v)) {
                return a;
            }
        }
        throw new ValidationException(key, key + " is one of " + String.join(", ", allowed));
    }

    private static void known(Map<String, Object> payload, Set<String> keys) {
        for (String k : payload.keySet()) {
            if (!keys.contains(k)) {
                throw new ValidationException(k, "unknown key " + k + "; known: " + keys.stream().sorted().toList());
            }
        }
    }

    /** Inventory facts from the nodes a DeviceInformation read, under names an admin reads; the raw nodes stay beside them. */
    static Map<String, Object> inventoryFacts(Map<String, String> nodes) {
        Map<String, Object> facts = new LinkedHashMap<>();
        name(facts, "manufacturer", nodes.get("./DevInfo/Man"));
        name(facts, "model", nodes.get("./DevInfo/Mod"));
        name(facts, "osVersion", nodes.get("./DevDetail/SwV"));
        name(facts, "osPlatform", nodes.get("./DevDetail/Ext/Microsoft/OSPlatform"));
        name(facts, "deviceName", nodes.get("./DevDetail/Ext/Microsoft/DeviceName"));
        name(facts, "serialNumber", nodes.get("./DevDetail/Ext/Microsoft/SMBIOSSerialNumber"));
        name(facts, "processorArchitecture", nodes.get("./DevDetail/Ext/Microsoft/ProcessorArchitecture"));
        name(facts, "totalStorageMB", nodes.get("./DevDetail/Ext/Microsoft/TotalStorage"));
        name(facts, "totalRamMB", nodes.get("./DevDetail/Ext/Microsoft/TotalRAM"));
        name(facts, "edition", nodes.get("./Vendor/MSFT/DeviceStatus/OS/Edition"));
        name(facts, "tpmVersion", nodes.get("./Vendor/MSFT/DeviceStatus/TPM/SpecificationVersion"));
        String encryption = nodes.get("./Vendor/MSFT/DeviceStatus/Compliance/EncryptionCompliance");
        if (encryption != null) {
            facts.put("encrypted", "1".equals(encryption.strip()));
        }
        // DeviceStatus CSP: 0 is "on and monitoring" for the firewall and antivirus
        state(facts, "firewall", nodes.get("./Vendor/MSFT/DeviceStatus/Firewall/Status"),
                List.of("on", "disabled", "not monitoring", "temporarily not monitoring", "not applicable"));
        state(facts, "antivirus", nodes.get("./Vendor/MSFT/DeviceStatus/Antivirus/Status"),
                List.of("on", "disabled", "not monitoring", "temporarily not monitoring", "not applicable"));
        // SignatureStatus: 0 is "not the most recent", 1 "the most recent"
        state(facts, "antivirusSignatures", nodes.get("./Vendor/MSFT/DeviceStatus/Antivirus/SignatureStatus"), List.of("out of date", "up to date"));
        name(facts, "batteryPercent", nodes.get("./Vendor/MSFT/DeviceStatus/Battery/EstimatedChargeRemaining"));
        facts.put("nodes", new LinkedHashMap<>(nodes));
        return facts;
    }

    private static void name(Map<String, Object> facts, String key, String value) {
        if (value != null && !value.isBlank()) {
            facts.put(key, value.strip());
        }
    }

    private static void state(Map<String, Object> facts, String key, String value, List<String> names) {
        if (value == null) {
            return;
        }
        long code = Syncml.number(value.strip());
        facts.put(key, code >= 0 && code < names.size() ? names.get((int) code) : value.strip());
    }
}
