package io.mooring.testkit;

import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_APP_INSTALLATION;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_DEVICE_ERASE;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_INSPECTION;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_INSTALLATION_REMOVAL;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_PASSCODE_REMOVAL_AND_LOCK;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_QUERY_APPLICATIONS;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_QUERY_DEVICE_INFORMATION;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_QUERY_NETWORK_INFORMATION;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_QUERY_SECURITY;
import static io.mooring.testkit.AppleEnrollmentProfile.ALLOW_SETTINGS;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.mooring.testkit.AppleDevice.Hardware;
import io.mooring.testkit.AppleDevice.Kind;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * What a simulated Apple device holds (profiles, apps, lock and lost-mode state) and how it answers each
 * command: the keys of Apple's schema ({@code responsekeys} in mdm/commands/*.yaml), and the refusals of a
 * real device, with the error domains and codes of Apple's MDM protocol reference ("Error Codes"). Called
 * under the device's session lock; synchronized so tests can read the state from other threads.
 */
final class AppleCommands {
    static final String MDM_DOMAIN = "MCMDMErrorDomain";
    static final String PROFILE_DOMAIN = "MCProfileErrorDomain";
    static final String INSTALLATION_DOMAIN = "MCInstallationErrorDomain";
    static final String PASSCODE_DOMAIN = "MCPasscodeErrorDomain";
    static final String SETTINGS_DOMAIN = "MCSettingsErrorDomain";
    static final String SUPERVISION_DOMAIN = "MCChaperoneErrorDomain";

    /**
     * Where a request type runs, whether it needs supervision, and the access right it needs, per platform
     * (the {@code supportedOS} of each command's schema); a right of 0 needs none.
     */
    record Rule(boolean ios, boolean mac, boolean iosSupervised, boolean macSupervised, long iosRight, long macRight) {
        boolean supportedOn(Kind kind) {
            return kind.isMac() ? mac : ios;
        }

        boolean supervisedOn(Kind kind) {
            return kind.isMac() ? macSupervised : iosSupervised;
        }

        long rightOn(Kind kind) {
            return kind.isMac() ? macRight : iosRight;
        }
    }

    private static Rule both(long right) {
        return new Rule(true, true, false, false, right, right);
    }

    /** The request types a simulated device executes; any other is answered as an invalid request type. */
    static final Map<String, Rule> RULES = Map.ofEntries(
            Map.entry("DeviceInformation", both(0)),
            Map.entry("SecurityInfo", both(ALLOW_QUERY_SECURITY)),
            Map.entry("InstalledApplicationList", both(ALLOW_QUERY_APPLICATIONS)),
            Map.entry("CertificateList", both(ALLOW_INSPECTION)),
            Map.entry("ProfileList", both(ALLOW_INSPECTION)),
            Map.entry("InstallProfile", both(ALLOW_INSTALLATION_REMOVAL)),
            Map.entry("RemoveProfile", both(ALLOW_INSTALLATION_REMOVAL)),
            Map.entry("DeviceLock", both(ALLOW_PASSCODE_REMOVAL_AND_LOCK)),
            Map.entry("ClearPasscode", new Rule(true, false, false, false, ALLOW_PASSCODE_REMOVAL_AND_LOCK, 0)),
            Map.entry("RestartDevice", new Rule(true, true, true, false, ALLOW_PASSCODE_REMOVAL_AND_LOCK, ALLOW_PASSCODE_REMOVAL_AND_LOCK)),
            Map.entry("ShutDownDevice", new Rule(true, true, true, false, ALLOW_PASSCODE_REMOVAL_AND_LOCK, ALLOW_PASSCODE_REMOVAL_AND_LOCK)),
            Map.entry("ScheduleOSUpdate", new Rule(true, true, true, true, ALLOW_APP_INSTALLATION, 0)),
            Map.entry("Settings", both(ALLOW_SETTINGS)),
            Map.entry("InstallApplication", both(ALLOW_APP_INSTALLATION)),
            Map.entry("RemoveApplication", both(ALLOW_APP_INSTALLATION)),
            Map.entry("EnableLostMode", new Rule(true, false, true, false, 0, 0)),
            Map.entry("DisableLostMode", new Rule(true, false, true, false, 0, 0)),
            Map.entry("DeviceLocation", new Rule(true, false, true, false, 0, 0)),
            Map.entry("PlayLostModeSound", new Rule(true, false, true, false, 0, 0)),
            Map.entry("EraseDevice", both(ALLOW_DEVICE_ERASE)));

