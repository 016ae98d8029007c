package io.mooring.push.apns.internal;

import static io.mooring.push.apns.internal.TestCertificates.issue;
import static io.mooring.push.apns.internal.TestCertificates.pem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceState;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.push.apns.internal.TestCertificates.Issued;
import io.mooring.spi.PushProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Wake-ups through Pushy's own mock APNs server (HTTP/2 over TLS, client-certificate authentication, the
 * topic checked against the certificate's UID, tokens checked against those it knows).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApnsSenderTest {
    static final String TOPIC = "com.apple.mgmt.External.test-topic";
    static final TenantId TENANT = TenantId.DEFAULT;

    MockApnsServer server;
    ApnsClient client;
    int port;
    Issued serverCaKept;
    final List<ApnsPushNotification> received = new CopyOnWriteArrayList<>();
    final String liveToken = token(1);
    final String expiredToken = token(2);
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    static String token(int seed) {
        byte[] b = new byte[32];
        new Random(seed).nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @BeforeAll
    void start() throws Exception {
        Issued serverCa = issue("CN=Test APNs CA", null, true, null);
        Issued serverCert = issue("CN=localhost", serverCa, false, "localhost");
        Issued clientCa = issue("CN=Test Push CA", null, true, null);
        Issued push = issue("UID=" + TOPIC + ",CN=APSP:test,C=US", clientCa, false, null);

        server = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {serverCert.cert(), serverCa.cert()}, serverCert.key(), null)
                .setTrustedClientCertificateChain(new ByteArrayInputStream(pem(clientCa.cert()).getBytes(StandardCharsets.US_ASCII)))
                .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(Map.of(TOPIC, Set.of(liveToken, expiredToken)),
                        Map.of(expiredToken, Instant.now().minusSeconds(3600)), Map.of(), Map.of()))
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification n) {
                        received.add(n);
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason r, Instant t) {
                    }
                })
                .build();
        port = server.start(0).get(10, TimeUnit.SECONDS);
        serverCaKept = serverCa;
        client = new ApnsClientBuilder().setApnsServer("localhost", port).setClientCredentials(push.cert(), push.key(), null)
                .setTrustedServerCertificateChain(serverCa.cert()).build();
    }

    @AfterAll
    void stop() throws Exception {
        client.close().get(10, TimeUnit.SECONDS);
        server.shutdown().get(10, TimeUnit.SECONDS);
        scheduler.shutdownNow();
    }

    static Device device(String token, String topic, String magic) {
        return new Device(DeviceId.random(), TENANT, new PlatformId("apple"), DeviceState.ENROLLED, DeviceDescription.EMPTY, Instant.now(), null,
                new PushRegistration("apns", token, topic, magic, true));
    }

    @Test
    void wakeUpsReachLiveTokensAndDeadTokensAreReportedForInvalidation() throws Exception {
        received.clear();
        ApnsSender sender = new ApnsSender((tenant, topic) -> TOPIC.equals(topic) ? client : null, 100, 2, Duration.ofMillis(50), scheduler);
        Device live = device(liveToken, TOPIC, "magic-live");
        Device expired = device(expiredToken, TOPIC, "magic-expired");
        Device unknown = device(token(3), TOPIC, "magic-unknown");
        Device otherTopic = device(liveToken, "com.apple.mgmt.External.not-ours", "m");
        Device noMagic = new Device(DeviceId.random(), TENANT, new PlatformId("apple"), DeviceState.ENROLLED, DeviceDescription.EMPTY, Instant.now(),
                null, new PushRegistration("apns", liveToken, TOPIC, null, true));

        PushProvider.PushReport report = sender.wake(List.of(live, expired, unknown, otherTopic, noMagic)).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(report.accepted()).isEqualTo(1);
        assertThat(received).singleElement().satisfies(n -> {
            assertThat(n.getToken()).isEqualTo(liveToken);
            assertThat(n.getTopic()).isEqualTo(TOPIC);
            assertThat(n.getPayload()).isEqualTo("{\"mdm\":\"magic-live\"}");
        });
        assertThat(report.rejected()).filteredOn(PushProvider.Rejection::tokenInvalid).extracting(PushProvider.Rejection::device)
                .containsExactlyInAnyOrder(expired.id(), unknown.id());
        assertThat(report.rejected()).filteredOn(r -> !r.tokenInvalid()).extracting(PushProvider.Rejection::device)
                .containsExactlyInAnyOrder(otherTopic.id(), noMagic.id());
    }

    @Test
    void aFanOutStreamsWithABoundedNumberInFlight() throws Exception {
        received.clear();
        ApnsSender sender = new ApnsSender((tenant, topic) -> client, 16, 2, Duration.ofMillis(50), scheduler);
        List<Device> fleet = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            fleet.add(device(liveToken, TOPIC, "m" + i));
        }
        PushProvider.PushReport report = sender.wake(fleet).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(report.accepted()).isEqualTo(500);
        assertThat(report.rejected()).isEmpty();
        assertThat(received).hasSize(500);
    }

    @Test
    void aCertificateApnsRefusesIsReportedAsAProblemOfItsTopic() throws Exception {
        // a push certificate from a CA the gateway does not trust: the TLS handshake fails, as with an expired or revoked one
        Issued strangerCa = issue("CN=Stranger CA", null, true, null);
        Issued stranger = issue("UID=" + TOPIC + ",CN=APSP:stranger", strangerCa, false, null);
        ApnsClient refused = new ApnsClientBuilder().setApnsServer("localhost", port).setClientCredentials(stranger.cert(), stranger.key(), null)
                .setTrustedServerCertificateChain(serverCaKept.cert()).build();
        List<String> problems = new CopyOnWriteArrayList<>();
        List<String> reached = new CopyOnWriteArrayList<>();
        ApnsSender.Health health = new ApnsSender.Health() {
            @Override
            public void reached(TenantId tenant, String topic) {
                reached.add(topic);
            }

            @Override
            public void unreachable(TenantId tenant, String topic, String problem) {
                problems.add(topic + ": " + problem);
            }
        };
        try {
            PushProvider.PushReport report = new ApnsSender((tenant, topic) -> refused, 10, 0, Duration.ofMillis(10), scheduler, health)
                    .wake(List.of(device(liveToken, TOPIC, "m"))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(report.accepted()).isZero();
            assertThat(report.rejected()).singleElement().satisfies(r -> assertThat(r.tokenInvalid()).isFalse());
            assertThat(problems).as(report.toString()).singleElement().satisfies(p -> assertThat(p).startsWith(TOPIC + ": "));

            new ApnsSender((tenant, topic) -> client, 10, 0, Duration.ofMillis(10), scheduler, health)
                    .wake(List.of(device(liveToken, TOPIC, "m"))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(reached).containsExactly(TOPIC);
        } finally {
            refused.close().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void appTopicsGetABackgroundPushAuthenticatedWithTheApnsKey() throws Exception {
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        KeyPair keys = ec.generateKeyPair();
        var signing = new com.eatthepath.pushy.apns.auth.ApnsSigningKey("KEYID12345", "TEAMID1234", (java.security.interfaces.ECPrivateKey) keys.getPrivate());
        var verification = new com.eatthepath.pushy.apns.auth.ApnsVerificationKey("KEYID12345", "TEAMID1234",
                (java.security.interfaces.ECPublicKey) keys.getPublic());
        String appTopic = "io.mooring.agent";
        Issued ca = issue("CN=Token APNs CA", null, true, null);
        Issued cert = issue("CN=localhost", ca, false, "localhost");
        List<ApnsPushNotification> got = new CopyOnWriteArrayList<>();
        MockApnsServer tokenServer = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {cert.cert(), ca.cert()}, cert.key(), null)
                .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(Map.of(appTopic, Set.of(liveToken)), Map.of(),
                        Map.of("KEYID12345", verification), Map.of(verification, Set.of(appTopic))))
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification n) {
                        got.add(n);
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification n, RejectionReason r, Instant t) {
                    }
                }).build();
        int tokenPort = tokenServer.start(0).get(10, TimeUnit.SECONDS);
        ApnsClient tokenClient = new ApnsClientBuilder().setApnsServer("localhost", tokenPort).setSigningKey(signing)
                .setTrustedServerCertificateChain(ca.cert()).build();
        try {
            Device app = new Device(DeviceId.random(), TENANT, new PlatformId("android"), DeviceState.ENROLLED, DeviceDescription.EMPTY, Instant.now(),
                    null, new PushRegistration("apns", liveToken, appTopic, null, true));
            PushProvider.PushReport report = new ApnsSender((tenant, topic) -> tokenClient, 10, 0, Duration.ofMillis(10), scheduler)
                    .wake(List.of(app)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(report.accepted()).as(report.toString()).isEqualTo(1);
            assertThat(got).singleElement().satisfies(n -> {
                assertThat(n.getPayload()).isEqualTo(ApnsSender.APP_WAKE_UP);
                assertThat(n.getTopic()).isEqualTo(appTopic);
            });
        } finally {
            tokenClient.close().get(10, TimeUnit.SECONDS);
            tokenServer.shutdown().get(10, TimeUnit.SECONDS);
        }
    }
}
