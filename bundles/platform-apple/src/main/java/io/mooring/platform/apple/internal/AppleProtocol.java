package io.mooring.platform.apple.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;

import io.mooring.api.Actor;
import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandService;
import io.mooring.api.Completion;
import io.mooring.api.Device;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.DeviceState;
import io.mooring.api.InventoryService;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.PendingCommand;
import io.mooring.api.PushRegistration;
import io.mooring.api.pki.CertificateInventory;
import io.mooring.api.pki.Escrow;
import io.mooring.api.pki.IssuedCertificate;
import io.mooring.api.pki.CmsSigner.SignerIdentity;
import io.mooring.spi.pki.ClientCertificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apple's MDM check-in and command protocol, independent of the servlet API. Every message arrives with
 * the identity that signed it (its Mdm-Signature, or the TLS client certificate a trusted proxy passed
 * on); that identity is a certificate Mooring's CA issued through SCEP for exactly one device (its
 * subject's CN is the device id), and the first one a device shows is the only one it may use after.
 */
final class AppleProtocol {
    static final String ATTR_IDENTITY = "apple.identity-serial";
    static final String ATTR_UDID = "apple.udid";
    static final String ATTR_UNLOCK_TOKEN = "apple.unlock-token";
    static final String ATTR_AWAITING = "apple.awaiting-configuration";
    static final String ATTR_BOOTSTRAP = "apple.bootstrap-token";
    static final String ATTR_OS = "apple.os-family";
    static final String ATTR_SUPERVISED = "apple.supervised";
    static final String USER_PREFIX = "apple.user.";

    /** Check-in messages Mooring does not offer yet: Apple's protocol says to answer them 410 Gone. */
    static final Set<String> NOT_SUPPORTED = Set.of("UserAuthenticate", "DeclarativeManagement", "GetToken");

    private static final Logger LOG = LoggerFactory.getLogger(AppleProtocol.class);

    /** An answer: the HTTP status, and the plist body (null for none) or a text reason for a refusal. */
    record Answer(int status, byte[] plist, String reason) {
        static Answer ok() {
            return new Answer(200, null, null);
        }

        static Answer ok(NSObject body) {
            return new Answer(200, Plists.toXml(body), null);
        }

        static Answer refused(int status, String reason) {
            return new Answer(status, null, reason);
        }
    }

    private final DeviceRegistry devices;
    private final CommandService commands;
    private final InventoryService inventory;
    private final DeviceAttributes attributes;
    private final CertificateInventory certificates;
    private final Escrow escrow;
    private final CommandSchema schema;
    private final AppleCommands encoder;
    private final DeviceFit fit;
    private final Clock clock;
    /** Which device each identity's subject names, read once per identity. */
    private final ClientCertificates names = new ClientCertificates();

    AppleProtocol(DeviceRegistry devices, CommandService commands, InventoryService inventory, DeviceAttributes attributes,
            CertificateInventory certificates, Escrow escrow, CommandSchema schema, Clock clock) {
        this.escrow = escrow;
        this.devices = devices;
        this.commands = commands;
        this.inventory = inventory;
        this.attributes = attributes;
        this.certificates = certificates;
        this.schema = schema;
        this.encoder = new AppleCommands(schema);
        this.fit = new DeviceFit(schema, attributes);
        this.clock = clock;
    }

    /** The device a signer identity belongs to, or the refusal to send. */
    /** The device a message comes from and its Apple values, read once per request; or the refusal. */
    private record Authenticated(Device device, Map<String, byte[]> values, Answer refusal) {
        Authenticated(Answer refusal) {
            this(null, Map.of(), refusal);
        }
    }

    private Authenticated authenticate(SignerIdentity identity) {
        if (identity == null) {
            return new Authenticated(Answer.refused(401, "the message is not signed by a device identity"));
        }
        if (!identity.issuedByMooring()) {
            return new Authenticated(Answer.refused(401, "the signing certificate was not issued by Mooring's CA"));
        }
        DeviceId id = names.deviceNamedBy(identity.subject());
        // the device and everything this plugin keeps for it, in one read
        Optional<DeviceAttributes.Snapshot> snapshot = id == null ? Optional.empty() : attributes.snapshot(id, "apple.");
        Optional<Device> device = snapshot.map(DeviceAttributes.Snapshot::device);
        if (device.isEmpty() || !device.get().platform().equals(ApplePlatform.ID)) {
            return new Authenticated(Answer.refused(401, "the signing certificate belongs to no enrolled Apple device"));
        }
        if (device.get().state() != DeviceState.ENROLLED) {
            return new Authenticated(Answer.refused(401, "the device is no longer enrolled"));
        }
        Map<String, byte[]> values = snapshot.get().values();
        byte[] stored = values.get(ATTR_IDENTITY);
        String bound = stored == null ? null : new String(stored, java.nio.charset.StandardCharsets.UTF_8);
        if (bound == null) {
            if (!certificates.bindToDevice(identity.serial(), id)) {
                return new Authenticated(Answer.refused(401, "Mooring's CA has no record of the signing certificate"));
            }
            attributes.put(id, ATTR_IDENTITY, utf8(identity.serial()));
        } else if (!bound.equals(identity.serial())) {
            if (!renews(device.get(), bound, identity.serial())) {
                return new Authenticated(Answer.refused(401, "the device proves itself with another certificate"));
            }
            certificates.bindToDevice(identity.serial(), id);
            attributes.put(id, ATTR_IDENTITY, utf8(identity.serial()));
            certificates.revokeSuperseded(bound);
            LOG.info("Apple device {} proves itself with its renewed identity {}; {} is revoked", id, identity.serial(), bound);
        }
        return new Authenticated(device.get(), values, null);
    }