    /** DeviceInformation queries answered whatever the access rights. */
    private static final Set<String> FREE_QUERIES = Set.of("UDID", "ProvisioningUDID", "OrganizationInfo", "MDMOptions", "AwaitingConfiguration",
            "SoftwareUpdateDeviceID", "LastCloudBackupDate", "SoftwareUpdateSettings", "AccessibilitySettings", "DevicePropertiesAttestation");

    /** DeviceInformation queries that need "Allow query of Network Information" (32); the others need 16. */
    private static final Set<String> NETWORK_QUERIES = Set.of("ICCID", "BluetoothMAC", "WiFiMAC", "EthernetMAC", "CurrentCarrierNetwork",
            "SIMCarrierNetwork", "SubscriberCarrierNetwork", "CarrierSettingsVersion", "PhoneNumber", "DataRoamingEnabled",
            "VoiceRoamingEnabled", "PersonalHotspotEnabled", "IsNetworkTethered", "IsRoaming", "SIMMCC", "SIMMNC", "SubscriberMCC",
            "SubscriberMNC", "CurrentMCC", "CurrentMNC", "ServiceSubscriptions");

    /** What the device knows besides its own contents when it answers. */
    record Context(X509Certificate identity, AppleEnrollmentProfile profile, byte[] pushToken, byte[] unlockToken, HttpClient http,
            Duration timeout) {
    }

    /** The result plist to send, and whether the device wipes itself once it is sent. */
    record Answer(Map<String, Object> result, boolean erase) {
    }

    private record Profile(String identifier, String uuid, String displayName, String organization, long version, boolean managed,
            List<Map<String, Object>> payloads, X509Certificate signer) {
    }

    private record App(String identifier, String name, String shortVersion, String version, long bundleSize, boolean managed) {
    }

    /** A command refused: its status (Error or CommandFormatError) and, for an Error, the top of the error chain. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final String status;
        final String domain;
        final int code;

        Refusal(String status, String domain, int code, String description) {
            super(description, null, false, false);
            this.status = status;
            this.domain = domain;
            this.code = code;
        }

        static Refusal error(String domain, int code, String description) {
            return new Refusal("Error", domain, code, description);
        }

        static Refusal format(String description) {
            return new Refusal("CommandFormatError", null, 0, description);
        }
    }

    private final Hardware hardware;
    private final String originalName;
    private final double latitude;
    private final double longitude;

    private String deviceName;
    private String hostName;
    private boolean supervised;
    private int busy;
    private boolean locked;
    private boolean lostMode;
    private boolean passcodePresent = true;
    private Map<String, Object> organizationInfo;
    private Map<String, Object> mdmOptions;
    private final Map<String, Profile> profiles = new LinkedHashMap<>();
    private final Map<String, App> apps = new LinkedHashMap<>();

    AppleCommands(Hardware hardware, String deviceName) {
        this.hardware = hardware;
        this.originalName = deviceName;
        this.deviceName = deviceName;
        // somewhere in Zurich, different for each device
        this.latitude = 47.37 + (hardware.udid().hashCode() % 1000) / 100_000.0;
        this.longitude = 8.54 + (hardware.serialNumber().hashCode() % 1000) / 100_000.0;
        installBuiltInApps();
    }

    // ---------------------------------------------------------------- state

    synchronized void busy(int times) {
        if (times < 0) {
            throw new IllegalArgumentException("busy times must not be negative, got " + times);
        }
        busy = times;
    }

    synchronized void supervised(boolean value) {
        supervised = value;
    }

    synchronized boolean isSupervised() {
        return supervised;
    }

    synchronized boolean isLocked() {
        return locked;
    }

    synchronized boolean isInLostMode() {
        return lostMode;
    }

    synchronized String deviceName() {
        return deviceName;
    }

    synchronized List<String> profileIdentifiers() {
        return List.copyOf(profiles.keySet());
    }

    synchronized List<String> appIdentifiers() {
        return List.copyOf(apps.keySet());
    }

    /** The enrollment profile is installed: it shows in ProfileList, installed by the user, not by MDM. */
    synchronized void enrolled(AppleEnrollmentProfile profile) {
        List<Map<String, Object>> payloads = new ArrayList<>();
        if (profile.plist().get("PayloadContent") instanceof List<?> content) {
            for (Object payload : content) {
                if (payload instanceof Map<?, ?> dictionary) {
                    payloads.add(payloadSummary(dictionary));
                }
            }
        }
        profiles.put(profile.identifier(), new Profile(profile.identifier(), profile.uuid(), profile.displayName(),
                profile.plist().get("PayloadOrganization") instanceof String org ? org : null, version(profile.plist()), false, payloads,
                profile.signer()));
    }

