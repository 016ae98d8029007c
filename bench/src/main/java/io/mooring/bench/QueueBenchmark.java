package io.mooring.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import io.mooring.api.Actor;
import io.mooring.api.CommandId;
import io.mooring.api.CommandType;
import io.mooring.api.DeviceId;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.persistence.internal.TestDatabase;
import io.mooring.persistence.internal.TestStores;

/**
 * The command queue at fleet scale, on the real stores, on H2 and on PostgreSQL:
 * <ol>
 * <li>one command fanned out to every one of N enrolled devices (one command row, N delivery rows);</li>
 * <li>next-command lookups for random devices against a queue of about 10 rows per device, from T threads
 * (each lookup is the device's next command marked SENT, as a check-in does).</li>
 * </ol>
 * Run on demand: {@code ./mvnw -q -pl bench exec:java -Dexec.args="100000 8"} (devices, threads).
 * Prints figures; asserts nothing.
 */
public final class QueueBenchmark {
    private static final Actor BENCH = new Actor(Actor.Kind.SYSTEM, "bench");
    private static final PlatformId PLATFORM = new PlatformId("bench");

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        List<TestDatabase.Kind> kinds = new ArrayList<>(List.of(TestDatabase.Kind.H2));
        String unavailable = TestDatabase.postgresUnavailableReason();
        if (unavailable == null) {
            kinds.add(TestDatabase.Kind.POSTGRES);
        } else {
            System.out.println("PostgreSQL skipped: " + unavailable);
        }
        System.out.printf("%-9s %9s %16s %16s %12s %14s%n", "database", "devices", "fan-out (s)", "fan-out rows/s", "queue rows", "lookups/s");
        for (TestDatabase.Kind kind : kinds) {
            try (TestStores stores = new TestStores(TestDatabase.create(kind))) {
                run(kind, stores, devices, threads);
            }
        }
    }

    private static void run(TestDatabase.Kind kind, TestStores stores, int devices, int threads) throws Exception {
        TenantId tenant = TenantId.DEFAULT;
        List<DeviceId> ids = seedDevices(stores, tenant, devices);

        // warm-up on a small platform-wide command, then the measured fan-out
        stores.commands.insertForDevices(tenant, CommandId.random(), new CommandType("Warmup"), Map.of(), BENCH, Instant.now(), null, ids.subList(0, Math.min(1000, ids.size())));
        long start = System.nanoTime();
        stores.commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Restart"), Map.of("reason", "bench"), BENCH, Instant.now(), null, PLATFORM);
        double fanOutSeconds = (System.nanoTime() - start) / 1e9;

        // fill the queue to about 10 rows per device
        for (int i = 0; i < 8; i++) {
            stores.commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Lock"), Map.of("n", i), BENCH, Instant.now(), null, PLATFORM);
        }
        long queueRows = (long) devices * 9 + 1000;

        int lookupsPerThread = Math.max(2_000, 40_000 / threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> futures = new ArrayList<>();
        start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int found = 0;
                for (int i = 0; i < lookupsPerThread; i++) {
                    DeviceId d = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                    found += stores.commands.nextFor(d, 1, Instant.now()).size();
                }
                return found;
            }));
        }
        int found = 0;
        for (Future<Integer> f : futures) {
            found += f.get();
        }
        double lookupSeconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long lookups = (long) lookupsPerThread * threads;
        if (found != lookups) {
            System.out.println("warning: " + (lookups - found) + " lookups found no command");
        }
        System.out.printf("%-9s %9d %16.3f %16.0f %12d %14.0f%n", kind, devices, fanOutSeconds, devices / fanOutSeconds, queueRows,
                lookups / lookupSeconds);
    }

    /** Enrolled devices written directly (enrollment itself is not what is measured here). */
    private static List<DeviceId> seedDevices(TestStores stores, TenantId tenant, int n) throws Exception {
        List<DeviceId> ids = new ArrayList<>(n);
        try (Connection c = stores.database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO device (id, tenant_id, platform, state, name, push_valid, enrolled_at) "
                    + "VALUES (?, ?, ?, 'ENROLLED', ?, FALSE, ?)")) {
                Timestamp now = Timestamp.from(Instant.now());
                for (int i = 0; i < n; i++) {
                    UUID id = UUID.randomUUID();
                    ids.add(new DeviceId(id));
                    p.setString(1, id.toString());
                    p.setString(2, tenant.value());
                    p.setString(3, PLATFORM.value());
                    p.setString(4, "bench-" + i);
                    p.setTimestamp(5, now);
                    p.addBatch();
                    if (i % 5_000 == 4_999) {
                        p.executeBatch();
                    }
                }
                p.executeBatch();
            }
            c.commit();
        }
        return ids;
    }
}
