package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;

import io.mooring.api.DeviceId;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.PushRegistration;
import io.mooring.testkit.ExampleDevice;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A command queued through the admin API wakes each target device once through APNs (Pushy's mock APNs
 * server, HTTP/2 over TLS, checking topic and token); a token APNs calls dead is marked invalid on the
 * device and gets no further pushes. The push registrations are set as the Apple platform's TokenUpdate
 * would set them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ApnsPushIT extends MooringTestSupport {
    static final String TOPIC = "com.apple.mgmt.External.it-apns";

    @Inject
    DeviceRegistry devices;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        return distribution();
    }

    record Issued(X509Certificate cert, PrivateKey key) {
    }

    static Issued issue(String subject, Issued issuer, boolean ca, String dns) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair own = g.generateKeyPair();
        X500Name name = new X500Name(subject);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                issuer == null ? name : X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(new Random().nextInt(1 << 30)), new Date(System.currentTimeMillis() - 60_000),
                new Date(System.currentTimeMillis() + 86_400_000L), name, own.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (dns != null) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dns)));
        }
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer == null ? own.getPrivate() : issuer.key())));
        return new Issued(cert, own.getPrivate());
    }

    static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }

    static String token(int seed) {
        byte[] b = new byte[32];
        new Random(seed).nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Test
    public void aQueuedCommandWakesEachDeviceOnceAndDeadTokensAreDropped() throws Exception {
        AdminClient admin = admin();
        Issued serverCa = issue("CN=IT APNs CA", null, true, null);
        Issued server = issue("CN=localhost", serverCa, false, "localhost");
        Issued pushCa = issue("CN=IT Push CA", null, true, null);
        Issued push = issue("UID=" + TOPIC + ",CN=APSP:it,C=US", pushCa, false, null);
        String live = token(1);
        String dead = token(2);

        List<ApnsPushNotification> received = new CopyOnWriteArrayList<>();
        MockApnsServer apns = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {server.cert(), serverCa.cert()}, server.key(), null)
                .setTrustedClientCertificateChain(new ByteArrayInputStream(pem(pushCa.cert()).getBytes(StandardCharsets.US_ASCII)))
                .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(Map.of(TOPIC, Set.of(live, dead)),
                        Map.of(dead, Instant.now().minusSeconds(60)), Map.of(), Map.of()))
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification n) {
                        received.add(n);
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason r, Instant t) {
                    }
                }).build();
        int port = apns.start(0).get(10, TimeUnit.SECONDS);
        try {
            Path trust = Files.createTempFile("apns-ca", ".pem");
            Files.writeString(trust, pem(serverCa.cert()));
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("gateway", "localhost:" + port);
            props.put("trusted.server.certificate", trust.toString());
            configAdmin.getConfiguration("io.mooring.push.apns", "?").update(props);

            AdminClient.Answer uploaded = admin.post("v1/push-certificates", Map.of("pem", pem(push.cert()) + pem(push.key())));
            assertEquals(uploaded.body(), 201, uploaded.status());

            List<ExampleDevice> fleet = enrollFleet(admin, "apns", 3);
            DeviceId a = DeviceId.parse(fleet.get(0).deviceId());
            DeviceId b = DeviceId.parse(fleet.get(1).deviceId());
            DeviceId c = DeviceId.parse(fleet.get(2).deviceId());
            devices.updatePush(a, new PushRegistration("apns", live, TOPIC, "magic-a", true));
            devices.updatePush(b, new PushRegistration("apns", dead, TOPIC, "magic-b", true));
            devices.updatePush(c, new PushRegistration("apns", live, TOPIC, "magic-c", false));

            queue(admin, Map.of("type", "Restart", "devices", List.of(a.toString(), b.toString(), c.toString())));
            await(Duration.ofSeconds(30), "device b's dead token to be marked invalid",
                    () -> !admin.get("v1/devices/" + b).json().get("push").get("valid").asBoolean());
            await(Duration.ofSeconds(10), "device a's wake-up", () -> received.size() == 1);
            assertEquals("{\"mdm\":\"magic-a\"}", received.get(0).getPayload());
            assertEquals(TOPIC, received.get(0).getTopic());
            assertEquals(live, received.get(0).getToken());

            queue(admin, Map.of("type", "Restart", "devices", List.of(a.toString(), b.toString(), c.toString())));
            await(Duration.ofSeconds(10), "the second wake-up of device a", () -> received.size() == 2);
            Thread.sleep(500);
            assertEquals("only device a, once per command", 2, received.size());
            assertTrue(received.stream().allMatch(n -> n.getPayload().equals("{\"mdm\":\"magic-a\"}")));
            String audit = admin.get("v1/audit?action=device.push_invalid").body();
            assertTrue(audit, audit.contains(b.toString()));

            // a device on a topic the tenant has no certificate for: the problem shows in the admin API
            String missing = "com.apple.mgmt.External.missing";
            devices.updatePush(c, new PushRegistration("apns", live, missing, "magic-c", true));
            queue(admin, Map.of("type", "Restart", "devices", List.of(c.toString())));
            await(Duration.ofSeconds(10), "the missing push certificate to be reported",
                    () -> admin.get("v1/push/status").body().contains(missing));
            assertTrue(admin.get("v1/push/status").body().contains("no push certificate"));
        } finally {
            apns.shutdown().get(10, TimeUnit.SECONDS);
        }
    }
}