    /** The MDM profile is gone: so is everything MDM installed. */
    synchronized void unenrolled() {
        profiles.clear();
        apps.values().removeIf(App::managed);
        lostMode = false;
    }

    /** Erased: back to how the device left the factory. */
    synchronized void erased() {
        profiles.clear();
        apps.clear();
        installBuiltInApps();
        deviceName = originalName;
        hostName = null;
        organizationInfo = null;
        mdmOptions = null;
        locked = false;
        lostMode = false;
        passcodePresent = false;
        busy = 0;
    }

    // ---------------------------------------------------------------- answers

    synchronized Answer answer(Map<String, Object> plist, Context context) {
        String uuid = plist.get("CommandUUID") instanceof String s ? s : null;
        Map<String, Object> command = plist.get("Command") instanceof Map<?, ?> m ? cast(m) : null;
        String type = command != null && command.get("RequestType") instanceof String t ? t : null;
        if (uuid == null || type == null) {
            return new Answer(result(uuid, type, "CommandFormatError", Map.of()), false);
        }
        if (busy > 0) {
            busy--;
            return new Answer(result(uuid, type, "NotNow", Map.of()), false);
        }
        try {
            Rule rule = RULES.get(type);
            if (rule == null || !rule.supportedOn(hardware.kind())) {
                throw Refusal.error(MDM_DOMAIN, 12021, "The MDM request “" + type + "” is not supported on this device.");
            }
            long right = rule.rightOn(hardware.kind());
            if (right != 0 && context.profile() != null && (context.profile().mdm().accessRights() & right) == 0) {
                throw Refusal.error(MDM_DOMAIN, 12007, "The MDM server is not authorized to perform “" + type + "”.");
            }
            if (rule.supervisedOn(hardware.kind()) && !supervised) {
                throw Refusal.error(SUPERVISION_DOMAIN, 29000, "The device is not supervised.");
            }
            Map<String, Object> keys = execute(type, command, context);
            return new Answer(result(uuid, type, "Acknowledged", keys), "EraseDevice".equals(type));
        } catch (Refusal refusal) {
            Map<String, Object> keys = refusal.domain == null ? Map.of() : Map.of("ErrorChain", List.of(error(refusal)));
            return new Answer(result(uuid, type, refusal.status, keys), false);
        }
    }

    private Map<String, Object> execute(String type, Map<String, Object> command, Context context) throws Refusal {
        return switch (type) {
            case "DeviceInformation" -> deviceInformation(command, context);
            case "SecurityInfo" -> Map.of("SecurityInfo", securityInfo());
            case "InstalledApplicationList" -> installedApplicationList(command);
            case "CertificateList" -> Map.of("CertificateList", certificateList(context));
            case "ProfileList" -> Map.of("ProfileList", profileList());
            case "InstallProfile" -> installProfile(command);
            case "RemoveProfile" -> removeProfile(command);
            case "DeviceLock" -> deviceLock(command);
            case "ClearPasscode" -> clearPasscode(command, context);
            case "RestartDevice", "ShutDownDevice", "PlayLostModeSound" -> {
                if ("PlayLostModeSound".equals(type)) {
                    requireLostMode();
                }
                yield Map.of();
            }
            case "ScheduleOSUpdate" -> scheduleOsUpdate(command);
            case "Settings" -> settings(command);
            case "InstallApplication" -> installApplication(command, context);
            case "RemoveApplication" -> removeApplication(command);
            case "EnableLostMode" -> enableLostMode(command);
            case "DisableLostMode" -> {
                requireLostMode();
                lostMode = false;
                yield Map.of();
            }
            case "DeviceLocation" -> deviceLocation();
            case "EraseDevice" -> {
                pin(command);
                yield Map.of();
            }
            default -> throw new IllegalStateException("a rule without a handler: " + type);
        };
    }

    private Map<String, Object> deviceInformation(Map<String, Object> command, Context context) throws Refusal {
        if (!(command.get("Queries") instanceof List<?> queries)) {
            throw Refusal.format("Queries is not an array");
        }
        Map<String, Object> known = knownInformation(context);
        long rights = context.profile() == null ? -1 : context.profile().mdm().accessRights();
        Map<String, Object> answers = new LinkedHashMap<>();
        for (Object query : queries) {
            if (query instanceof String key && known.containsKey(key)) {
                long needed = queryRight(key);
                if ((rights & needed) == needed) {
                    answers.put(key, known.get(key));
                }
            }
        }
        return Map.of("QueryResponses", answers);
    }