    /**
     * Whether the identity a device now shows renews the one it is bound to (SCEP RenewalReq, signed by the
     * old identity, or a re-installed enrollment profile): Mooring's CA issued it later, to the same device
     * of the same tenant, and has not revoked it. From then on the older identity is refused, as any older
     * one always is, and revoked.
     */
    private boolean renews(Device device, String boundSerial, String serial) {
        Optional<IssuedCertificate> old = certificates.find(boundSerial);
        Optional<IssuedCertificate> renewed = certificates.find(serial);
        return old.isPresent() && renewed.isPresent() && renewed.get().status() == IssuedCertificate.Status.VALID
                && renewed.get().tenant().equals(device.tenant()) && device.id().equals(names.deviceNamedBy(renewed.get().subject()))
                && renewed.get().issuedAt().isAfter(old.get().issuedAt());
    }

    // ---- check-in (CheckInURL) ----

    Answer checkIn(byte[] body, SignerIdentity identity) {
        NSDictionary message;
        try {
            message = Plists.parseDictionary(body);
        } catch (Plists.Malformed e) {
            return Answer.refused(400, e.getMessage());
        }
        String type = Plists.string(message, "MessageType");
        if (type == null) {
            return Answer.refused(400, "the check-in has no MessageType");
        }
        Authenticated who = authenticate(identity);
        if (who.refusal() != null) {
            return who.refusal();
        }
        Device device = who.device();
        String udid = Plists.string(message, "UDID");
        if (!"UserAuthenticate".equals(type) && udid == null && Plists.string(message, "EnrollmentID") == null) {
            return Answer.refused(400, "the check-in names no UDID");
        }
        Answer mismatch = checkUdid(who.values(), udid, "Authenticate".equals(type));
        if (mismatch != null) {
            return mismatch;
        }
        return switch (type) {
            case "Authenticate" -> authenticate(device, message);
            case "TokenUpdate" -> tokenUpdate(device, message);
            case "CheckOut" -> checkOut(device);
            case "SetBootstrapToken" -> setBootstrapToken(device, message);
            case "GetBootstrapToken" -> getBootstrapToken(device);
            default -> NOT_SUPPORTED.contains(type) ? Answer.refused(410, type + " is not supported by this server")
                    : Answer.refused(400, "unknown check-in message type " + type);
        };
    }

    /** The UDID a device shows must stay the one it authenticated with; Authenticate sets it the first time. */
    private static Answer checkUdid(Map<String, byte[]> values, String udid, boolean authenticating) {
        if (udid == null) {
            return null;
        }
        Optional<byte[]> known = Optional.ofNullable(values.get(ATTR_UDID));
        if (known.isEmpty()) {
            return authenticating ? null : Answer.refused(401, "the device has not authenticated yet");
        }
        return new String(known.get(), java.nio.charset.StandardCharsets.UTF_8).equals(udid) ? null
                : Answer.refused(401, "the UDID does not match the device this identity belongs to");
    }

    private Answer authenticate(Device device, NSDictionary m) {
        String udid = Plists.string(m, "UDID");
        attributes.put(device.id(), ATTR_UDID, utf8(udid));
        String product = Plists.string(m, "ProductName");
        String model = Plists.string(m, "Model");
        attributes.put(device.id(), ATTR_OS, utf8(AppleProducts.family(product != null ? product : model).name()));
        DeviceDescription summary = new DeviceDescription(Plists.string(m, "DeviceName"), product != null ? product : model,
                Plists.string(m, "OSVersion"), Plists.string(m, "SerialNumber"), udid);
        Map<String, Object> facts = new LinkedHashMap<>();
        for (String key : List.of("BuildVersion", "OSVersion", "ProductName", "Model", "ModelName", "SerialNumber", "DeviceName", "IMEI", "MEID")) {
            Object v = Plists.toJava(m.objectForKey(key));
            if (v != null) {
                facts.put(key, v);
            }
        }
        record(device, summary, Map.of("Authenticate", facts));
        LOG.info("Apple device {} ({}) authenticated", device.id(), product);
        return Answer.ok();
    }

