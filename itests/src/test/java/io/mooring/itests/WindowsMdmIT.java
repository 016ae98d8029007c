package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.naming.ldap.LdapName;

import com.fasterxml.jackson.databind.JsonNode;

import io.mooring.testkit.WindowsPc;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Simulated Windows PCs go through the whole life against the distribution over HTTPS: MS-MDE2 discovery,
 * policy and enrollment (a PKCS#10 from the PC's own key, the identity from Mooring's CA) → OMA-DM
 * sessions authenticated by that identity as a TLS client certificate → inventory → policies, Wi-Fi, raw
 * OMA-URIs → unenroll. One PC speaks WBXML (through libwbxml's tools). Every SyncML message Mooring sends
 * is checked with xmllint: well-formed, and valid against SyncML 1.2's DTD as far as Mooring uses it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WindowsMdmIT extends MooringTestSupport {

    @Configuration
    public Option[] config() throws IOException {
        return distribution();
    }

    /** A Debian tool the test drives; outside CI its absence skips the test, saying why, in CI it fails it. */
    static void requireTool(String tool, String debianPackage) {
        boolean present;
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            present = p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            present = false;
        }
        String reason = tool + " is not installed (Debian package " + debianPackage + ")";
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(reason);
        }
        // outside CI a developer without the Debian tools still runs the other ITs; the reason is reported (CI fails above)
        org.junit.Assume.assumeTrue(reason, present);
    }

    @Test
    public void simulatedPcsGoThroughTheWholeLife() throws Exception {
        requireTool("xmllint", "libxml2-utils");
        requireTool("xml2wbxml", "libwbxml2-utils");
        AdminClient admin = admin();
        String platforms = admin.get("v1/platforms").body();
        assertTrue(platforms, platforms.contains("\"windows\""));
        int tlsPort = Integer.getInteger("mooring.it.tls.port");
        URI discovery = URI.create("https://localhost:" + tlsPort + "/EnrollmentServer/Discovery.svc");
        List<X509Certificate> trusted = List.of(WindowsPc.rootServedAt("127.0.0.1", tlsPort));

        AdminClient.Answer enrollment = admin.post("v1/enrollments", Map.of("platform", "windows", "maxUses", 3));
        assertEquals(enrollment.body(), 201, enrollment.status());
        String token = enrollment.json().get("token").asText();

        // refusals first: nothing is recorded and the token is not spent
        try {
            new WindowsPc("wrong-password", trusted, null).enroll(discovery, "someone@example.test", "not-the-token");
            fail("enrolled with a wrong password");
        } catch (WindowsPc.EnrollmentRefused e) {
            assertEquals("Authentication", e.errorType);
            assertEquals(500, e.httpStatus);
        }
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        try {
            new WindowsPc("foreign-key", trusted, null).enroll(discovery, "someone@example.test", token, rsa.generateKeyPair());
            fail("enrolled with a request signed by another key");
        } catch (WindowsPc.EnrollmentRefused e) {
            assertEquals("CertificateRequest", e.errorType);
        }
        assertEquals(0, windowsDevices(admin).size());

        List<WindowsPc> pcs = List.of(new WindowsPc("DESKTOP-A", trusted, null), new WindowsPc("DESKTOP-B", trusted, null),
                new WindowsPc("DESKTOP-C", trusted, null).useCodec(new LibwbxmlCodec()));
        List<String> ids = new ArrayList<>();
        for (WindowsPc pc : pcs) {
            pc.recordServerMessages(true);
            pc.enroll(discovery, pc.name().toLowerCase() + "@example.test", token);
            ids.add(cn(pc.identity()));
            assertEquals("https://localhost:" + tlsPort + "/ManagementServer/MDM.svc", pc.managementUrl());
        }
        try {
            new WindowsPc("one-too-many", trusted, null).enroll(discovery, "x@example.test", token);
            fail("a used-up token enrolled a fourth PC");
        } catch (WindowsPc.EnrollmentRefused e) {
            assertEquals("Authentication", e.errorType);
        }
        for (int i = 0; i < pcs.size(); i++) {
            JsonNode record = admin.get("v1/devices/" + ids.get(i)).json();
            assertEquals("windows", record.get("platform").asText());
            assertEquals(pcs.get(i).name(), record.get("name").asText());
        }

        // the first session of each PC reports its inventory (the third in WBXML)
        for (WindowsPc pc : pcs) {
            WindowsPc.Session first = pc.sync();
            assertTrue(first.commands().toString(), first.commands().contains("Get ./DevDetail/SwV"));
        }
        for (String id : ids) {
            JsonNode facts = admin.get("v1/devices/" + id + "/inventory").json().path("facts");
            assertEquals(facts.toString(), "10.0.22631.2861", facts.path("osVersion").asText());
            assertEquals("on", facts.path("firewall").asText());
            assertEquals("Contoso Computers Surface Laptop 5", admin.get("v1/devices/" + id).json().path("model").asText());
        }

        // a payload Mooring cannot send is refused with the key named; nothing is queued
        AdminClient.Answer bad = admin.post("v1/commands", Map.of("type", "PasscodePolicy", "platform", "windows", "payload", Map.of("minLength", 2)));
        assertEquals(bad.body(), 400, bad.status());
        assertTrue(bad.body(), bad.body().contains("minLength"));

        // policies to the whole platform, a Wi-Fi profile and a raw OMA-URI read to one PC
        String passcode = queue(admin, Map.of("type", "PasscodePolicy", "platform", "windows", "payload",
                Map.of("minLength", 10, "complexity", "alphanumeric", "maxFailedAttempts", 8))).get("id").asText();
        String camera = queue(admin, Map.of("type", "Restrictions", "platform", "windows", "payload", Map.of("camera", false))).get("id").asText();
        String wifi = queue(admin, Map.of("type", "WifiProfile", "devices", List.of(ids.get(0)), "payload",
                Map.of("ssid", "Corp", "passphrase", "a long passphrase"))).get("id").asText();
        String raw = queue(admin, Map.of("type", "Get", "devices", List.of(ids.get(1)), "payload",
                Map.of("uris", List.of("./DevDetail/Ext/Microsoft/TotalRAM")))).get("id").asText();
        for (WindowsPc pc : pcs) {
            pc.sync();
        }
        assertEquals(3, count(admin, passcode, "ACKNOWLEDGED"));
        assertEquals(3, count(admin, camera, "ACKNOWLEDGED"));
        assertEquals(1, count(admin, wifi, "ACKNOWLEDGED"));
        assertEquals(1, count(admin, raw, "ACKNOWLEDGED"));
        for (WindowsPc pc : pcs) {
            assertEquals("10", pc.node("./Device/Vendor/MSFT/Policy/Config/DeviceLock/MinDevicePasswordLength"));
            assertEquals("0", pc.node("./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera"));
        }
        assertTrue(pcs.get(0).node("./Device/Vendor/MSFT/WiFi/Profile/Corp/WlanXml").contains("<name>Corp</name>"));
        String history = admin.get("v1/devices/" + ids.get(1) + "/commands").body();
        assertTrue(history, history.contains("16384"));

        // a device group sets the poll interval of its PCs; values and settings Windows does not take are refused, nothing is stored
        AdminClient.Answer tooOften = admin.post("v1/groups", Map.of("name", "Kiosks", "settings", Map.of("windows.poll.minutes", "0")));
        assertEquals(tooOften.body(), 400, tooOften.status());
        assertEquals(tooOften.body(), "settings.windows.poll.minutes", tooOften.json().path("field").asText());
        AdminClient.Answer unknown = admin.post("v1/groups", Map.of("name", "Kiosks", "settings", Map.of("windows.wallpaper", "blue")));
        assertEquals(unknown.body(), 400, unknown.status());
        assertTrue(unknown.body(), unknown.body().contains("poll.minutes"));
        assertEquals(0, admin.get("v1/groups").json().path("total").asInt());
        AdminClient.Answer created = admin.post("v1/groups", Map.of("name", "Kiosks", "description", "lobby PCs",
                "settings", Map.of("windows.poll.minutes", "15")));
        assertEquals(created.body(), 201, created.status());
        String kiosks = created.json().path("id").asText();
        assertEquals(409, admin.post("v1/groups", Map.of("name", "Kiosks")).status());
        AdminClient.Answer joined = admin.post("v1/groups/" + kiosks + "/devices", Map.of("devices", List.of(ids.get(0), ids.get(1))));
        assertEquals(joined.body(), 200, joined.status());
        assertEquals(2, joined.json().path("added").asInt());
        assertEquals(404, admin.post("v1/groups/" + kiosks + "/devices", Map.of("devices", List.of(java.util.UUID.randomUUID().toString()))).status());
        assertEquals(2, admin.get("v1/groups/" + kiosks + "/devices").json().path("total").asInt());
        assertTrue(admin.get("v1/devices/" + ids.get(0) + "/groups").body().contains("\"Kiosks\""));
        // a PC enrolled with a token into the group polls at the group's interval from its provisioning document on
        AdminClient.Answer intoKiosks = admin.post("v1/enrollments", Map.of("platform", "windows", "group", kiosks));
        assertEquals(intoKiosks.body(), 201, intoKiosks.status());
        assertEquals(kiosks, intoKiosks.json().path("group").asText());
        assertEquals(404, admin.post("v1/enrollments", Map.of("platform", "windows", "group", java.util.UUID.randomUUID().toString())).status());
        WindowsPc kiosk = new WindowsPc("KIOSK-1", trusted, null);
        kiosk.enroll(discovery, "kiosk@example.test", intoKiosks.json().path("token").asText());
        assertEquals("15", kiosk.pollSchedule().get("IntervalForRemainingScheduledRetries"));
        assertTrue(admin.get("v1/devices/" + cn(kiosk.identity()) + "/groups").body().contains("\"Kiosks\""));
        assertEquals(3, admin.get("v1/groups/" + kiosks).json().path("members").asInt());
        // the group's PCs get SetPollSchedule (queued in the background as they join), the other PC does not
        String schedule = "./Vendor/MSFT/DMClient/Provider/" + pcs.get(0).providerId() + "/Poll/IntervalForRemainingScheduledRetries";
        for (int i = 0; i < 2; i++) {
            String device = ids.get(i);
            awaitTrue("SetPollSchedule queued to " + device, () -> admin.get("v1/devices/" + device + "/commands").body().contains("SetPollSchedule"));
        }
        String reboot = queue(admin, Map.of("type", "Reboot", "platform", "windows", "group", kiosks)).get("id").asText();
        for (WindowsPc pc : pcs) {
            pc.sync();
        }
        assertEquals("15", pcs.get(0).node(schedule));
        assertEquals("15", pcs.get(1).node(schedule));
        assertEquals(null, pcs.get(2).node(schedule));
        assertEquals(0, pollSchedules(admin, ids.get(2)));
        kiosk.sync();
        assertEquals(3, count(admin, reboot, "ACKNOWLEDGED"));
        assertEquals(3, admin.get("v1/commands/" + reboot).json().path("targets").asInt());
        // a new value reaches the members; leaving the group brings back the configured interval (60)
        AdminClient.Answer changed = admin.put("v1/groups/" + kiosks, Map.of("name", "Kiosks", "settings", Map.of("windows.poll.minutes", "30")));
        assertEquals(changed.body(), 200, changed.status());
        for (int i = 0; i < 2; i++) {
            String device = ids.get(i);
            awaitTrue("a second SetPollSchedule queued to " + device, () -> pollSchedules(admin, device) == 2);
            pcs.get(i).sync();
            assertEquals("30", pcs.get(i).node(schedule));
        }
        assertEquals(204, admin.delete("v1/groups/" + kiosks + "/devices/" + ids.get(1)).status());
        assertEquals(404, admin.delete("v1/groups/" + kiosks + "/devices/" + ids.get(1)).status());
        awaitTrue("the configured interval queued", () -> pollSchedules(admin, ids.get(1)) == 3);
        pcs.get(1).sync();
        assertEquals("60", pcs.get(1).node(schedule));
        assertEquals(2, pollSchedules(admin, ids.get(0)));
        assertEquals(204, admin.delete("v1/groups/" + kiosks).status());
        assertEquals(404, admin.get("v1/groups/" + kiosks).status());

        // a PC renews its identity on its own (ROBO) over TLS with the identity it renews, and syncs with the new one
        assertEquals("true", pcs.get(1).renewalSettings().get("ROBOSupport"));
        X509Certificate before = pcs.get(1).identity();
        pcs.get(1).renew();
        assertFalse(before.getSerialNumber().equals(pcs.get(1).identity().getSerialNumber()));
        assertEquals(cn(before), cn(pcs.get(1).identity()));
        String afterRenewal = queue(admin, Map.of("type", "Reboot", "devices", List.of(ids.get(1)))).get("id").asText();
        pcs.get(1).sync();
        assertEquals(1, count(admin, afterRenewal, "ACKNOWLEDGED"));
        // once the PC uses its new identity, the one it replaced is revoked (listed as such by the CA)
        String replaced = before.getSerialNumber().toString(16);
        String renewedSerial = pcs.get(1).identity().getSerialNumber().toString(16);
        int listed = 0;
        for (JsonNode c : admin.get("v1/certificates?limit=500").json().path("items")) {
            if (c.path("serial").asText().equalsIgnoreCase(replaced)) {
                assertEquals(c.toString(), "REVOKED", c.path("status").asText());
                listed++;
            } else if (c.path("serial").asText().equalsIgnoreCase(renewedSerial)) {
                assertEquals(c.toString(), "VALID", c.path("status").asText());
                listed++;
            }
        }
        assertEquals(2, listed);

        // protocol refusals: a replayed message, hostile XML, no client certificate
        WindowsPc a = pcs.get(0);
        String hello = "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/>";
        String message = message(a, "BEEF", 1, hello);
        assertTrue(a.send(message).text().contains("<Data>200</Data>"));
        String replay = a.send(message).text();
        assertTrue(replay, replay.contains("<Cmd>SyncHdr</Cmd>") && replay.contains("<Data>400</Data>"));
        WindowsPc.Response hostile = a.send("<?xml version=\"1.0\"?><!DOCTYPE SyncML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><SyncML>&x;</SyncML>");
        assertEquals(400, hostile.status());
        assertFalse(hostile.text(), hostile.text().contains("root:"));
        WindowsPc.Response huge = a.send(message(a, "BEEF", 2, "<Alert><CmdID>1</CmdID><Data>" + "x".repeat(600 * 1024) + "</Data></Alert><Final/>"));
        assertEquals(huge.text(), 413, huge.status());
        WindowsPc.Response anonymous = WindowsPc.postWithoutCertificate(URI.create(a.managementUrl()), message(a, "C0DE", 1, hello), trusted);
        assertTrue(anonymous.text(), anonymous.text().contains("<Data>407</Data>"));

        // unenroll: one PC by command (it removes the enrollment itself), one by the admin; both are refused after
        String unenroll = queue(admin, Map.of("type", "Unenroll", "devices", List.of(ids.get(0)))).get("id").asText();
        pcs.get(0).sync();
        assertEquals(1, count(admin, unenroll, "ACKNOWLEDGED"));
        assertFalse(pcs.get(0).enrolled());
        assertEquals("UNENROLLED", admin.get("v1/devices/" + ids.get(0)).json().get("state").asText());
        assertEquals(200, admin.delete("v1/devices/" + ids.get(1)).status());
        try {
            pcs.get(1).sync();
            fail("an unenrolled PC was served");
        } catch (WindowsPc.SessionRefused e) {
            assertEquals("403", e.status);
        }

        // every SyncML message Mooring sent: well-formed and valid SyncML 1.2 (xmllint, the DTD from the testkit)
        Path dir = Files.createTempDirectory("syncml");
        Path dtd = dir.resolve("syncml12-dm.dtd");
        try (var in = WindowsPc.class.getResourceAsStream("syncml12-dm.dtd")) {
            Files.write(dtd, in.readAllBytes());
        }
        int n = 0;
        for (WindowsPc pc : pcs) {
            for (byte[] m : pc.serverMessages()) {
                Path file = dir.resolve("message-" + n++ + ".xml");
                Files.write(file, m);
                Process p = new ProcessBuilder("xmllint", "--noout", "--dtdvalid", dtd.toString(), file.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue("xmllint did not finish", p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(new String(m, StandardCharsets.UTF_8) + "\n" + out, 0, p.exitValue());
            }
        }
        assertTrue("messages checked: " + n, n >= 9);
    }

    static long pollSchedules(AdminClient admin, String device) {
        int n = 0;
        for (JsonNode d : admin.get("v1/devices/" + device + "/commands").json().path("items")) {
            n += "SetPollSchedule".equals(d.path("type").asText()) ? 1 : 0;
        }
        return n;
    }

    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                fail("not within 20 s: " + what);
            }
            Thread.sleep(100);
        }
    }

    static List<JsonNode> windowsDevices(AdminClient admin) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode d : admin.get("v1/devices?platform=windows").json().path("items")) {
            if ("windows".equals(d.path("platform").asText())) {
                out.add(d);
            }
        }
        return out;
    }

    static String cn(X509Certificate cert) throws Exception {
        for (var rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
            if (rdn.getType().equalsIgnoreCase("CN")) {
                return rdn.getValue().toString();
            }
        }
        throw new AssertionError("no CN in " + cert.getSubjectX500Principal());
    }

    static String message(WindowsPc pc, String session, int msgId, String body) {
        return "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>" + session + "</SessionID><MsgID>"
                + msgId + "</MsgID><Target><LocURI>" + pc.managementUrl() + "</LocURI></Target><Source><LocURI>" + pc.deviceId()
                + "</LocURI></Source></SyncHdr><SyncBody>" + body + "</SyncBody></SyncML>";
    }


    /** WBXML on the wire through libwbxml's command-line tools (Debian libwbxml2-utils), independent of Mooring's codec. */
    static final class LibwbxmlCodec implements WindowsPc.Codec {
        @Override
        public String contentType() {
            return WindowsPc.WBXML_TYPE;
        }

        @Override
        public byte[] encode(byte[] xml) throws IOException {
            return run("xml2wbxml", xml);
        }

        @Override
        public byte[] decode(byte[] wire) throws IOException {
            return run("wbxml2xml", wire);
        }

        private static byte[] run(String tool, byte[] input) throws IOException {
            Path in = Files.createTempFile("syncml", ".in");
            Path out = Files.createTempFile("syncml", ".out");
            try {
                Files.write(in, input);
                Process p = new ProcessBuilder(tool, "-o", out.toString(), in.toString()).redirectErrorStream(true).start();
                String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException(tool + " failed: " + said);
                }
                return Files.readAllBytes(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
            }
        }
    }
}