    /** The access right a DeviceInformation query needs (the accessrights of each query in Apple's schema). */
    static long queryRight(String query) {
        if (FREE_QUERIES.contains(query)) {
            return 0;
        }
        if (NETWORK_QUERIES.contains(query)) {
            return ALLOW_QUERY_NETWORK_INFORMATION;
        }
        return query.startsWith("iTunesStore") ? ALLOW_APP_INSTALLATION : ALLOW_QUERY_DEVICE_INFORMATION;
    }

    /** Every DeviceInformation query this device answers, with its value (mdm/commands/information.device.yaml). */
    private Map<String, Object> knownInformation(Context context) {
        Kind kind = hardware.kind();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("UDID", hardware.udid());
        info.put("DeviceName", deviceName);
        info.put("OSVersion", kind.osVersion());
        info.put("BuildVersion", kind.buildVersion());
        info.put("SupplementalBuildVersion", kind.buildVersion());
        info.put("ModelName", kind.modelName());
        info.put("Model", kind.model());
        info.put("ModelNumber", kind.modelNumber());
        info.put("ProductName", kind.productName());
        info.put("SerialNumber", hardware.serialNumber());
        info.put("DeviceCapacity", (double) kind.capacityGb());
        info.put("AvailableDeviceCapacity", hardware.availableCapacityGb());
        info.put("IsSupervised", supervised);
        info.put("IsActivationLockEnabled", false);
        info.put("AwaitingConfiguration", false);
        info.put("iTunesStoreAccountIsActive", false);
        info.put("WiFiMAC", hardware.wifiMac());
        info.put("BluetoothMAC", hardware.bluetoothMac());
        info.put("SoftwareUpdateDeviceID", switch (kind) {
            case IPHONE -> "D73AP";
            case IPAD -> "J307AP";
            case MAC -> "J473AP";
        });
        if (context.pushToken() != null) {
            info.put("PushToken", context.pushToken());
        }
        if (organizationInfo != null) {
            info.put("OrganizationInfo", organizationInfo);
        }
        if (mdmOptions != null) {
            info.put("MDMOptions", mdmOptions);
        }
        if (kind.isMac()) {
            info.put("ProvisioningUDID", hardware.provisioningUdid());
            info.put("IsAppleSilicon", true);
            info.put("HasBattery", false);
            info.put("IsActivationLockSupported", true);
            info.put("SupportsLOMDevice", false);
            info.put("LocalHostName", localHostName());
            info.put("HostName", hostName != null ? hostName : localHostName() + ".local");
            info.put("SystemIntegrityProtectionEnabled", true);
            info.put("EthernetMAC", hardware.ethernetMac());
            info.put("PINRequiredForEraseDevice", false);
            info.put("PINRequiredForDeviceLock", false);
            info.put("SupportsiOSAppInstalls", true);
            return info;
        }
        info.put("BatteryLevel", hardware.batteryLevel());
        info.put("IsMultiUser", false);
        info.put("IsDeviceLocatorServiceEnabled", true);
        info.put("IsDoNotDisturbInEffect", false);
        info.put("IsCloudBackupEnabled", false);
        info.put("IsMDMLostModeEnabled", lostMode);
        info.put("EASDeviceIdentifier", UUID.nameUUIDFromBytes(hardware.udid().getBytes(StandardCharsets.UTF_8)).toString()
                .replace("-", "").toUpperCase(Locale.ROOT));
        info.put("DiagnosticSubmissionEnabled", false);
        info.put("AppAnalyticsEnabled", false);
        info.put("TimeZone", "Europe/Zurich");
        info.put("CellularTechnology", kind.hasCellular() ? 3 : 0);
        if (kind.hasCellular()) {
            info.put("IMEI", hardware.imei());
            info.put("MEID", hardware.meid());
            info.put("ModemFirmwareVersion", "1.60.02");
            info.put("ICCID", hardware.iccid());
            info.put("CurrentCarrierNetwork", "Swisscom");
            info.put("SIMCarrierNetwork", "Swisscom");
            info.put("CarrierSettingsVersion", "56.0");
            info.put("DataRoamingEnabled", false);
            info.put("VoiceRoamingEnabled", true);
            info.put("PersonalHotspotEnabled", false);
            info.put("IsNetworkTethered", false);
            info.put("IsRoaming", false);
            info.put("SIMMCC", "228");
            info.put("SIMMNC", "01");
            info.put("CurrentMCC", "228");
            info.put("CurrentMNC", "01");
        }
        return info;
    }

