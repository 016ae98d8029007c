package io.mooring.platform.apple.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.dd.plist.NSDictionary;
import com.dd.plist.PropertyListParser;

import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.Device;
import io.mooring.api.DeviceState;
import io.mooring.api.pki.CmsSigner.SignerIdentity;
import io.mooring.api.pki.IssuedCertificate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check-in and command protocol against in-memory core services, with Apple's captures from the corpus. */
class AppleProtocolTest {
    InMemoryCore core;
    /** A reversible stand-in for the CA's escrow: enough to see that what is stored is the sealed form. */
    final io.mooring.api.pki.Escrow escrow = new io.mooring.api.pki.Escrow() {
        @Override
        public byte[] seal(byte[] secret) {
            byte[] out = secret.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] ^= 0x5a;
            }
            return out;
        }

        @Override
        public byte[] open(byte[] sealed) {
            return seal(sealed);
        }
    };
    AppleProtocol protocol;

    @BeforeEach
    void setUp() {
        core = new InMemoryCore();
        protocol = new AppleProtocol(core, core, core.inventory, core, core, escrow, CommandSchema.load(), Clock.systemUTC());
    }

    /** A device whose Mooring-issued identity the protocol will accept. */
    SignerIdentity identityOf(Device d) {
        return identityOf(d, Instant.now());
    }

    /** An identity the CA issued to the device at {@code issuedAt} (the CA's records say so too). */
    SignerIdentity identityOf(Device d, Instant issuedAt) {
        String serial = Long.toHexString(UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE);
        String subject = "CN=" + d.id() + ",O=Mooring";
        core.issuedSerials.put(serial, d.id());
        core.issued.put(serial, new IssuedCertificate(serial, d.tenant(), subject, issuedAt, issuedAt.plus(365, ChronoUnit.DAYS),
                IssuedCertificate.Status.VALID, issuedAt, null));
        return new SignerIdentity(serial, subject, true, null);
    }

    static byte[] plist(String body) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                + "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\"><dict>" + body + "</dict></plist>").getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> expected(Path txt) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(txt)) {
            String[] kv = line.split("\t", 2);
            if (kv.length == 2) {
                values.put(kv[0], kv[1]);
            }
        }
        return values;
    }

    /** The corpus file, or the binary form of it made with plistutil (which must exist in CI). */
    static byte[] capture(String name, boolean binary, Path dir) throws Exception {
        Path xml = Corpus.path("nanomdm/" + name);
        if (!binary) {
            return Files.readAllBytes(xml);
        }
        Path out = dir.resolve(name + ".bin");
        Process p = new ProcessBuilder("plistutil", "-i", xml.toString(), "-o", out.toString(), "-f", "bin").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(log).isZero();
        byte[] bytes = Files.readAllBytes(out);
        assertThat(new String(bytes, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("bplist00");
        return bytes;
    }

    @Test
    void everyCaptureIsAcceptedAsXmlAndAsBinaryAndStoresWhatTheDeviceSaid(@TempDir Path dir) throws Exception {
        Corpus.requirePlistutil();
        for (boolean binary : List.of(false, true)) {
            for (int n : List.of(1, 2)) {
                Device d = core.add("capture-" + n);
                SignerIdentity id = identityOf(d);
                byte[] auth = capture("mdm_testdata_Authenticate." + n + ".plist", binary, dir);
                assertThat(protocol.checkIn(auth, id).status()).as("Authenticate.%d binary=%s", n, binary).isEqualTo(200);
                byte[] token = capture("mdm_testdata_TokenUpdate." + n + ".plist", binary, dir);
                // the captures' UDIDs differ between the two messages of a pair only if the corpus says so
                NSDictionary authDict = (NSDictionary) PropertyListParser.parse(auth);
                NSDictionary tokenDict = (NSDictionary) PropertyListParser.parse(token);
                if (!authDict.objectForKey("UDID").equals(tokenDict.objectForKey("UDID"))) {
                    continue;
                }
                assertThat(protocol.checkIn(token, id).status()).as("TokenUpdate.%d binary=%s", n, binary).isEqualTo(200);

                Map<String, String> want = expected(Corpus.path("nanomdm/mdm_testdata_TokenUpdate." + n + ".txt"));
                Device stored = core.devices.get(d.id());
                assertThat(stored.description().osVersion()).isEqualTo(want.get("OSVersion"));
                assertThat(stored.description().model()).isEqualTo(want.get("ProductName"));
                assertThat(core.latest(d.tenant(), d.id()).orElseThrow().facts()).extractingByKey("Authenticate")
                        .satisfies(f -> assertThat(((Map<?, ?>) f).get("BuildVersion")).isEqualTo(want.get("BuildVersion")));
                assertThat(stored.push()).isNotNull();
                assertThat(stored.push().magic()).isEqualTo(tokenDict.objectForKey("PushMagic").toJavaObject());
                assertThat(stored.push().topic()).isEqualTo(tokenDict.objectForKey("Topic").toJavaObject());
                assertThat(stored.push().token()).hasSize(64);
            }
        }
    }

    @Test
    void aDeviceInformationResultFromTheCorpusBecomesInventory(@TempDir Path dir) throws Exception {
        Corpus.requirePlistutil();
        for (boolean binary : List.of(false, true)) {
            Device d = core.add("info");
            SignerIdentity id = identityOf(d);
            byte[] result = capture("mdm_testdata_DeviceInformation.1.plist", binary, dir);
            NSDictionary r = (NSDictionary) PropertyListParser.parse(result);
            String udid = r.objectForKey("UDID").toJavaObject().toString();
            assertThat(protocol.checkIn(plist("<key>MessageType</key><string>Authenticate</string><key>UDID</key><string>" + udid
                    + "</string><key>Topic</key><string>com.apple.mgmt.External.x</string>"), id).status()).isEqualTo(200);
            // the capture answers a command this device was sent: replay it under that command's id
            CommandId sentId = CommandId.parse(r.objectForKey("CommandUUID").toJavaObject().toString());
            core.sent.put(sentId, d.id());
            core.results.remove(sentId);

            AppleProtocol.Answer answer = protocol.connect(result, id);

            assertThat(answer.status()).isEqualTo(200);
            assertThat(core.results.get(sentId).outcome()).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
            // the capture's .txt lists the iMac's Authenticate values; the result itself answers HostName and UDID
            Map<?, ?> info = (Map<?, ?>) core.latest(d.tenant(), d.id()).orElseThrow().facts().get("DeviceInformation");
            assertThat(info).isEqualTo(Plists.toJava(r.objectForKey("QueryResponses")));
            assertThat(info.get("HostName")).isEqualTo("fruit.example.com");
            assertThat(core.devices.get(d.id()).description().hardwareId()).isEqualTo(udid);
        }
    }

    @Test
    void idleGetsTheNextCommandAndEachResultTheOneAfter() throws Exception {
        Device d = core.add("phone");
        SignerIdentity id = identityOf(d);
        authenticate(d, id, "iPhone15,2", "UDID-1");
        CommandId lock = core.queue(d.id(), "DeviceLock", Map.of("Message", "Call IT", "PhoneNumber", "+1 555 0100"));
        CommandId info = core.queue(d.id(), "DeviceInformation", Map.of());

        AppleProtocol.Answer first = protocol.connect(plist("<key>UDID</key><string>UDID-1</string><key>Status</key><string>Idle</string>"), id);
        NSDictionary command = (NSDictionary) PropertyListParser.parse(first.plist());
        assertThat(command.objectForKey("CommandUUID").toJavaObject().toString()).isEqualToIgnoringCase(lock.toString());
        NSDictionary body = (NSDictionary) command.objectForKey("Command");
        assertThat(body.objectForKey("RequestType").toJavaObject()).isEqualTo("DeviceLock");
        assertThat(body.objectForKey("Message").toJavaObject()).isEqualTo("Call IT");

        AppleProtocol.Answer second = protocol.connect(plist("<key>UDID</key><string>UDID-1</string><key>Status</key><string>Acknowledged</string>"
                + "<key>CommandUUID</key><string>" + lock + "</string>"), id);
        assertThat(core.results.get(lock).outcome()).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        NSDictionary next = (NSDictionary) ((NSDictionary) PropertyListParser.parse(second.plist())).objectForKey("Command");
        assertThat(next.objectForKey("RequestType").toJavaObject()).isEqualTo("DeviceInformation");
        assertThat(((Object[]) next.objectForKey("Queries").toJavaObject())).contains("UDID", "OSVersion", "IsSupervised");

        AppleProtocol.Answer last = protocol.connect(plist("<key>UDID</key><string>UDID-1</string><key>Status</key><string>Error</string>"
                + "<key>CommandUUID</key><string>" + info + "</string><key>ErrorChain</key><array><dict><key>ErrorCode</key><integer>12021</integer>"
                + "<key>ErrorDomain</key><string>MCMDMErrorDomain</string><key>USEnglishDescription</key><string>Busy</string></dict></array>"), id);
        assertThat(last.status()).isEqualTo(200);
        assertThat(last.plist()).isNull();
        assertThat(core.results.get(info).error()).contains("MCMDMErrorDomain 12021: Busy");
    }

    @Test
    void clearPasscodeCarriesTheUnlockTokenTheDeviceEscrowed() throws Exception {
        Device d = core.add("phone");
        SignerIdentity id = identityOf(d);
        authenticate(d, id, "iPad13,1", "UDID-3");
        assertThat(protocol.checkIn(plist("<key>MessageType</key><string>TokenUpdate</string><key>UDID</key><string>UDID-3</string>"
                + "<key>Topic</key><string>com.apple.mgmt.External.t</string><key>PushMagic</key><string>magic</string>"
                + "<key>Token</key><data>AAECAw==</data><key>UnlockToken</key><data>CQgH</data>"), id).status()).isEqualTo(200);
        new ApplePlatform(core, settings()).validate(new io.mooring.api.CommandType("ClearPasscode"), Map.of());
        core.queue(d.id(), "ClearPasscode", Map.of());

        NSDictionary command = (NSDictionary) ((NSDictionary) PropertyListParser.parse(
                protocol.connect(plist("<key>UDID</key><string>UDID-3</string><key>Status</key><string>Idle</string>"), id).plist()))
                .objectForKey("Command");
        assertThat((byte[]) command.objectForKey("UnlockToken").toJavaObject()).containsExactly(9, 8, 7);
        assertThat(core.devices.get(d.id()).push().token()).isEqualTo("00010203");
    }

    static MdmServlet.Config settings() {
        return (MdmServlet.Config) java.lang.reflect.Proxy.newProxyInstance(MdmServlet.Config.class.getClassLoader(),
                new Class<?>[] {MdmServlet.Config.class}, (proxy, method, args) -> method.getDefaultValue());
    }

    @Test
    void aCommandTheDeviceCannotRunFailsWithoutReachingIt() throws Exception {
        Device d = core.add("phone");
        SignerIdentity id = identityOf(d);
        authenticate(d, id, "iPhone15,2", "UDID-2");
        CommandId macOnly = core.queue(d.id(), "SetAutoAdminPassword", Map.of("GUID", "x", "passwordHash", "AAAA"));
        CommandId supervisedOnly = core.queue(d.id(), "EnableLostMode", Map.of("Message", "Lost"));

        AppleProtocol.Answer answer = protocol.connect(plist("<key>UDID</key><string>UDID-2</string><key>Status</key><string>Idle</string>"), id);

        assertThat(answer.plist()).isNull();
        assertThat(core.results.get(macOnly).error()).contains("not available on iOS");
        ApplePlatform platform = new ApplePlatform(core, settings());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> platform.checkTarget(d.id(), new io.mooring.api.CommandType("SetAutoAdminPassword"), Map.of()))
                .hasMessageContaining("not available on iOS").hasMessageContaining(d.id().toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> platform.checkTarget(d.id(), new io.mooring.api.CommandType("EnableLostMode"), Map.of()))
                .hasMessageContaining("needs a supervised device");
        platform.checkTarget(d.id(), new io.mooring.api.CommandType("DeviceLock"), Map.of());
        assertThat(core.results.get(supervisedOnly).error()).contains("needs a supervised device");
    }

    @Test
    void badCheckInsAreRefusedAndStoreNothing() throws Exception {
        Device d = core.add("phone");
        SignerIdentity id = identityOf(d);
        byte[] token = plist("<key>MessageType</key><string>TokenUpdate</string><key>UDID</key><string>U</string><key>Topic</key><string>t</string>"
                + "<key>PushMagic</key><string>m</string><key>Token</key><data>AAEC</data>");

        assertThat(protocol.checkIn(token, null).status()).as("unsigned").isEqualTo(401);
        assertThat(protocol.checkIn(token, new SignerIdentity("ab", "CN=" + d.id(), false, null)).status()).as("foreign CA").isEqualTo(401);
        assertThat(protocol.checkIn(token, new SignerIdentity("ab", "CN=" + UUID.randomUUID(), true, null)).status()).as("unknown device")
                .isEqualTo(401);
        assertThat(protocol.checkIn(token, id).status()).as("TokenUpdate before Authenticate").isEqualTo(401);
        assertThat(protocol.checkIn("<plist><dict><key>MessageType".getBytes(StandardCharsets.UTF_8), id).status()).as("truncated").isEqualTo(400);
        assertThat(protocol.checkIn(new byte[] {'b', 'p', 'l', 'i', 's', 't', '0', '0', 1, 2, 3}, id).status()).as("bad binary").isEqualTo(400);
        byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><plist><dict><key>MessageType</key>"
                + "<string>Authenticate</string><key>UDID</key><string>&x;</string></dict></plist>").getBytes(StandardCharsets.UTF_8);
        assertThat(protocol.checkIn(xxe, id).status()).as("external entity").isEqualTo(400);
        assertThat(protocol.checkIn(plist("<key>MessageType</key><string>UserAuthenticate</string>"), id).status()).isEqualTo(410);

        assertThat(core.devices.get(d.id()).push()).isNull();
        assertThat(core.attributes).doesNotContainKey(d.id() + "/" + AppleProtocol.ATTR_UDID);

        authenticate(d, id, "iPhone15,2", "U");
        Device other = core.add("other");
        SignerIdentity otherId = identityOf(other);
        authenticate(other, otherId, "iPhone15,2", "V");
        assertThat(protocol.checkIn(token, otherId).status()).as("another device's UDID").isEqualTo(401);
        assertThat(protocol.checkIn(token, identityOf(d, Instant.now().minus(1, ChronoUnit.DAYS))).status())
                .as("an older identity of the same device").isEqualTo(401);
        assertThat(protocol.connect(plist("<key>UDID</key><string>U</string><key>Status</key><string>Acknowledged</string><key>CommandUUID</key><string>"
                + UUID.randomUUID() + "</string>"), id).status()).as("a result for a command never sent").isEqualTo(400);
        assertThat(core.results).isEmpty();
    }

    @Test
    void theBootstrapTokenIsEscrowedSealedAndHandedBack() throws Exception {
        Device d = core.add("mac");
        SignerIdentity id = identityOf(d);
        authenticate(d, id, "Mac14,3", "B");
        assertThat(protocol.checkIn(plist("<key>MessageType</key><string>SetBootstrapToken</string><key>UDID</key><string>B</string>"
                + "<key>BootstrapToken</key><data>AQIDBA==</data>"), id).status()).isEqualTo(200);
        assertThat(core.attributes.get(d.id() + "/" + AppleProtocol.ATTR_BOOTSTRAP)).isEqualTo(escrow.seal(new byte[] {1, 2, 3, 4}));

        AppleProtocol.Answer got = protocol.checkIn(plist("<key>MessageType</key><string>GetBootstrapToken</string><key>UDID</key><string>B</string>"), id);
        NSDictionary reply = (NSDictionary) PropertyListParser.parse(got.plist());
        assertThat((byte[]) reply.objectForKey("BootstrapToken").toJavaObject()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void checkOutUnenrollsAndTheIdentityStopsWorking() throws Exception {
        Device d = core.add("mac");
        SignerIdentity id = identityOf(d);
        authenticate(d, id, "Mac14,2", "M");
        assertThat(protocol.checkIn(plist("<key>MessageType</key><string>CheckOut</string><key>UDID</key><string>M</string>"), id).status())
                .isEqualTo(200);
        assertThat(core.devices.get(d.id()).state()).isEqualTo(DeviceState.UNENROLLED);
        assertThat(protocol.connect(plist("<key>UDID</key><string>M</string><key>Status</key><string>Idle</string>"), id).status()).isEqualTo(401);
    }

    @Test
    void aRenewedIdentityReplacesTheOldOneWhichIsThenRefused() throws Exception {
        Device d = core.add("phone");
        Instant first = Instant.now().minus(300, ChronoUnit.DAYS);
        SignerIdentity old = identityOf(d, first);
        authenticate(d, old, "iPhone15,2", "R");
        byte[] idle = plist("<key>UDID</key><string>R</string><key>Status</key><string>Idle</string>");

        SignerIdentity renewed = identityOf(d, Instant.now());
        assertThat(protocol.connect(idle, renewed).status()).as("the renewal, issued later by the CA").isEqualTo(200);
        assertThat(core.attributes.get(d.id() + "/" + AppleProtocol.ATTR_IDENTITY)).asString(StandardCharsets.UTF_8).isEqualTo(renewed.serial());
        assertThat(core.issued.get(old.serial()).status()).as("the replaced identity is revoked").isEqualTo(IssuedCertificate.Status.REVOKED);
        assertThat(protocol.connect(idle, old).status()).as("the identity it replaced").isEqualTo(401);
        assertThat(protocol.connect(idle, renewed).status()).isEqualTo(200);

        SignerIdentity revoked = identityOf(d, Instant.now().plusSeconds(1));
        core.issued.computeIfPresent(revoked.serial(), (k, c) -> new IssuedCertificate(c.serial(), c.tenant(), c.subject(), c.notBefore(),
                c.notAfter(), IssuedCertificate.Status.REVOKED, c.issuedAt(), null));
        assertThat(protocol.connect(idle, revoked).status()).as("a later identity the CA revoked").isEqualTo(401);
        Device other = core.add("other");
        SignerIdentity othersRenewal = identityOf(other, Instant.now().plusSeconds(2));
        assertThat(protocol.connect(idle, new SignerIdentity(othersRenewal.serial(), "CN=" + d.id() + ",O=Mooring", true, null)).status())
                .as("a later certificate the CA issued to another device").isEqualTo(401);
        assertThat(core.attributes.get(d.id() + "/" + AppleProtocol.ATTR_IDENTITY)).asString(StandardCharsets.UTF_8).isEqualTo(renewed.serial());
    }

    private void authenticate(Device d, SignerIdentity id, String product, String udid) {
        assertThat(protocol.checkIn(plist("<key>MessageType</key><string>Authenticate</string><key>UDID</key><string>" + udid
                + "</string><key>ProductName</key><string>" + product + "</string><key>OSVersion</key><string>17.0</string>"
                + "<key>Topic</key><string>com.apple.mgmt.External.t</string>"), id).status()).isEqualTo(200);
    }
}