    private Answer tokenUpdate(Device device, NSDictionary m) {
        byte[] token = Plists.data(m, "Token");
        String magic = Plists.string(m, "PushMagic");
        String topic = Plists.string(m, "Topic");
        if (token == null || magic == null || topic == null) {
            return Answer.refused(400, "TokenUpdate needs Token, PushMagic and Topic");
        }
        String user = Plists.string(m, "UserID");
        if (user != null) {
            // a user channel (macOS, Shared iPad): kept for per-user commands, never replaces the device's own push
            if (!user.matches("[A-Za-z0-9-]{1,64}")) {
                return Answer.refused(400, "UserID is not a user id");
            }
            attributes.put(device.id(), USER_PREFIX + user.toLowerCase(java.util.Locale.ROOT) + ".token",
                    utf8(HexFormat.of().formatHex(token) + " " + magic + " " + topic));
            return Answer.ok();
        }
        devices.updatePush(device.id(), new PushRegistration("apns", HexFormat.of().formatHex(token), topic, magic, true));
        byte[] unlock = Plists.data(m, "UnlockToken");
        if (unlock != null) {
            attributes.put(device.id(), ATTR_UNLOCK_TOKEN, unlock);
        }
        Boolean awaiting = Plists.bool(m, "AwaitingConfiguration");
        attributes.put(device.id(), ATTR_AWAITING, utf8(String.valueOf(Boolean.TRUE.equals(awaiting))));
        return Answer.ok();
    }

    private Answer checkOut(Device device) {
        devices.unenroll(device.tenant(), device.id(), Actor.device(device.id()));
        LOG.info("Apple device {} checked out (its MDM profile was removed)", device.id());
        return Answer.ok();
    }

    private Answer setBootstrapToken(Device device, NSDictionary m) {
        byte[] token = Plists.data(m, "BootstrapToken");
        // sealed under the CA passphrase; an absent token clears the escrow (the device sends none when it was removed)
        attributes.put(device.id(), ATTR_BOOTSTRAP, token == null ? null : escrow.seal(token));
        return Answer.ok();
    }

    private Answer getBootstrapToken(Device device) {
        NSDictionary reply = new NSDictionary();
        attributes.get(device.id(), ATTR_BOOTSTRAP).ifPresent(t -> reply.put("BootstrapToken", new NSData(escrow.open(t))));
        return Answer.ok(reply);
    }

    // ---- commands (ServerURL) ----

    Answer connect(byte[] body, SignerIdentity identity) {
        NSDictionary message;
        try {
            message = Plists.parseDictionary(body);
        } catch (Plists.Malformed e) {
            return Answer.refused(400, e.getMessage());
        }
        String status = Plists.string(message, "Status");
        if (status == null) {
            return Answer.refused(400, "the request has no Status");
        }
        Authenticated who = authenticate(identity);
        if (who.refusal() != null) {
            return who.refusal();
        }
        Device device = who.device();
        String udid = Plists.string(message, "UDID");
        if (udid == null && Plists.string(message, "EnrollmentID") == null) {
            return Answer.refused(400, "the request names no UDID");
        }
        Answer mismatch = checkUdid(who.values(), udid, false);
        if (mismatch != null) {
            return mismatch;
        }
        if (!"Idle".equals(status)) {
            Recorded recorded = result(device, status, message);
            if (recorded.refusal() != null) {
                return recorded.refusal();
            }
            return next(device, who.values(), recorded.next());
        }
        return next(device, who.values(), null);
    }

    /** A result recorded together with the next command handed out (one transaction), or the refusal to send. */
    private record Recorded(Answer refusal, List<PendingCommand> next) {
        static Recorded refused(int status, String reason) {
            return new Recorded(Answer.refused(status, reason), null);
        }
    }

