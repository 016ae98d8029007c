package io.mooring.push.fcm.internal;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceState;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.spi.PushProvider.PushReport;
import io.mooring.testkit.LocalFcmServer;

/**
 * Wake-ups per second from Mooring's FCM provider (the embedded Firebase Admin SDK, OAuth included) to
 * the local FCM v1 server on this machine, for one fan-out to N devices, and the heap in use meanwhile.
 * Run on demand: {@code ./mvnw -q -pl bench exec:java -Dbench=io.mooring.push.fcm.internal.FcmBenchmark
 * -Dexec.args="100000 64"} (devices, requests at once). The server runs in the same JVM and takes its
 * share of the two cores.
 */
public final class FcmBenchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        try (LocalFcmServer fcm = LocalFcmServer.start("mooring-bench", Integer.getInteger("fcm.server.threads", 2))) {
            fcm.recordMessages(false);
            Path key = Files.createTempFile("fcm-bench", ".json");
            Files.writeString(key, fcm.serviceAccountJson());
            Map<String, Object> values = Map.of("service_account_file", key.toString(), "endpoint", fcm.endpoint(), "concurrency", concurrency);
            FcmPushProvider provider = new FcmPushProvider((FcmPushProvider.Config) Proxy.newProxyInstance(
                    FcmPushProvider.Config.class.getClassLoader(), new Class<?>[] {FcmPushProvider.Config.class},
                    (proxy, method, a) -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue()));
            TenantId tenant = TenantId.DEFAULT;
            List<Device> fleet = IntStream.range(0, n).mapToObj(i -> new Device(DeviceId.random(), tenant, new PlatformId("android"),
                    DeviceState.ENROLLED, DeviceDescription.EMPTY, Instant.now(), null,
                    new PushRegistration("fcm", "bench-token-" + i, null, null, true))).toList();
            // warm-up: OAuth token, connections, JIT
            provider.wake(fleet.subList(0, Math.min(n, 5_000))).toCompletableFuture().get(5, TimeUnit.MINUTES);

            Runtime r = Runtime.getRuntime();
            System.gc();
            AtomicLong peak = new AtomicLong();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(r.totalMemory() - r.freeMemory(), Math::max), 0, 20, TimeUnit.MILLISECONDS);
            long before = fcm.acceptedCount();
            long start = System.nanoTime();
            PushReport report = provider.wake(fleet).toCompletableFuture().get(10, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.shutdownNow();
            System.out.printf("FCM fan-out to %,d devices, %d requests at once: %.1f s, %,.0f messages/s (%,d accepted, %d rejected, "
                    + "server counted %,d); heap in use peaked at %d MB%n", n, concurrency, seconds, report.accepted() / seconds,
                    report.accepted(), report.rejected().size(), fcm.acceptedCount() - before, peak.get() >> 20);
            provider.deactivate();
        }
    }
}