    private String localHostName() {
        return deviceName.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /** mdm/commands/information.security.yaml: passcode keys on iOS, FileVault and boot security on macOS. */
    private Map<String, Object> securityInfo() {
        Map<String, Object> info = new LinkedHashMap<>();
        if (hardware.kind().isMac()) {
            info.put("FDE_Enabled", true);
            info.put("FDE_HasPersonalRecoveryKey", true);
            info.put("FDE_HasInstitutionalRecoveryKey", false);
            info.put("SystemIntegrityProtectionEnabled", true);
            info.put("FirewallSettings", Map.of("FirewallEnabled", true, "BlockAllIncoming", false, "StealthMode", false));
            info.put("ManagementStatus", Map.of("EnrolledViaDEP", false, "UserApprovedEnrollment", true, "IsUserEnrollment", false,
                    "IsActivationLockManageable", false));
            info.put("SecureBoot", Map.of("SecureBootLevel", "full", "ExternalBootLevel", "not supported"));
            info.put("RemoteDesktopEnabled", false);
            info.put("AuthenticatedRootVolumeEnabled", true);
            info.put("IsRecoveryLockEnabled", false);
            return info;
        }
        info.put("HardwareEncryptionCaps", 3);
        info.put("PasscodePresent", passcodePresent);
        info.put("PasscodeCompliant", true);
        info.put("PasscodeCompliantWithProfiles", true);
        info.put("PasscodeLockGracePeriodEnforced", 0);
        info.put("ManagementStatus", Map.of("IsUserEnrollment", false));
        return info;
    }

    private Map<String, Object> installedApplicationList(Map<String, Object> command) {
        List<?> only = command.get("Identifiers") instanceof List<?> list ? list : null;
        boolean managedOnly = Boolean.TRUE.equals(command.get("ManagedAppsOnly"));
        List<Map<String, Object>> list = new ArrayList<>();
        for (App app : apps.values()) {
            if (only != null && !only.contains(app.identifier()) || managedOnly && !app.managed()) {
                continue;
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("Identifier", app.identifier());
            item.put("Name", app.name());
            item.put("ShortVersion", app.shortVersion());
            item.put("Version", app.version());
            item.put("BundleSize", app.bundleSize());
            item.put("Installing", false);
            if (!hardware.kind().isMac()) {
                item.put("DynamicSize", app.bundleSize() / 10);
            }
            list.add(item);
        }
        return Map.of("InstalledApplicationList", list);
    }

    private List<Map<String, Object>> certificateList(Context context) throws Refusal {
        List<Map<String, Object>> list = new ArrayList<>();
        if (context.identity() != null) {
            list.add(certificate(context.identity(), true));
        }
        if (context.profile() != null) {
            for (X509Certificate anchor : context.profile().anchors()) {
                list.add(certificate(anchor, false));
            }
        }
        return list;
    }

    private static Map<String, Object> certificate(X509Certificate certificate, boolean identity) throws Refusal {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("CommonName", commonName(certificate));
        try {
            item.put("Data", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw Refusal.error(MDM_DOMAIN, 12010, "Internal inconsistency error.");
        }
        item.put("IsIdentity", identity);
        return item;
    }

    private static String commonName(X509Certificate certificate) {
        RDN[] names = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        return names.length == 0 ? certificate.getSubjectX500Principal().getName() : IETFUtils.valueToString(names[0].getFirst().getValue());
    }

    private List<Map<String, Object>> profileList() throws Refusal {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Profile profile : profiles.values()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("PayloadIdentifier", profile.identifier());
            item.put("PayloadUUID", profile.uuid());
            item.put("PayloadVersion", profile.version());
            if (profile.displayName() != null) {
                item.put("PayloadDisplayName", profile.displayName());
            }
            if (profile.organization() != null) {
                item.put("PayloadOrganization", profile.organization());
            }
            item.put("PayloadRemovalDisallowed", false);
            if (!hardware.kind().isMac()) {
                item.put("IsManaged", profile.managed());
            }
            if (profile.signer() != null) {
                try {
                    item.put("SignerCertificates", List.of(profile.signer().getEncoded()));
                } catch (CertificateEncodingException e) {
                    throw Refusal.error(MDM_DOMAIN, 12010, "Internal inconsistency error.");
                }
            }
            item.put("PayloadContent", profile.payloads());
            list.add(item);
        }
        return list;
    }

    private Map<String, Object> installProfile(Map<String, Object> command) throws Refusal {
        if (!(command.get("Payload") instanceof byte[] payload)) {
            throw Refusal.format("Payload is not data");
        }
        byte[] plistBytes = payload;
        X509Certificate signer = null;
        if (!looksLikePlist(payload)) {
            try {
                AppleSignatures.SignedContent signed = AppleSignatures.openSignedProfile(payload);
                plistBytes = signed.content();
                signer = signed.signer();
            } catch (SignatureException e) {
                throw Refusal.error(PROFILE_DOMAIN, 1000, "The profile is malformed.");
            }
        }
        Map<String, Object> profile;
        try {
            profile = ApplePlists.parse(plistBytes);
        } catch (IllegalArgumentException e) {
            throw Refusal.error(PROFILE_DOMAIN, 1000, "The profile is malformed.");
        }
        if (!(profile.get("PayloadIdentifier") instanceof String identifier)) {
            throw Refusal.error(PROFILE_DOMAIN, 1002, "The profile is missing the required field “PayloadIdentifier”.");
        }
        if (!(profile.get("PayloadUUID") instanceof String uuid)) {
            throw Refusal.error(PROFILE_DOMAIN, 1002, "The profile is missing the required field “PayloadUUID”.");
        }
        if (!"Configuration".equals(profile.get("PayloadType"))) {
            throw Refusal.error(PROFILE_DOMAIN, 1000, "The profile is malformed.");
        }
        List<Map<String, Object>> payloads = new ArrayList<>();
        if (profile.get("PayloadContent") instanceof List<?> content) {
            for (Object item : content) {
                if (!(item instanceof Map<?, ?> dictionary) || !(dictionary.get("PayloadType") instanceof String type)) {
                    throw Refusal.error(PROFILE_DOMAIN, 1000, "The profile is malformed.");
                }
                if (AppleEnrollmentProfile.MDM.equals(type)) {
                    throw Refusal.error(MDM_DOMAIN, 12001, "The device is already managed by an MDM server.");
                }
                payloads.add(payloadSummary(dictionary));
            }
        }
        Profile existing = profiles.get(identifier);
        if (existing != null && !existing.managed()) {
            throw Refusal.error(INSTALLATION_DOMAIN, 4012, "The profile “" + identifier + "” cannot be updated by the MDM server.");
        }
        profiles.put(identifier, new Profile(identifier, uuid, profile.get("PayloadDisplayName") instanceof String name ? name : null,
                profile.get("PayloadOrganization") instanceof String org ? org : null, version(profile), true, payloads, signer));
        return Map.of();
    }

    private Map<String, Object> removeProfile(Map<String, Object> command) throws Refusal {
        if (!(command.get("Identifier") instanceof String identifier)) {
            throw Refusal.format("Identifier is not a string");
        }
        Profile profile = profiles.get(identifier);
        if (profile == null) {
            throw Refusal.error(MDM_DOMAIN, 12075, "The profile “" + identifier + "” is not installed.");
        }
        if (!profile.managed()) {
            throw Refusal.error(MDM_DOMAIN, 12013, "The profile “" + identifier + "” is not managed by MDM.");
        }
        profiles.remove(identifier);
        return Map.of();
    }

    private Map<String, Object> deviceLock(Map<String, Object> command) throws Refusal {
        pin(command);
        locked = true;
        return Map.of();
    }

    /** macOS locks and erases behind a six-digit Find My PIN; iOS ignores the key. */
    private void pin(Map<String, Object> command) throws Refusal {
        if (hardware.kind().isMac() && command.get("PIN") != null
                && !(command.get("PIN") instanceof String pin && pin.matches("\\d{6}"))) {
            throw Refusal.format("PIN is not six digits");
        }
    }

    private Map<String, Object> clearPasscode(Map<String, Object> command, Context context) throws Refusal {
        if (!(command.get("UnlockToken") instanceof byte[] token)) {
            throw Refusal.format("UnlockToken is not data");
        }
        if (context.unlockToken() == null || !Arrays.equals(token, context.unlockToken())) {
            throw Refusal.error(PASSCODE_DOMAIN, 5013, "The passcode could not be cleared.");
        }
        passcodePresent = false;
        return Map.of();
    }

    /** mdm/commands/system.update.schedule.yaml; iOS offers Default, DownloadOnly and InstallASAP only. */
    private Map<String, Object> scheduleOsUpdate(Map<String, Object> command) throws Refusal {
        if (!(command.get("Updates") instanceof List<?> updates)) {
            throw Refusal.format("Updates is not an array");
        }
        Set<String> actions = hardware.kind().isMac()
                ? Set.of("Default", "DownloadOnly", "InstallASAP", "NotifyOnly", "InstallLater", "InstallForceRestart")
                : Set.of("Default", "DownloadOnly", "InstallASAP");
        List<Map<String, Object>> results = new ArrayList<>();
        for (Object update : updates) {
            if (!(update instanceof Map<?, ?> item) || !(item.get("InstallAction") instanceof String action)) {
                throw Refusal.format("an update has no InstallAction");
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("ProductKey", item.get("ProductKey") instanceof String key ? key
                    : hardware.kind().isMac() ? "MSU_UPDATE_23G80_patch_14.6" : "iOSUpdate21G80");
            if (actions.contains(action)) {
                result.put("InstallAction", "Default".equals(action) ? "InstallASAP" : action);
                result.put("Status", "Downloading");
            } else {
                result.put("InstallAction", "Error");
                result.put("Status", "Idle");
                result.put("ErrorChain", List.of(error(Refusal.error(MDM_DOMAIN, 12021, "The install action “" + action + "” is not supported."))));
            }
            results.add(result);
        }
        return Map.of("UpdateResults", results);
    }

    /**
     * Each item is applied or refused on its own, with a per-item status. Apple's schema types the
     * response's {@code Settings} as a dictionary; devices send an array of them, one per item.
     */
    private Map<String, Object> settings(Map<String, Object> command) throws Refusal {
        if (!(command.get("Settings") instanceof List<?> items)) {
            throw Refusal.format("Settings is not an array");
        }
        Set<String> known = hardware.kind().isMac()
                ? Set.of("DeviceName", "HostName", "OrganizationInfo", "MDMOptions", "Bluetooth", "ApplicationConfiguration")
                : Set.of("DeviceName", "OrganizationInfo", "MDMOptions", "Bluetooth", "DataRoaming", "VoiceRoaming", "PersonalHotspot",
                        "ApplicationConfiguration", "ApplicationAttributes", "TimeZone", "DiagnosticSubmission", "AppAnalytics",
                        "PasscodeLockGracePeriod", "SoftwareUpdateSettings", "AccessibilitySettings", "Wallpaper");
        List<Map<String, Object>> results = new ArrayList<>();
        for (Object entry : items) {
            if (!(entry instanceof Map<?, ?> item) || !(item.get("Item") instanceof String name)) {
                throw Refusal.format("a setting has no Item");
            }
            Map<String, Object> result = new LinkedHashMap<>();
            boolean cellularOnly = Set.of("DataRoaming", "VoiceRoaming", "PersonalHotspot").contains(name) && !hardware.kind().hasCellular();
            if (!known.contains(name) || cellularOnly) {
                result.put("Status", "Error");
                result.put("ErrorChain", List.of(error(Refusal.error(SETTINGS_DOMAIN, 28000, "Unknown setting “" + name + "”."))));
            } else {
                apply(name, item);
                result.put("Status", "Acknowledged");
            }
            if (item.get("Identifier") instanceof String identifier && !hardware.kind().isMac()) {
                result.put("Identifier", identifier);
            }
            results.add(result);
        }
        return Map.of("Settings", results);
    }

    private void apply(String name, Map<?, ?> item) {
        switch (name) {
            case "DeviceName" -> {
                if (item.get("DeviceName") instanceof String value) {
                    deviceName = value;
                }
            }
            case "HostName" -> {
                if (item.get("HostName") instanceof String value) {
                    hostName = value;
                }
            }
            case "OrganizationInfo" -> organizationInfo = item.get("OrganizationInfo") instanceof Map<?, ?> m ? cast(m) : null;
            case "MDMOptions" -> mdmOptions = item.get("MDMOptions") instanceof Map<?, ?> m ? cast(m) : null;
            default -> {
                // accepted; nothing MDM could read back changes
            }
        }
    }

    /**
     * An enterprise app (ManifestURL): the device reads the manifest to learn the app, and refuses one it
     * cannot read (12024). An App Store app by Identifier installs under that identifier.
     */
    private Map<String, Object> installApplication(Map<String, Object> command, Context context) throws Refusal {
        App app;
        if (command.get("ManifestURL") instanceof String manifestUrl) {
            app = fromManifest(manifestUrl, context);
        } else if (command.get("Identifier") instanceof String identifier) {
            String name = identifier.substring(identifier.lastIndexOf('.') + 1);
            app = new App(identifier, name, "1.0", "1", 25_000_000, true);
        } else if (command.get("iTunesStoreID") instanceof Number) {
            // the store resolves the identifier later; the device only queues the purchase
            return Map.of("State", "Queued");
        } else {
            throw Refusal.format("InstallApplication names no ManifestURL, Identifier or iTunesStoreID");
        }
        apps.put(app.identifier(), app);
        return Map.of("Identifier", app.identifier(), "State", "Queued");
    }

    private static App fromManifest(String manifestUrl, Context context) throws Refusal {
        Refusal unreadable = Refusal.error(MDM_DOMAIN, 12024, "Could not validate the app manifest at “" + manifestUrl + "”.");
        try {
            HttpResponse<byte[]> response = context.http().send(HttpRequest.newBuilder(URI.create(manifestUrl)).timeout(context.timeout())
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw unreadable;
            }
            Map<String, Object> manifest = ApplePlists.parse(response.body());
            if (!(manifest.get("items") instanceof List<?> items) || items.isEmpty() || !(items.get(0) instanceof Map<?, ?> first)
                    || !(first.get("metadata") instanceof Map<?, ?> metadata)
                    || !(metadata.get("bundle-identifier") instanceof String identifier)) {
                throw unreadable;
            }
            String version = metadata.get("bundle-version") instanceof String v ? v : "1.0";
            String title = metadata.get("title") instanceof String t ? t : identifier;
            return new App(identifier, title, version, version, 40_000_000, true);
        } catch (IOException | IllegalArgumentException e) {
            throw unreadable;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreadable;
        }
    }

    private Map<String, Object> removeApplication(Map<String, Object> command) throws Refusal {
        if (!(command.get("Identifier") instanceof String identifier)) {
            throw Refusal.format("Identifier is not a string");
        }
        App app = apps.get(identifier);
        if (app == null || !app.managed()) {
            throw Refusal.error(MDM_DOMAIN, 12029, "The app “" + identifier + "” is not managed.");
        }
        apps.remove(identifier);
        return Map.of();
    }

    /** Apple requires a Message or a PhoneNumber to show on the lock screen. */
    private Map<String, Object> enableLostMode(Map<String, Object> command) throws Refusal {
        if (!(command.get("Message") instanceof String) && !(command.get("PhoneNumber") instanceof String)) {
            throw Refusal.format("EnableLostMode needs a Message or a PhoneNumber");
        }
        lostMode = true;
        return Map.of();
    }

    private Map<String, Object> deviceLocation() throws Refusal {
        requireLostMode();
        Map<String, Object> location = new LinkedHashMap<>();
        location.put("Latitude", latitude);
        location.put("Longitude", longitude);
        location.put("HorizontalAccuracy", 35.0);
        location.put("VerticalAccuracy", 8.0);
        location.put("Altitude", 408.0);
        location.put("Speed", 0.0);
        location.put("Course", -1.0);
        location.put("Timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        return location;
    }

    private void requireLostMode() throws Refusal {
        if (!lostMode) {
            throw Refusal.error(MDM_DOMAIN, 12067, "The device is not in MDM Lost Mode.");
        }
    }

    private Map<String, Object> result(String uuid, String type, String status, Map<String, Object> keys) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (uuid != null) {
            result.put("CommandUUID", uuid);
        }
        result.put("Status", status);
        result.put("UDID", hardware.udid());
        // macOS names the request type in its results, as the captured DeviceInformation result shows
        if (hardware.kind().isMac() && type != null) {
            result.put("RequestType", type);
        }
        result.putAll(keys);
        return result;
    }

    private static Map<String, Object> error(Refusal refusal) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("ErrorCode", refusal.code);
        error.put("ErrorDomain", refusal.domain);
        error.put("LocalizedDescription", refusal.getMessage());
        error.put("USEnglishDescription", refusal.getMessage());
        return error;
    }

    private static Map<String, Object> payloadSummary(Map<?, ?> payload) {
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String key : List.of("PayloadType", "PayloadIdentifier", "PayloadUUID", "PayloadDisplayName", "PayloadDescription",
                "PayloadOrganization")) {
            if (payload.get(key) instanceof String value) {
                summary.put(key, value);
            }
        }
        summary.put("PayloadVersion", version(payload));
        return summary;
    }

    private static long version(Map<?, ?> plist) {
        return plist.get("PayloadVersion") instanceof Number n ? n.longValue() : 1;
    }

    private static boolean looksLikePlist(byte[] bytes) {
        int i = 0;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) {
            i++;
        }
        return i < bytes.length && bytes[i] == '<' || ApplePlists.isBinary(bytes);
    }

    private void installBuiltInApps() {
        if (hardware.kind().isMac()) {
            apps.put("com.apple.Safari", new App("com.apple.Safari", "Safari", "17.5", "19618.2.12.11.6", 13_400_000, false));
            apps.put("com.apple.iWork.Pages", new App("com.apple.iWork.Pages", "Pages", "14.0", "7029.0.102", 590_000_000, false));
        } else {
            apps.put("com.apple.Pages", new App("com.apple.Pages", "Pages", "14.0", "7029.0.102", 460_000_000, false));
            apps.put("com.apple.Keynote", new App("com.apple.Keynote", "Keynote", "14.0", "7029.0.102", 640_000_000, false));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
