package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;
import javax.naming.ldap.LdapName;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.fasterxml.jackson.databind.JsonNode;

import io.mooring.testkit.AppleDevice;
import io.mooring.testkit.AppleNetwork;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Simulated iPhones, iPads and Macs go through the whole life against the distribution: enrollment
 * profile (verified signature) → SCEP identity from Mooring's CA → Authenticate / TokenUpdate signed with
 * it → woken by pushes through Pushy's mock APNs server → inventory → lock → lost mode → erase / check
 * out. Everything an admin does goes through the admin API.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AppleMdmIT extends MooringTestSupport {
    static final String TOPIC = "com.apple.mgmt.External.it-apple";

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        return distribution();
    }

    static String deviceId(AppleDevice d) throws Exception {
        for (var rdn : new LdapName(d.identity().getSubjectX500Principal().getName()).getRdns()) {
            if (rdn.getType().equalsIgnoreCase("CN")) {
                return rdn.getValue().toString();
            }
        }
        throw new AssertionError("no CN in " + d.identity().getSubjectX500Principal());
    }

    @Test
    public void simulatedDevicesGoThroughTheWholeLife() throws Exception {
        AdminClient admin = admin();
        ApnsPushIT.Issued serverCa = ApnsPushIT.issue("CN=IT APNs CA", null, true, null);
        ApnsPushIT.Issued server = ApnsPushIT.issue("CN=localhost", serverCa, false, "localhost");
        ApnsPushIT.Issued pushCa = ApnsPushIT.issue("CN=IT Push CA", null, true, null);
        ApnsPushIT.Issued push = ApnsPushIT.issue("UID=" + TOPIC + ",CN=APSP:it", pushCa, false, null);

        String platforms = admin.get("v1/platforms").body();
        assertTrue(platforms, platforms.contains("\"EnrollmentLinks\"") && platforms.contains("\"TargetCheck\""));

        // no push certificate yet: the profile download says what is missing and enrolls nothing
        AdminClient.Answer early = admin.post("v1/enrollments", Map.of("platform", "apple", "maxUses", 1));
        assertEquals(early.body(), 201, early.status());
        AppleDevice tooEarly = AppleDevice.ofKind(AppleDevice.Kind.IPHONE, "too-early", AppleNetwork.trusting());
        try {
            tooEarly.enroll(URI.create(early.json().get("enrollmentUrl").asText()));
            throw new AssertionError("a profile was handed out without a push certificate");
        } catch (RuntimeException expected) {
            assertEquals(AppleDevice.State.NEW, tooEarly.state());
            assertEquals(503, tooEarly.lastStatus(AppleDevice.Call.PROFILE).orElse(0));
        }

        Map<String, AppleDevice> byToken = new ConcurrentHashMap<>();
        List<ApnsPushNotification> pushes = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService wakeUps = Executors.newFixedThreadPool(4);
        MockApnsServer apns = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {server.cert(), serverCa.cert()}, server.key(), null)
                .setTrustedClientCertificateChain(new ByteArrayInputStream(ApnsPushIT.pem(pushCa.cert()).getBytes(StandardCharsets.US_ASCII)))
                .setHandlerFactory(new AcceptAllPushNotificationHandlerFactory())
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification n) {
                        pushes.add(n);
                        AppleDevice d = byToken.get(n.getToken());
                        String magic = n.getPayload().replaceAll(".*\"mdm\":\"([^\"]+)\".*", "$1");
                        if (d != null) {
                            d.pushReceivedLater(magic, wakeUps);
                        }
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason r, Instant t) {
                    }
                }).build();
        int port = apns.start(0).get(10, TimeUnit.SECONDS);
        try {
            Path trust = Files.createTempFile("apns-ca", ".pem");
            Files.writeString(trust, ApnsPushIT.pem(serverCa.cert()));
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("gateway", "localhost:" + port);
            props.put("trusted.server.certificate", trust.toString());
            configAdmin.getConfiguration("io.mooring.push.apns", "?").update(props);
            AdminClient.Answer uploaded = admin.post("v1/push-certificates", Map.of("pem", ApnsPushIT.pem(push.cert()) + ApnsPushIT.pem(push.key())));
            assertEquals(uploaded.body(), 201, uploaded.status());

            // enrollment: one token for the fleet, a URL and a QR code
            AdminClient.Answer enrollment = admin.post("v1/enrollments", Map.of("platform", "apple", "maxUses", 4));
            assertEquals(enrollment.body(), 201, enrollment.status());
            URI url = URI.create(enrollment.json().get("enrollmentUrl").asText());
            assertTrue(enrollment.json().get("qrCodeUrl").asText().endsWith("/qr.png"));
            java.net.http.HttpResponse<byte[]> qr = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create(base() + enrollment.json().get("qrCodeUrl").asText().replaceFirst("^https://localhost:\\d+/", ""))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, qr.statusCode());
            assertEquals("image/png", qr.headers().firstValue("Content-Type").orElse(""));
            List<AppleDevice> fleet = List.of(
                    AppleDevice.ofKind(AppleDevice.Kind.IPHONE, "phone", AppleNetwork.trusting()).supervised(true),
                    AppleDevice.ofKind(AppleDevice.Kind.IPAD, "pad", AppleNetwork.trusting()).binaryPlists(true),
                    AppleDevice.ofKind(AppleDevice.Kind.MAC, "mac", AppleNetwork.trusting()));
            List<String> ids = new ArrayList<>();
            for (AppleDevice d : fleet) {
                d.enroll(url);
                assertEquals(d + " " + d.exchanges(), AppleDevice.State.ENROLLED, d.state());
                byToken.put(d.pushToken(), d);
                ids.add(deviceId(d));
                JsonNode record = admin.get("v1/devices/" + deviceId(d)).json();
                assertEquals("apple", record.get("platform").asText());
                assertEquals(d.udid(), record.get("hardwareId").asText());
                assertEquals(TOPIC, record.get("push").get("topic").asText());
                assertTrue(record.get("push").get("valid").asBoolean());
            }

            // inventory: DeviceInformation, SecurityInfo and the app list to all three, woken by APNs
            for (String type : List.of("DeviceInformation", "SecurityInfo", "InstalledApplicationList")) {
                queue(admin, Map.of("type", type, "devices", ids));
            }
            for (String id : ids) {
                await(Duration.ofSeconds(60), "inventory of " + id, () -> {
                    JsonNode facts = admin.get("v1/devices/" + id + "/inventory").json().path("facts");
                    return facts.has("DeviceInformation") && facts.has("SecurityInfo") && facts.has("InstalledApplicationList");
                });
            }
            JsonNode phone = admin.get("v1/devices/" + ids.get(0)).json();
            assertEquals(fleet.get(0).serialNumber(), phone.get("serialNumber").asText());
            assertTrue(pushes.stream().allMatch(n -> n.getTopic().equals(TOPIC)));

            // a macOS-only command to the iPhone, a supervised-only one to the unsupervised iPad: refused, nothing queued
            AdminClient.Answer macOnly = admin.post("v1/commands", Map.of("type", "SetAutoAdminPassword", "devices", List.of(ids.get(0)),
                    "payload", Map.of("GUID", "x", "passwordHash", "AAAA")));
            assertEquals(macOnly.body(), 400, macOnly.status());
            assertTrue(macOnly.body(), macOnly.body().contains("not available on iOS"));
            AdminClient.Answer unsupervised = admin.post("v1/commands", Map.of("type", "EnableLostMode", "devices", List.of(ids.get(1)),
                    "payload", Map.of("Message", "Lost")));
            assertEquals(unsupervised.body(), 400, unsupervised.status());
            assertTrue(unsupervised.body(), unsupervised.body().contains("supervised"));
            AdminClient.Answer badPayload = admin.post("v1/commands", Map.of("type", "DeviceLock", "devices", List.of(ids.get(0)),
                    "payload", Map.of("Mesage", "typo")));
            assertEquals(badPayload.body(), 400, badPayload.status());
            assertTrue(badPayload.body(), badPayload.body().contains("Mesage"));

            // lock, lost mode on the supervised iPhone, locate it, then erase it; the Mac checks out
            String lock = queue(admin, Map.of("type", "DeviceLock", "devices", ids, "payload", Map.of("Message", "Call IT", "PhoneNumber", "+1 555 0100")))
                    .get("id").asText();
            await(Duration.ofSeconds(60), "the lock to be acknowledged by all", () -> count(admin, lock, "ACKNOWLEDGED") == 3);
            assertTrue(fleet.get(0).isLocked());
            String lost = queue(admin, Map.of("type", "EnableLostMode", "devices", List.of(ids.get(0)), "payload", Map.of("Message", "Lost"))).get("id").asText();
            await(Duration.ofSeconds(30), "lost mode", () -> count(admin, lost, "ACKNOWLEDGED") == 1);
            assertTrue(fleet.get(0).isInLostMode());
            String locate = queue(admin, Map.of("type", "DeviceLocation", "devices", List.of(ids.get(0)))).get("id").asText();
            await(Duration.ofSeconds(30), "the location", () -> count(admin, locate, "ACKNOWLEDGED") == 1);
            String history = admin.get("v1/devices/" + ids.get(0) + "/commands").body();
            assertTrue(history, history.contains("Latitude"));

            String erase = queue(admin, Map.of("type", "EraseDevice", "devices", List.of(ids.get(0)))).get("id").asText();
            await(Duration.ofSeconds(30), "the erase", () -> count(admin, erase, "ACKNOWLEDGED") == 1);
            assertEquals(AppleDevice.State.WIPED, fleet.get(0).state());

            assertTrue(fleet.get(2).checkOut().orElse(0) == 200);
            assertEquals("UNENROLLED", admin.get("v1/devices/" + ids.get(2)).json().get("state").asText());
            // its identity no longer works
            assertEquals(401, fleet.get(2).send(fleet.get(2).profile().orElseThrow().mdm().serverUrl(),
                    fleet.get(2).encode(Map.of("UDID", fleet.get(2).udid(), "Status", "Idle")), true).status());

            // bad input from a device: unsigned, and another device's UDID under the iPad's identity
            AppleDevice pad = fleet.get(1);
            URI checkin = pad.profile().orElseThrow().mdm().checkInUrl();
            assertEquals(401, pad.send(checkin, pad.encode(pad.checkInPlist("TokenUpdate")), false).status());
            // unsigned, but over a TLS connection on which the device presents its identity: accepted
            assertEquals(200, putWithClientCertificate(pad, pad.profile().orElseThrow().mdm().serverUrl(),
                    pad.encode(Map.of("UDID", pad.udid(), "Status", "Idle"))));
            // the iPad renews its identity by SCEP (a RenewalReq signed with the current one): the renewed identity is
            // accepted and bound from its first message, the one it replaced is refused from then on
            X509Certificate before = pad.identity();
            java.security.PrivateKey beforeKey = pad.identityKey();
            X509Certificate renewed = pad.renewIdentity();
            assertFalse(renewed.getSerialNumber().equals(before.getSerialNumber()));
            assertEquals(before.getSubjectX500Principal(), renewed.getSubjectX500Principal());
            assertEquals(AppleDevice.Outcome.DONE, pad.checkIn().outcome());
            JsonNode issued = admin.get("v1/certificates?limit=100").json().get("items");
            Map<String, String> statuses = new java.util.HashMap<>();
            issued.forEach(c -> statuses.put(c.get("serial").asText(), c.get("status").asText()));
            assertEquals("the replaced identity is revoked", "REVOKED", statuses.get(before.getSerialNumber().toString(16)));
            assertEquals("VALID", statuses.get(renewed.getSerialNumber().toString(16)));
            assertEquals(401, putWithClientCertificate(before, beforeKey, pad, pad.profile().orElseThrow().mdm().serverUrl(),
                    pad.encode(Map.of("UDID", pad.udid(), "Status", "Idle"))));
            assertEquals(200, putWithClientCertificate(pad, pad.profile().orElseThrow().mdm().serverUrl(),
                    pad.encode(Map.of("UDID", pad.udid(), "Status", "Idle"))));
            Map<String, Object> forged = new java.util.HashMap<>(pad.checkInPlist("TokenUpdate"));
            forged.put("UDID", fleet.get(0).udid());
            assertEquals(401, pad.send(checkin, pad.encode(forged), true).status());
            assertEquals(fleet.get(1).udid(), admin.get("v1/devices/" + ids.get(1)).json().get("hardwareId").asText());
            assertFalse(Set.of(200).contains(pad.send(checkin, "<plist><dict><key>MessageType</key>".getBytes(StandardCharsets.UTF_8), true).status()));
            // a huge message is refused before it is read (413, or the connection closed while the client still sends),
            // and the device's state is untouched: it still checks in
            int huge = pad.send(pad.profile().orElseThrow().mdm().serverUrl(), new byte[17 << 20], true).status();
            assertTrue("huge result answered " + huge, huge == 413 || huge == 0);
            int big = pad.send(checkin, new byte[(1 << 20) + 1], true).status();
            assertTrue("huge check-in answered " + big, big == 413 || big == 0);
            assertEquals("ENROLLED", admin.get("v1/devices/" + ids.get(1)).json().get("state").asText());
            assertEquals(AppleDevice.Outcome.DONE, pad.checkIn().outcome());
        } finally {
            wakeUps.shutdownNow();
            apns.shutdown().get(10, TimeUnit.SECONDS);
        }
    }

    /** A PUT over HTTPS with the device's identity as TLS client certificate and no Mdm-Signature; the HTTP status. */
    static int putWithClientCertificate(AppleDevice device, URI uri, byte[] body) throws Exception {
        return putWithClientCertificate(device.identity(), device.identityKey(), device, uri, body);
    }

    /** The same with a given identity (one the device held before, say), trusting the anchors of the device's profile. */
    static int putWithClientCertificate(X509Certificate identity, java.security.PrivateKey key, AppleDevice device, URI uri, byte[] body)
            throws Exception {
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("identity", key, new char[0], new java.security.cert.Certificate[] {identity});
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate anchor : device.profile().orElseThrow().anchors()) {
            trust.setCertificateEntry("anchor-" + i++, anchor);
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        javax.net.ssl.HttpsURLConnection c = (javax.net.ssl.HttpsURLConnection) uri.toURL().openConnection();
        c.setSSLSocketFactory(tls.getSocketFactory());
        c.setRequestMethod("PUT");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", AppleDevice.CONNECT_CONTENT_TYPE);
        c.getOutputStream().write(body);
        int status = c.getResponseCode();
        c.disconnect();
        return status;
    }
}