    private Recorded result(Device device, String status, NSDictionary m) {
        String uuid = Plists.string(m, "CommandUUID");
        CommandId id;
        try {
            id = CommandId.parse(uuid);
        } catch (RuntimeException e) {
            return Recorded.refused(400, "a result needs the CommandUUID of the command it answers");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        for (String key : m.keySet()) {
            if (!Set.of("UDID", "CommandUUID", "Status", "EnrollmentID", "UserID").contains(key)) {
                data.put(key, Plists.toJava(m.objectForKey(key)));
            }
        }
        CommandResult result = switch (status) {
            case "Acknowledged" -> CommandResult.acknowledged(data);
            case "NotNow" -> CommandResult.notNow();
            case "Error", "CommandFormatError" -> CommandResult.error(status + ": " + errorChain(m), data);
            default -> null;
        };
        if (result == null) {
            return Recorded.refused(400, "unknown Status " + status);
        }
        CommandService.Exchange exchange = commands.exchange(device.id(), Map.of(id, result), 1);
        Completion done = exchange.completions().get(id);
        if (done == Completion.UNKNOWN_COMMAND) {
            // the command handed out with it stays SENT and goes out on the next check-in
            return Recorded.refused(400, "command " + uuid + " was never sent to this device");
        }
        if (done == Completion.RECORDED && result.outcome() == CommandResult.Outcome.ACKNOWLEDGED) {
            inventoryFrom(device, data);
        }
        return new Recorded(null, exchange.next());
    }

    private static String errorChain(NSDictionary m) {
        NSObject chain = m.objectForKey("ErrorChain");
        if (!(chain instanceof NSArray a) || a.count() == 0) {
            return "the device gave no reason";
        }
        StringBuilder sb = new StringBuilder();
        for (NSObject o : a.getArray()) {
            if (o instanceof NSDictionary e) {
                if (!sb.isEmpty()) {
                    sb.append("; ");
                }
                String text = Plists.string(e, "USEnglishDescription");
                sb.append(Plists.string(e, "ErrorDomain")).append(' ').append(Plists.toJava(e.objectForKey("ErrorCode"))).append(": ")
                        .append(text != null ? text : Plists.string(e, "LocalizedDescription"));
            }
        }
        return sb.toString();
    }

    /** Hands out the next queued command, unless the device cannot run it: that one fails without reaching it. */
    private Answer next(Device device, Map<String, byte[]> values, List<PendingCommand> handedOut) {
        for (int skipped = 0; skipped < 50; skipped++) {
            List<PendingCommand> pending = skipped == 0 && handedOut != null ? handedOut : commands.nextFor(device.id(), 1);
            if (pending.isEmpty()) {
                return Answer.ok();
            }
            PendingCommand command = withEscrowedValues(values, pending.get(0));
            String refusal = command == null ? "the device escrowed no UnlockToken, so its passcode cannot be cleared"
                    : fit.refusal(values, command.type().name());
            if (refusal == null) {
                try {
                    return Answer.ok(encoder.encode(command));
                } catch (RuntimeException e) {
                    refusal = "cannot encode the command for the device: " + e.getMessage();
                }
            }
            commands.complete(device.id(), pending.get(0).id(), CommandResult.error(refusal, Map.of()));
        }
        return Answer.ok();
    }

    /** ClearPasscode carries the UnlockToken the device escrowed; null when there is none to carry. */
    private static PendingCommand withEscrowedValues(Map<String, byte[]> values, PendingCommand command) {
        if (!ApplePlatform.CLEAR_PASSCODE.equals(command.type().name()) || command.payload().containsKey("UnlockToken")) {
            return command;
        }
        Optional<byte[]> token = Optional.ofNullable(values.get(ATTR_UNLOCK_TOKEN));
        if (token.isEmpty()) {
            return null;
        }
        Map<String, Object> payload = new LinkedHashMap<>(command.payload());
        payload.put("UnlockToken", java.util.Base64.getEncoder().encodeToString(token.get()));
        return new PendingCommand(command.id(), command.device(), command.type(), payload, command.attempt());
    }

    // ---- inventory ----

    @SuppressWarnings("unchecked")
    private void inventoryFrom(Device device, Map<String, Object> data) {
        Map<String, Object> facts = new LinkedHashMap<>();
        DeviceDescription summary = DeviceDescription.EMPTY;
        if (data.get("QueryResponses") instanceof Map<?, ?> q) {
            Map<String, Object> answers = (Map<String, Object>) q;
            facts.put("DeviceInformation", answers);
            summary = new DeviceDescription(text(answers.get("DeviceName")), text(answers.get("ProductName")),
                    text(answers.get("OSVersion")), text(answers.get("SerialNumber")), text(answers.get("UDID")));
            if (answers.get("IsSupervised") instanceof Boolean supervised) {
                attributes.put(device.id(), ATTR_SUPERVISED, utf8(supervised.toString()));
            }
        }
        for (String key : List.of("SecurityInfo", "InstalledApplicationList", "CertificateList", "ProfileList", "ProvisioningProfileList",
                "Restrictions", "OSUpdateSettings", "AvailableOSUpdates")) {
            if (data.containsKey(key)) {
                facts.put(key, data.get(key));
            }
        }
        if (!facts.isEmpty()) {
            record(device, summary, facts);
        }
    }

    private void record(Device device, DeviceDescription summary, Map<String, Object> facts) {
        Map<String, Object> merged = new LinkedHashMap<>(inventory.latest(device.tenant(), device.id()).map(InventorySnapshot::facts).orElse(Map.of()));
        merged.putAll(facts);
        inventory.record(device.id(), new InventorySnapshot(Instant.now(clock), summary, merged));
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
