package io.mooring.push.apns.internal;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.mooring.push.apns.internal.TestCertificates.issue;
import static io.mooring.push.apns.internal.TestCertificates.pem;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceState;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.push.apns.internal.TestCertificates.Issued;

/**
 * Pushes per second to Pushy's mock APNs server on this machine, with 1 and with 4 connections: raw Pushy
 * from a bare loop (same bound on notifications in flight) beside Mooring's fan-out path
 * ({@link ApnsSender}), and the heap in use during Mooring's fan-out. Run on demand:
 * {@code ./mvnw -q -pl bench exec:java -Dbench=io.mooring.push.apns.internal.ApnsBenchmark -Dexec.args="100000"}.
 */
public final class ApnsBenchmark {
    static final String TOPIC = "com.apple.mgmt.External.bench";
    static final int IN_FLIGHT = 2_000;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Issued serverCa = issue("CN=Bench APNs CA", null, true, null);
        Issued server = issue("CN=localhost", serverCa, false, "localhost");
        Issued pushCa = issue("CN=Bench Push CA", null, true, null);
        Issued push = issue("UID=" + TOPIC + ",CN=APSP:bench", pushCa, false, null);
        MockApnsServer apns = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {server.cert(), serverCa.cert()}, server.key(), null)
                .setTrustedClientCertificateChain(new ByteArrayInputStream(pem(pushCa.cert()).getBytes(StandardCharsets.US_ASCII)))
                .setHandlerFactory(new AcceptAllPushNotificationHandlerFactory()).build();
        int port = apns.start(0).get(10, TimeUnit.SECONDS);
        String token = HexFormat.of().formatHex(new byte[32]);
        List<Device> fleet = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fleet.add(new Device(DeviceId.random(), TenantId.DEFAULT, new PlatformId("apple"), DeviceState.ENROLLED, DeviceDescription.EMPTY,
                    Instant.now(), null, new PushRegistration("apns", token, TOPIC, "magic-" + i, true)));
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        System.out.printf("%-12s %6s %12s%n", "path", "conns", "pushes/s");
        try {
            for (int connections : new int[] {1, 4}) {
                ApnsClient client = new ApnsClientBuilder().setApnsServer("localhost", port).setClientCredentials(push.cert(), push.key(), null)
                        .setTrustedServerCertificateChain(serverCa.cert()).setConcurrentConnections(connections).build();
                ApnsSender sender = new ApnsSender((tenant, topic) -> client, IN_FLIGHT, 3, Duration.ofMillis(100), scheduler);
                // warm both paths up alike before measuring either, so neither gains from the other's JIT work
                raw(client, token, n / 2);
                sender.wake(fleet.subList(0, n / 2)).toCompletableFuture().get();
                double raw = raw(client, token, n);
                System.out.printf("%-12s %6d %12.0f%n", "raw Pushy", connections, raw);
                AtomicLong peak = new AtomicLong();
                AtomicBoolean running = new AtomicBoolean(true);
                Thread sampler = new Thread(() -> {
                    while (running.get()) {
                        Runtime r = Runtime.getRuntime();
                        peak.accumulateAndGet(r.totalMemory() - r.freeMemory(), Math::max);
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                System.gc();
                sampler.start();
                long start = System.nanoTime();
                var report = sender.wake(fleet).toCompletableFuture().get(10, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - start) / 1e9;
                running.set(false);
                sampler.join();
                System.out.printf("%-12s %6d %12.0f   (%d accepted, %d rejected; heap in use peaked at %d MB)%n", "Mooring", connections,
                        report.accepted() / seconds, report.accepted(), report.rejected().size(), peak.get() >> 20);
                client.close().get(10, TimeUnit.SECONDS);
            }
        } finally {
            scheduler.shutdownNow();
            apns.shutdown().get(10, TimeUnit.SECONDS);
        }
    }

    /** The reference: the same notifications from a bare loop, with the same bound in flight. */
    static double raw(ApnsClient client, String token, int n) throws Exception {
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<?>> all = new ArrayList<>(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            all.add(client.sendNotification(new SimpleApnsPushNotification(token, TOPIC, "{\"mdm\":\"magic-" + i + "\"}", Instant.now().plusSeconds(3600),
                    DeliveryPriority.IMMEDIATE, PushType.MDM)).whenComplete((r, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
