package io.mooring.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One simulated iPhone, iPad or Mac speaking Apple's MDM protocol, to test a server against.
 * <p>
 * {@link #enroll(URI)} does what a device does when its user installs an enrollment profile: downloads it,
 * checks its CMS signature, gets an identity by SCEP from the profile's SCEP payload, then sends
 * {@code Authenticate} and {@code TokenUpdate} to the check-in URL. Afterwards the device does nothing until
 * it is pushed ({@link #pushReceived(String)}) or told to connect ({@link #checkIn()}): it then polls the
 * server with {@code Idle}, executes each command it is given and reports the result, until the server
 * answers with an empty body. Every request carries the {@code Mdm-Signature} header when the profile asks
 * for it ({@code SignMessage}).
 * <p>
 * It answers as Apple's schema describes (the {@code responsekeys} of each command), refuses what a real
 * device refuses (commands its platform lacks, commands that need supervision, commands its access rights
 * do not allow, malformed commands), and behaves as devices do on the wire: a 401 from the server unenrolls
 * it, a result it could not deliver is sent again at the next connection, and after acknowledging
 * {@code EraseDevice} it wipes itself and stops answering.
 * <p>
 * It records every HTTP exchange, every command received and every result sent (the newest
 * {@value #LOG_LIMIT} of each). All methods are safe to call from any thread; protocol calls of one device
 * run one at a time, as the one mdmclient of a device does.
 */
public final class AppleDevice {
    /** How many entries each log keeps, so long load runs stay within memory. */
    public static final int LOG_LIMIT = 10_000;

    /** Most commands one connection executes, so a server that never ends a connection cannot loop a test forever. */
    public static final int MAX_COMMANDS_PER_CONNECTION = 500;

    public static final String PROFILE_CONTENT_TYPE = "application/x-apple-aspen-config";
    public static final String CHECK_IN_CONTENT_TYPE = "application/x-apple-aspen-mdm-checkin";
    public static final String CONNECT_CONTENT_TYPE = "application/x-apple-aspen-mdm";

    /** Devices as Apple sells them; what differs between them is what MDM sees of them. */
    public enum Kind {
        /** iPhone 14 Pro on iOS 17.5.1. */
        IPHONE("iPhone15,2", "iPhone", "MQ0G3", "MQ0G3LL/A", "17.5.1", "21F90", 128, "8120", true, true),
        /** iPad Air (4th generation), Wi-Fi, on iPadOS 17.5.1. */
        IPAD("iPad13,1", "iPad", "MYFM2", "MYFM2LL/A", "17.5.1", "21F90", 64, "8101", false, true),
        /** Mac mini (M2, 2023) on macOS 14.5: no battery, no cellular, no unlock token. */
        MAC("Mac14,3", "Mac mini", "Mac14,3", "MMFJ3LL/A", "14.5", "23F79", 256, "8112", false, false);

        private final String productName;
        private final String modelName;
        private final String model;
        private final String modelNumber;
        private final String osVersion;
        private final String buildVersion;
        private final int capacityGb;
        private final String chipId;
        private final boolean cellular;
        private final boolean battery;

        Kind(String productName, String modelName, String model, String modelNumber, String osVersion, String buildVersion, int capacityGb,
                String chipId, boolean cellular, boolean battery) {
            this.productName = productName;
            this.modelName = modelName;
            this.model = model;
            this.modelNumber = modelNumber;
            this.osVersion = osVersion;
            this.buildVersion = buildVersion;
            this.capacityGb = capacityGb;
            this.chipId = chipId;
            this.cellular = cellular;
            this.battery = battery;
        }

        public boolean isMac() {
            return this == MAC;
        }

        public String productName() {
            return productName;
        }

        public String modelName() {
            return modelName;
        }

        public String model() {
            return model;
        }

        public String modelNumber() {
            return modelNumber;
        }

        public String osVersion() {
            return osVersion;
        }

        public String buildVersion() {
            return buildVersion;
        }

        public int capacityGb() {
            return capacityGb;
        }

        public boolean hasCellular() {
            return cellular;
        }

        public boolean hasBattery() {
            return battery;
        }

        /** What the MDM client calls itself in User-Agent. */
        String userAgent() {
            return isMac() ? "MDM-OSX/1.0 (mdmclient)" : "MDM/1.0";
        }
    }

    /**
     * What the device is and reports of its hardware, drawn at random for each device and kept across
     * wipes. {@code imei}, {@code meid} and {@code iccid} are null without cellular, {@code ethernetMac} and
     * {@code provisioningUdid} null except on a Mac, {@code batteryLevel} -1 without a battery.
     */
    public record Hardware(Kind kind, String udid, String serialNumber, String imei, String meid, String iccid, String wifiMac,
            String bluetoothMac, String ethernetMac, String provisioningUdid, double availableCapacityGb, double batteryLevel) {

        static Hardware random(Kind kind, Random random) {
            // Apple silicon devices: 0000CHIP-16 hex digits; a Mac's MDM UDID is a UUID, its provisioning UDID the former
            String chipUdid = "0000" + kind.chipId + "-" + hex(random, 8).toUpperCase(Locale.ROOT);
            String imei = kind.cellular ? imei(random) : null;
            return new Hardware(kind,
                    kind.isMac() ? new UUID(random.nextLong(), random.nextLong()).toString().toUpperCase(Locale.ROOT) : chipUdid,
                    serialNumber(random),
                    imei == null ? null : imei.substring(0, 2) + " " + imei.substring(2, 8) + " " + imei.substring(8, 14) + " " + imei.substring(14),
                    imei == null ? null : imei.substring(0, 14),
                    kind.cellular ? iccid(random) : null,
                    mac(random), mac(random),
                    kind.isMac() ? mac(random) : null,
                    kind.isMac() ? chipUdid : null,
                    Math.round(kind.capacityGb * (0.3 + 0.5 * random.nextDouble()) * 100) / 100.0,
                    kind.battery ? Math.round((0.2 + 0.8 * random.nextDouble()) * 100) / 100.0 : -1);
        }

        private static String hex(Random random, int bytes) {
            byte[] b = new byte[bytes];
            random.nextBytes(b);
            return HexFormat.of().formatHex(b);
        }

        /** Ten characters, as Apple's randomised serial numbers since 2021, without the easily confused I and O. */
        private static String serialNumber(Random random) {
            String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
            StringBuilder serial = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                serial.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return serial.toString();
        }

        /** Fifteen digits with the Luhn check digit, on an Apple type allocation code. */
        private static String imei(Random random) {
            StringBuilder digits = new StringBuilder("35");
            while (digits.length() < 14) {
                digits.append(random.nextInt(10));
            }
            int sum = 0;
            for (int i = 0; i < 14; i++) {
                int d = digits.charAt(i) - '0';
                if (i % 2 == 1) {
                    d *= 2;
                    if (d > 9) {
                        d -= 9;
                    }
                }
                sum += d;
            }
            return digits.append((10 - sum % 10) % 10).toString();
        }

        private static String iccid(Random random) {
            StringBuilder digits = new StringBuilder("8901");
            while (digits.length() < 20) {
                digits.append(random.nextInt(10));
            }
            return digits.toString().replaceAll("(.{4})(?!$)", "$1 ");
        }

        private static String mac(Random random) {
            byte[] b = new byte[6];
            random.nextBytes(b);
            b[0] = (byte) (b[0] & 0xFC);
            return HexFormat.ofDelimiter(":").formatHex(b);
        }
    }

    /** NEW until enrolled; UNENROLLED when the server refused its identity (401) and it dropped its MDM profile. */
    public enum State { NEW, ENROLLED, UNENROLLED, WIPED, CHECKED_OUT }

    /** What an HTTP exchange was for. RAW is a test's own request through {@link #send}. */
    public enum Call { PROFILE, SCEP, AUTHENTICATE, TOKEN_UPDATE, CHECK_OUT, CONNECT, RAW }

    /** One HTTP exchange; {@code status} is 0 when no answer came (refused, timed out, TLS failure). */
    public record Exchange(Call call, String method, URI uri, int status, Duration elapsed) {
    }

    /** An HTTP answer as the device got it; {@code status} 0 means none came, and {@code error} says why. */
    public record Response(int status, byte[] body, String contentType, String error) {
        public boolean isEmpty() {
            return body == null || body.length == 0;
        }

        /** The body as a property list dictionary. */
        public Map<String, Object> plist() {
            return ApplePlists.parse(body);
        }

        public String text() {
            return body == null ? "" : new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A command as the server sent it; {@code command} is its {@code Command} dictionary. */
    public record ReceivedCommand(String commandUuid, String requestType, Map<String, Object> command) {
    }

    /** A result the device sent and the HTTP status it got for it; {@code result} is the whole plist sent. */
    public record SentResult(String commandUuid, String requestType, String status, Map<String, Object> result, int httpStatus) {
    }

    /** How a connection ended. */
    public enum Outcome {
        /** The server answered an empty body: nothing more to do. */
        DONE,
        /** The device did not connect: not enrolled, wiped, or the push was not for it. */
        SKIPPED,
        /** The server answered 401 (or 403 com.apple.unrecognized.device): the device unenrolled itself. */
        UNENROLLED,
        /** No answer, an error status, or an answer that is not a command; a result not delivered is kept for next time. */
        FAILED,
        /** The device acknowledged EraseDevice and wiped itself. */
        ERASED,
        /** The server kept sending commands past {@link #MAX_COMMANDS_PER_CONNECTION}. */
        TRUNCATED
    }

    /** One connection: the commands it brought and the results sent, in order. */
    public record CheckIn(Outcome outcome, List<ReceivedCommand> commands, List<SentResult> results, int lastStatus, Duration elapsed) {
        static CheckIn skipped() {
            return new CheckIn(Outcome.SKIPPED, List.of(), List.of(), 0, Duration.ZERO);
        }
    }

    /** Enrollment stopped at {@code call}; {@code status} is the HTTP status that stopped it, 0 when none is to blame. */
    public static final class EnrollmentException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Call call;
        private final int status;

        EnrollmentException(Call call, int status, String message, Throwable cause) {
            super(message, cause);
            this.call = call;
            this.status = status;
        }

        public Call call() {
            return call;
        }

        public int status() {
            return status;
        }
    }

    private final Hardware hardware;
    private final AppleNetwork network;
    private final AppleCommands commands;
    private final SecureRandom random = new SecureRandom();
    private final Object session = new Object();

    private final Log<Exchange> exchanges = new Log<>();
    private final Log<ReceivedCommand> received = new Log<>();
    private final Log<SentResult> sent = new Log<>();

    private volatile State state = State.NEW;
    private volatile AppleEnrollmentProfile profile;
    private volatile KeyPair keys;
    private volatile KeyPair givenKeys;
    private volatile X509Certificate identity;
    private volatile byte[] pushToken;
    private volatile String pushMagic;
    private volatile byte[] unlockToken;
    private volatile boolean binaryPlists;
    private volatile int pushesIgnored;
    /** A result the server did not take (no answer or 5xx), sent instead of Idle at the next connection. */
    private Undelivered undelivered;

    private record Undelivered(Map<String, Object> result, String requestType) {
    }

    private AppleDevice(Kind kind, String name, AppleNetwork network, Random random) {
        this.hardware = Hardware.random(kind, random);
        this.network = network;
        this.commands = new AppleCommands(hardware, name);
    }

    /** A new device with its own network, trusting only what its profile will name. */
    public static AppleDevice ofKind(Kind kind, String name) {
        return ofKind(kind, name, AppleNetwork.trusting());
    }

    /** A new device on a shared network, e.g. one that trusts the server's TLS certificate. */
    public static AppleDevice ofKind(Kind kind, String name, AppleNetwork network) {
        return new AppleDevice(kind, name, network, new SecureRandom());
    }

    // ---------------------------------------------------------------- knobs

    /** The device answers NotNow to the next {@code times} commands, as a locked device does. */
    public AppleDevice busy(int times) {
        commands.busy(times);
        return this;
    }

    /** Supervised devices take lost-mode, restart, shutdown and OS update commands; by default a device is not. */
    public AppleDevice supervised(boolean supervised) {
        commands.supervised(supervised);
        return this;
    }

    /**
     * Enrolls with this key pair (when its size is the one the profile asks for) instead of generating one: a
     * load test's shortcut (RSA key generation is the simulator's cost, not the server's); each device still
     * gets its own certificate by SCEP.
     */
    public AppleDevice useKeyPair(KeyPair keys) {
        this.givenKeys = keys;
        return this;
    }

    /** The private key of the device's identity, once enrolled (what it proves itself with over TLS). */
    public java.security.PrivateKey identityKey() {
        KeyPair current = keys;
        return current == null ? null : current.getPrivate();
    }

    /** Check-ins and results as binary property lists instead of XML. */
    public AppleDevice binaryPlists(boolean binary) {
        this.binaryPlists = binary;
        return this;
    }

    // ---------------------------------------------------------------- protocol

    /**
     * Installs the enrollment profile at {@code enrollmentUrl}: downloads and verifies it, enrolls by SCEP,
     * sends Authenticate then TokenUpdate. Returns the UDID. A device already enrolled must check out or be
     * wiped first.
     *
     * @throws EnrollmentException naming the step that failed and its HTTP status; the device keeps its state
     */
    public String enroll(URI enrollmentUrl) {
        synchronized (session) {
            if (state == State.ENROLLED) {
                throw new IllegalStateException(hardware.udid() + " is already enrolled");
            }
            Response download = exchange(Call.PROFILE, network.profileDownloadClient(),
                    HttpRequest.newBuilder(enrollmentUrl).header("Accept", "*/*").GET());
            if (download.status() != 200) {
                throw failure(Call.PROFILE, download.status(), "the enrollment profile download " + outcome(download), null);
            }
            // Safari and Settings install only what is served as a configuration profile
            if (!download.contentType().toLowerCase(Locale.ROOT).startsWith(PROFILE_CONTENT_TYPE)) {
                throw failure(Call.PROFILE, 200, "the enrollment profile came as '" + download.contentType() + "', not " + PROFILE_CONTENT_TYPE, null);
            }
            AppleEnrollmentProfile installing;
            try {
                AppleSignatures.SignedContent signed = AppleSignatures.openSignedProfile(download.body());
                installing = AppleEnrollmentProfile.parse(signed.content(), signed.signer());
            } catch (SignatureException | IllegalArgumentException e) {
                throw failure(Call.PROFILE, 200, "the enrollment profile cannot be installed: " + e.getMessage(), e);
            }
            HttpClient http = network.client(installing.anchors());

            KeyPair given = givenKeys;
            KeyPair newKeys = given != null && given.getPublic() instanceof java.security.interfaces.RSAPublicKey rsa
                    && rsa.getModulus().bitLength() == installing.scep().keySize() ? given : AppleSignatures.rsaKeyPair(installing.scep().keySize());
            X509Certificate issued = scep(installing, http, newKeys);

            Response authenticate = checkInMessage(Call.AUTHENTICATE, installing, http, newKeys, issued, authenticateMessage(installing));
            if (authenticate.status() != 200) {
                throw failure(Call.AUTHENTICATE, authenticate.status(), "Authenticate " + outcome(authenticate), null);
            }
            byte[] token = new byte[32];
            random.nextBytes(token);
            String magic = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
            byte[] unlock = hardware.kind().isMac() ? null : unlockToken();
            Response tokenUpdate = checkInMessage(Call.TOKEN_UPDATE, installing, http, newKeys, issued,
                    tokenUpdateMessage(installing, token, magic, unlock));
            if (tokenUpdate.status() != 200) {
                throw failure(Call.TOKEN_UPDATE, tokenUpdate.status(), "TokenUpdate " + outcome(tokenUpdate), null);
            }
            profile = installing;
            keys = newKeys;
            identity = issued;
            pushToken = token;
            pushMagic = magic;
            unlockToken = unlock;
            undelivered = null;
            commands.enrolled(installing);
            state = State.ENROLLED;
            return hardware.udid();
        }
    }

    /**
     * Renews the identity as a device does before it expires: a SCEP RenewalReq to the SCEP URL of its
     * enrollment profile, for a new key and the same subject, signed with the current identity. From then on
     * the device proves itself with the new identity. Returns it.
     *
     * @throws EnrollmentException (step SCEP) when the CA refuses; the device keeps its current identity
     */
    public X509Certificate renewIdentity() {
        synchronized (session) {
            requireEnrolled();
            AppleEnrollmentProfile installed = profile;
            AppleEnrollmentProfile.Scep payload = installed.scep();
            HttpClient http = network.client(installed.anchors());
            ScepClient client = new ScepClient(http, payload.url(), network.timeout(),
                    (method, uri, status, elapsed) -> exchanges.add(new Exchange(Call.SCEP, method, uri, status, elapsed)));
            KeyPair newKeys = AppleSignatures.rsaKeyPair(payload.keySize());
            ScepClient.Reply reply;
            ScepClient.CaCertificates certificates;
            try {
                Set<String> caps = client.caCaps();
                certificates = client.caCertificates();
                reply = client.pkiOperation(ScepClient.renewalReq(newKeys, payload.keyUsage(), certificates.recipient(), caps, identity,
                        keys.getPrivate()), certificates, caps);
            } catch (IOException e) {
                throw failure(Call.SCEP, lastStatus(Call.SCEP).orElse(0), "SCEP renewal failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(Call.SCEP, 0, "interrupted during SCEP renewal", e);
            }
            if (reply.status() != ScepClient.PkiStatus.SUCCESS) {
                throw failure(Call.SCEP, 200, "the SCEP server answered the renewal " + reply.status()
                        + (reply.failInfo() == null ? "" : " with failInfo " + reply.failInfo()), null);
            }
            if (!installed.anchors().isEmpty() && !chainsTo(reply.issued(), certificates.all(), installed.anchors())) {
                throw failure(Call.SCEP, 200, "the renewed identity does not chain to a root certificate of the profile", null);
            }
            keys = newKeys;
            identity = reply.issued();
            return identity;
        }
    }

    /** Sends TokenUpdate again with the current token, as devices do from time to time; returns its HTTP status. */
    public int sendTokenUpdate() {
        synchronized (session) {
            requireEnrolled();
            return checkInMessage(Call.TOKEN_UPDATE, profile, http(), keys, identity,
                    tokenUpdateMessage(profile, pushToken, pushMagic, unlockToken)).status();
        }
    }

    /**
     * One connection, as a push starts it: {@code Idle} (or the result the server did not take last time),
     * then each command answered, until the server answers an empty body.
     */
    public CheckIn checkIn() {
        synchronized (session) {
            if (state != State.ENROLLED) {
                return CheckIn.skipped();
            }
            return connect();
        }
    }

    /**
     * What the APNs mock calls when it delivers {@code {"mdm": pushMagic}} to this device's token. Runs the
     * connection synchronously, in the caller's thread, and returns it; a push whose magic is not this
     * device's is ignored ({@link Outcome#SKIPPED}), as devices ignore it. A push sender that must not block
     * uses {@link #pushReceivedLater}.
     */
    public CheckIn pushReceived(String magic) {
        synchronized (session) {
            if (state != State.ENROLLED || magic == null || !magic.equals(pushMagic)) {
                pushesIgnored++;
                return CheckIn.skipped();
            }
            return connect();
        }
    }

    /** {@link #pushReceived} on {@code executor}: returns at once, the connection completes the future. */
    public CompletableFuture<CheckIn> pushReceivedLater(String magic, Executor executor) {
        return CompletableFuture.supplyAsync(() -> pushReceived(magic), executor);
    }

    /**
     * The user removes the MDM profile: the device sends CheckOut when the profile asks for it
     * ({@code CheckOutWhenRemoved}; macOS always does) and drops every profile and app MDM installed. It no
     * longer connects; it keeps its identity so a test can show the server refuses it now (a real device
     * deletes it). Returns the CheckOut's HTTP status, empty when none was sent.
     */
    public OptionalInt checkOut() {
        synchronized (session) {
            requireEnrolled();
            OptionalInt status = OptionalInt.empty();
            if (profile.mdm().checkOutWhenRemoved() || hardware.kind().isMac()) {
                Map<String, Object> message = new LinkedHashMap<>();
                message.put("MessageType", "CheckOut");
                message.put("Topic", profile.mdm().topic());
                message.put("UDID", hardware.udid());
                status = OptionalInt.of(checkInMessage(Call.CHECK_OUT, profile, http(), keys, identity, message).status());
            }
            forget(State.CHECKED_OUT);
            return status;
        }
    }

    /**
     * Sends {@code body} as it is to {@code uri} with PUT, the way the device sends its own messages: its
     * User-Agent, a Content-Type for a check-in when the body is a plist with a {@code MessageType} (else for
     * the MDM connection), and, when {@code sign} is true, an {@code Mdm-Signature} by its identity. Changes
     * nothing in the device: this is how a test sends what a device would not (unsigned, malformed).
     */
    public Response send(URI uri, byte[] body, boolean sign) {
        return send(uri, contentTypeFor(uri, body), body, sign ? signature(body) : null);
    }

    /** Like {@link #send(URI, byte[], boolean)} with the Content-Type and Mdm-Signature given; a null signature sends none. */
    public Response send(URI uri, String contentType, byte[] body, String mdmSignature) {
        HttpClient http = profile == null ? network.client(List.of()) : http();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (mdmSignature != null) {
            request.header("Mdm-Signature", mdmSignature);
        }
        return exchange(Call.RAW, http, request);
    }

    /** The {@code Mdm-Signature} this device would send with {@code body}. */
    public String signature(byte[] body) {
        KeyPair currentKeys = keys;
        X509Certificate current = identity;
        if (currentKeys == null || current == null) {
            throw new IllegalStateException(hardware.udid() + " has no identity");
        }
        return AppleSignatures.mdmSignature(body, currentKeys.getPrivate(), current);
    }

    /** The plist this device sends for a check-in message ({@code Authenticate}, {@code TokenUpdate} or {@code CheckOut}). */
    public Map<String, Object> checkInPlist(String messageType) {
        if (profile == null) {
            throw new IllegalStateException(hardware.udid() + " has no enrollment profile");
        }
        return switch (messageType) {
            case "Authenticate" -> authenticateMessage(profile);
            case "TokenUpdate" -> tokenUpdateMessage(profile, pushToken, pushMagic, unlockToken);
            case "CheckOut" -> new LinkedHashMap<>(Map.of("MessageType", "CheckOut", "Topic", profile.mdm().topic(), "UDID", hardware.udid()));
            default -> throw new IllegalArgumentException("not a check-in message this device sends: " + messageType);
        };
    }

    /** Encodes a message as this device does (XML, or binary when {@link #binaryPlists} is on). */
    public byte[] encode(Map<String, ?> message) {
        return binaryPlists ? ApplePlists.binary(message) : ApplePlists.xml(message);
    }

    // ---------------------------------------------------------------- state and logs

    public State state() {
        return state;
    }

    public Hardware hardware() {
        return hardware;
    }

    public Kind kind() {
        return hardware.kind();
    }

    public String udid() {
        return hardware.udid();
    }

    public String serialNumber() {
        return hardware.serialNumber();
    }

    /** The device name; a Settings command can change it. */
    public String name() {
        return commands.deviceName();
    }

    /** The APNs device token, lower-case hex as push providers use it; null until enrolled and after a wipe. */
    public String pushToken() {
        byte[] token = pushToken;
        return token == null ? null : HexFormat.of().formatHex(token);
    }

    public String pushMagic() {
        return pushMagic;
    }

    public String topic() {
        AppleEnrollmentProfile current = profile;
        return current == null ? null : current.mdm().topic();
    }

    /** The identity certificate SCEP issued; null before enrollment and after a wipe (kept after unenrolling, see {@link #checkOut}). */
    public X509Certificate identity() {
        return identity;
    }

    /** The enrollment profile installed, or last installed when the device unenrolled; empty before enrollment and after a wipe. */
    public Optional<AppleEnrollmentProfile> profile() {
        return Optional.ofNullable(profile);
    }

    public boolean isSupervised() {
        return commands.isSupervised();
    }

    public boolean isLocked() {
        return commands.isLocked();
    }

    public boolean isInLostMode() {
        return commands.isInLostMode();
    }

    /** PayloadIdentifiers of installed profiles, the enrollment profile included. */
    public List<String> installedProfiles() {
        return commands.profileIdentifiers();
    }

    /** Bundle identifiers of installed apps. */
    public List<String> installedApps() {
        return commands.appIdentifiers();
    }

    /** Pushes ignored because the device was not enrolled or the magic was not its own. */
    public int pushesIgnored() {
        return pushesIgnored;
    }

    public List<Exchange> exchanges() {
        return exchanges.copy();
    }

    public List<ReceivedCommand> commandsReceived() {
        return received.copy();
    }

    public List<SentResult> resultsSent() {
        return sent.copy();
    }

    /** The HTTP status of the latest exchange of this kind, empty when there was none. */
    public OptionalInt lastStatus(Call call) {
        List<Exchange> all = exchanges.copy();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).call() == call) {
                return OptionalInt.of(all.get(i).status());
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public String toString() {
        return hardware.kind() + " " + hardware.udid() + " (" + state + ")";
    }

    // ---------------------------------------------------------------- internals

    /** The answer to one command, without sending it; for tests of the device's own behaviour. */
    Map<String, Object> answer(Map<String, Object> commandPlist) {
        synchronized (session) {
            return commands.answer(commandPlist, context()).result();
        }
    }

    private CheckIn connect() {
        long start = System.nanoTime();
        List<ReceivedCommand> commandsNow = new ArrayList<>();
        List<SentResult> resultsNow = new ArrayList<>();
        Map<String, Object> message = undelivered != null ? undelivered.result() : idle();
        String requestType = undelivered != null ? undelivered.requestType() : null;
        boolean erasing = false;
        int count = 0;
        while (true) {
            Response response = connectMessage(message);
            if (!"Idle".equals(message.get("Status"))) {
                SentResult result = new SentResult((String) message.get("CommandUUID"), requestType, (String) message.get("Status"), message,
                        response.status());
                sent.add(result);
                resultsNow.add(result);
                undelivered = response.status() == 0 || response.status() >= 500 ? new Undelivered(message, requestType) : null;
            }
            Outcome outcome = null;
            if (erasing) {
                // the acknowledgement went out (or could not): the device wipes whatever the server says
                undelivered = null;
                forget(State.WIPED);
                outcome = Outcome.ERASED;
            } else if (response.status() == 401 || response.status() == 403 && unrecognizedDevice(response)) {
                forget(State.UNENROLLED);
                outcome = Outcome.UNENROLLED;
            } else if (response.status() != 200) {
                outcome = Outcome.FAILED;
            } else if (response.isEmpty()) {
                outcome = Outcome.DONE;
            } else if (count >= MAX_COMMANDS_PER_CONNECTION) {
                outcome = Outcome.TRUNCATED;
            }
            if (outcome != null) {
                return new CheckIn(outcome, List.copyOf(commandsNow), List.copyOf(resultsNow), response.status(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
            Map<String, Object> command;
            try {
                command = response.plist();
            } catch (IllegalArgumentException e) {
                // not a property list: the device cannot even say which command it refuses
                return new CheckIn(Outcome.FAILED, List.copyOf(commandsNow), List.copyOf(resultsNow), response.status(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
            ReceivedCommand receivedCommand = new ReceivedCommand(command.get("CommandUUID") instanceof String uuid ? uuid : null,
                    command.get("Command") instanceof Map<?, ?> body && body.get("RequestType") instanceof String type ? type : null,
                    command.get("Command") instanceof Map<?, ?> body ? castMap(body) : Map.of());
            received.add(receivedCommand);
            commandsNow.add(receivedCommand);
            count++;
            AppleCommands.Answer answer = commands.answer(command, context());
            message = answer.result();
            requestType = receivedCommand.requestType();
            erasing = answer.erase();
            if (erasing) {
                // from here the device is erasing: it sends the acknowledgement and takes no other command
                state = State.WIPED;
            }
        }
    }

    private Response connectMessage(Map<String, Object> message) {
        HttpRequest.Builder request = HttpRequest.newBuilder(profile.mdm().serverUrl())
                .header("Content-Type", CONNECT_CONTENT_TYPE)
                .header("User-Agent", hardware.kind().userAgent());
        byte[] body = encode(message);
        if (profile.mdm().signMessage()) {
            request.header("Mdm-Signature", signatureOf(body, "Idle".equals(message.get("Status"))));
        }
        return exchange(Call.CONNECT, http(), request.PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /**
     * The Idle poll is the same bytes every time, so its signature is made once per identity: a load test then
     * spends this machine's CPU on the server's work rather than on the simulator's RSA.
     */
    private String signatureOf(byte[] body, boolean idle) {
        IdleSignature known = idleSignature;
        if (idle && known != null && known.identity() == identity && java.util.Arrays.equals(known.body(), body)) {
            return known.signature();
        }
        String signature = AppleSignatures.mdmSignature(body, keys.getPrivate(), identity);
        if (idle) {
            idleSignature = new IdleSignature(identity, body, signature);
        }
        return signature;
    }

    private record IdleSignature(X509Certificate identity, byte[] body, String signature) {
    }

    private volatile IdleSignature idleSignature;

    private Response checkInMessage(Call call, AppleEnrollmentProfile installed, HttpClient http, KeyPair signingKeys,
            X509Certificate signer, Map<String, Object> message) {
        byte[] body = encode(message);
        HttpRequest.Builder request = HttpRequest.newBuilder(installed.mdm().checkInUrl())
                .header("Content-Type", CHECK_IN_CONTENT_TYPE)
                .header("User-Agent", hardware.kind().userAgent());
        if (installed.mdm().signMessage()) {
            request.header("Mdm-Signature", AppleSignatures.mdmSignature(body, signingKeys.getPrivate(), signer));
        }
        return exchange(call, http, request.PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private X509Certificate scep(AppleEnrollmentProfile installing, HttpClient http, KeyPair newKeys) {
        AppleEnrollmentProfile.Scep payload = installing.scep();
        ScepClient client = new ScepClient(http, payload.url(), network.timeout(),
                (method, uri, status, elapsed) -> exchanges.add(new Exchange(Call.SCEP, method, uri, status, elapsed)));
        ScepClient.Enrollment enrollment;
        try {
            enrollment = client.enroll(newKeys, payload.subject(), payload.challenge(), payload.keyUsage());
        } catch (IOException e) {
            throw failure(Call.SCEP, lastStatus(Call.SCEP).orElse(0), "SCEP enrollment failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(Call.SCEP, 0, "interrupted during SCEP enrollment", e);
        }
        ScepClient.Reply reply = enrollment.reply();
        if (reply.status() != ScepClient.PkiStatus.SUCCESS) {
            throw failure(Call.SCEP, 200, "the SCEP server answered " + reply.status()
                    + (reply.failInfo() == null ? "" : " with failInfo " + reply.failInfo()), null);
        }
        X509Certificate issued = reply.issued();
        if (!installing.anchors().isEmpty() && !chainsTo(issued, enrollment.certificates().all(), installing.anchors())) {
            throw failure(Call.SCEP, 200, "the SCEP identity " + issued.getSubjectX500Principal()
                    + " does not chain to a root certificate of the profile", null);
        }
        return issued;
    }

    /** Whether {@code certificate} is issued by an anchor, directly or through the CA certificates GetCACert named. */
    private static boolean chainsTo(X509Certificate certificate, List<X509Certificate> intermediates, List<X509Certificate> anchors) {
        X509Certificate current = certificate;
        for (int depth = 0; depth <= intermediates.size(); depth++) {
            X509Certificate child = current;
            if (anchors.stream().anyMatch(anchor -> issuedBy(child, anchor))) {
                return true;
            }
            X509Certificate parent = intermediates.stream()
                    .filter(candidate -> candidate.getBasicConstraints() >= 0 && !candidate.equals(child) && issuedBy(child, candidate))
                    .findFirst().orElse(null);
            if (parent == null) {
                return false;
            }
            current = parent;
        }
        return false;
    }

    private static boolean issuedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Keys per Apple's schema (mdm/checkin/authenticate.yaml): DeviceName, Model and ModelName only from macOS. */
    private Map<String, Object> authenticateMessage(AppleEnrollmentProfile installing) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("MessageType", "Authenticate");
        message.put("Topic", installing.mdm().topic());
        message.put("UDID", hardware.udid());
        message.put("BuildVersion", hardware.kind().buildVersion());
        message.put("OSVersion", hardware.kind().osVersion());
        message.put("ProductName", hardware.kind().productName());
        message.put("SerialNumber", hardware.serialNumber());
        if (hardware.kind().isMac()) {
            message.put("DeviceName", commands.deviceName());
            message.put("Model", hardware.kind().model());
            message.put("ModelName", hardware.kind().modelName());
        }
        if (hardware.imei() != null) {
            message.put("IMEI", hardware.imei());
            message.put("MEID", hardware.meid());
        }
        return message;
    }

    /** Keys per mdm/checkin/tokenupdate.yaml; macOS sends no UnlockToken. */
    private Map<String, Object> tokenUpdateMessage(AppleEnrollmentProfile installing, byte[] token, String magic, byte[] unlock) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("MessageType", "TokenUpdate");
        message.put("Topic", installing.mdm().topic());
        message.put("UDID", hardware.udid());
        message.put("Token", token);
        message.put("PushMagic", magic);
        if (unlock != null) {
            message.put("UnlockToken", unlock);
        }
        message.put("AwaitingConfiguration", false);
        return message;
    }

    private Map<String, Object> idle() {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("Status", "Idle");
        message.put("UDID", hardware.udid());
        return message;
    }

    /** An escrow keybag stands in: opaque bytes the server keeps and sends back with ClearPasscode. */
    private byte[] unlockToken() {
        byte[] token = new byte[1024];
        random.nextBytes(token);
        System.arraycopy("DATA".getBytes(StandardCharsets.US_ASCII), 0, token, 0, 4);
        return token;
    }

    private AppleCommands.Context context() {
        return new AppleCommands.Context(identity, profile, pushToken, unlockToken, profile == null ? network.client(List.of()) : http(),
                network.timeout());
    }

    private HttpClient http() {
        return network.client(profile.anchors());
    }

    /**
     * Leaves management. A wipe forgets everything. Unenrolled or checked out, a real device deletes its
     * identity too; the simulated one keeps it and its profile, so a test can replay its requests and see
     * the server refuse them, but it no longer connects.
     */
    private void forget(State next) {
        state = next;
        undelivered = null;
        if (next == State.WIPED) {
            profile = null;
            keys = null;
            identity = null;
            pushToken = null;
            pushMagic = null;
            unlockToken = null;
            commands.erased();
        } else {
            commands.unenrolled();
        }
    }

    private static boolean unrecognizedDevice(Response response) {
        // mdm/errors/unrecognized.device.yaml: a 403 with this code unenrolls the device, in JSON or plist
        return response.text().contains("com.apple.unrecognized.device");
    }

    private String contentTypeFor(URI uri, byte[] body) {
        try {
            if (ApplePlists.parse(body).containsKey("MessageType")) {
                return CHECK_IN_CONTENT_TYPE;
            }
            return CONNECT_CONTENT_TYPE;
        } catch (IllegalArgumentException notAPlist) {
            AppleEnrollmentProfile current = profile;
            boolean checkIn = current != null && uri.equals(current.mdm().checkInUrl()) && !uri.equals(current.mdm().serverUrl());
            return checkIn ? CHECK_IN_CONTENT_TYPE : CONNECT_CONTENT_TYPE;
        }
    }

    private Response exchange(Call call, HttpClient http, HttpRequest.Builder request) {
        HttpRequest built = request.timeout(network.timeout()).build();
        long start = System.nanoTime();
        Response response;
        try {
            HttpResponse<byte[]> answer = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
            response = new Response(answer.statusCode(), answer.body(), answer.headers().firstValue("Content-Type").orElse(""), null);
        } catch (IOException e) {
            response = new Response(0, new byte[0], "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = new Response(0, new byte[0], "", "interrupted");
        }
        exchanges.add(new Exchange(call, built.method(), built.uri(), response.status(), Duration.ofNanos(System.nanoTime() - start)));
        return response;
    }

    private static String outcome(Response response) {
        return response.status() == 0 ? "got no answer: " + response.error() : "was answered " + response.status();
    }

    private EnrollmentException failure(Call call, int status, String message, Throwable cause) {
        return new EnrollmentException(call, status, hardware.udid() + ": " + message, cause);
    }

    private void requireEnrolled() {
        if (state != State.ENROLLED) {
            throw new IllegalStateException(hardware.udid() + " is not enrolled (" + state + ")");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** The newest {@link #LOG_LIMIT} entries. */
    private static final class Log<T> {
        private final ArrayDeque<T> entries = new ArrayDeque<>();

        synchronized void add(T entry) {
            if (entries.size() == LOG_LIMIT) {
                entries.removeFirst();
            }
            entries.addLast(entry);
        }

        synchronized List<T> copy() {
            return List.copyOf(entries);
        }
    }
}
