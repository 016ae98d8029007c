package io.mooring.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;


import com.fasterxml.jackson.databind.JsonNode;

import io.mooring.testkit.WindowsPc;

/**
 * OMA-DM sessions per second sustained by a running distribution, with simulated Windows PCs on the same
 * machine. Each round queues one policy (a Restrictions Atomic) to the whole Windows platform through the
 * admin API, then every PC runs one session (Alert + DevInfo → the Atomic → its Statuses → the closing
 * message). With policies per round above one (and the server sending one command a message), each session
 * runs one round trip more per policy. Reports sessions/s, OMA-DM messages/s and p50/p99 request latency; then queues 15 policy
 * commands at once and reports the wall time until every PC has run its session and core counts every
 * delivery acknowledged. Started by {@code bench/windows-sessions.sh}, which boots the distribution on H2
 * or PostgreSQL.
 *
 * Two ways in: {@code tls} (each PC straight to Mooring's HTTPS port with its client certificate, one TLS
 * connection per session as Windows keeps it, all of it done by the full simulator whose TLS shares this
 * machine with the server) and {@code proxy} (the PCs behind a TLS-terminating proxy that passes their
 * client certificate on in a header; the proxy's side is {@link ProxiedWindowsLoad}). Either way the PCs
 * enroll and report their first inventory through the full simulator.
 *
 * Arguments: base URL (http://127.0.0.1:port/), admin password, PCs, seconds, client threads, HTTPS port,
 * mode (tls or proxy), the client-certificate header the server trusts (proxy mode), policies per round (1).
 */
public final class WindowsSessionBenchmark {
    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String password = args[1];
        int n = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        int tls = Integer.parseInt(args[5]);
        String mode = args.length > 6 ? args[6] : "tls";
        String header = args.length > 7 ? args[7] : "X-Client-Certificate";
        int perRound = args.length > 8 ? Integer.parseInt(args[8]) : 1;
        // each PC keeps its own TLS connection through a session, as a real PC does: the JDK's HTTP client caches 5 per server unless told
        System.setProperty("http.maxConnections", Integer.toString(Math.max(5, 2 * n)));
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        URI discovery = URI.create("https://localhost:" + tls + "/EnrollmentServer/Discovery.svc");
        List<X509Certificate> trusted = List.of(WindowsPc.rootServedAt("127.0.0.1", tls));
        JsonNode enrollment = AppleCheckinBenchmark.post(http, base, auth, "api/v1/enrollments",
                Map.of("platform", "windows", "maxUses", n, "validForSeconds", 86_400));
        String token = enrollment.get("token").asText();
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair shared = g.generateKeyPair();

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<WindowsPc> pcs = Collections.synchronizedList(new ArrayList<>());
            long t0 = System.nanoTime();
            AtomicInteger index = new AtomicInteger();
            all(pool, n, () -> {
                WindowsPc pc = new WindowsPc("PC-" + index.incrementAndGet(), trusted, null).useKeyPair(shared);
                pc.enroll(discovery, pc.name() + "@bench.test", token);
                pcs.add(pc);
                return null;
            });
            double enrollSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("enrolled %d PCs in %.1f s (%.0f/s: discovery GET + Discover, GetPolicies, RequestSecurityToken)%n", pcs.size(),
                    enrollSeconds, pcs.size() / enrollSeconds);
            // first sessions (the inventory every new PC reports), not counted
            long i0 = System.nanoTime();
            sessions(pool, pcs);
            System.out.printf("first sessions with inventory (25 Gets each): %.1f s%n", (System.nanoTime() - i0) / 1e9);

            ProxiedWindowsLoad proxied = mode.equals("proxy") ? new ProxiedWindowsLoad(base, header, pcs, threads) : null;
            Sessions runner = proxied != null ? () -> {
                ProxiedWindowsLoad.Round r = proxied.round();
                if (r.failures() > 0) {
                    throw new IllegalStateException(r.failures() + " sessions refused");
                }
                return new Tally(r.sessions(), r.messages(), r.latencies());
            } : () -> {
                Tally t = new Tally(0, 0, new ArrayList<>());
                for (WindowsPc.Session s : sessions(pool, pcs)) {
                    t = new Tally(t.sessions() + 1, t.messages() + s.messages(), t.latencies());
                    t.latencies().addAll(s.requestNanos());
                }
                return t;
            };
            // warm-up rounds, not counted: a server that has run for a while has its hot paths compiled (on two cores the
            // JIT needs a minute or more of traffic to catch up), so the clock starts after -Dbench.warmup seconds (60)
            long warmUntil = System.nanoTime() + Duration.ofSeconds(Integer.getInteger("bench.warmup", 60)).toNanos();
            for (int warm = 0; warm == 0 || System.nanoTime() < warmUntil; warm++) {
                queuePolicies(http, base, auth, perRound, warm);
                runner.run();
            }
            System.out.printf("measuring for %d s (%s)%n", seconds, proxied != null ? "through a TLS-terminating proxy" : "TLS to each PC");
            List<Long> latencies = new ArrayList<>();
            long sessions = 0;
            long messages = 0;
            int rounds = 0;
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < deadline) {
                queuePolicies(http, base, auth, perRound, rounds);
                Tally t = runner.run();
                sessions += t.sessions();
                messages += t.messages();
                latencies.addAll(t.latencies());
                rounds++;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            latencies.sort(null);
            System.out.printf("%d rounds in %.1f s: %,.0f OMA-DM sessions/s (%.1f round trips each), %,.0f messages/s; request latency p50 %.1f ms, "
                    + "p99 %.1f ms%n", rounds, elapsed, sessions / elapsed, messages / (double) sessions, messages / elapsed,
                    AppleCheckinBenchmark.pct(latencies, 0.50), AppleCheckinBenchmark.pct(latencies, 0.99));

            List<String> ids = new ArrayList<>();
            long q0 = System.nanoTime();
            for (int i = 0; i < 15; i++) {
                ids.add(AppleCheckinBenchmark.post(http, base, auth, "api/v1/commands", Map.of("type", "Replace", "platform", "windows", "payload",
                        Map.of("items", List.of(Map.of("uri", "./Device/Vendor/MSFT/Policy/Config/Bench/Setting" + i, "format", "int", "data", i)))))
                        .get("id").asText());
            }
            long m0 = runner.run().messages();
            long acknowledged = 0;
            for (String id : ids) {
                acknowledged += get(http, base, auth, "api/v1/commands/" + id).path("deliveries").path("ACKNOWLEDGED").asLong();
            }
            System.out.printf("15 policy commands to %d PCs, each PC one session (%.1f round trips): %,d of %,d deliveries acknowledged in %.1f s%n",
                    pcs.size(), m0 / (double) pcs.size(), acknowledged, 15L * pcs.size(), (System.nanoTime() - q0) / 1e9);
            if (proxied != null) {
                proxied.close();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A round's policies: Restrictions Atomics to the whole platform, each setting differently from the round before. */
    static void queuePolicies(HttpClient http, URI base, String auth, int count, int round) throws Exception {
        for (int i = 0; i < count; i++) {
            AppleCheckinBenchmark.post(http, base, auth, "api/v1/commands", Map.of("type", "Restrictions", "platform", "windows",
                    "payload", i % 2 == 0 ? Map.of("camera", round % 2 == 0, "bluetooth", true) : Map.of("bluetooth", round % 2 == 0, "camera", true)));
        }
    }

    record Tally(long sessions, long messages, List<Long> latencies) {
    }

    /** One session of every PC. */
    interface Sessions {
        Tally run() throws Exception;
    }

    interface Task {
        Object run() throws Exception;
    }

    static void all(ExecutorService pool, int count, Task task) throws Exception {
        List<Future<Object>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(pool.submit(task::run));
        }
        for (Future<Object> f : futures) {
            f.get();
        }
    }

    static List<WindowsPc.Session> sessions(ExecutorService pool, List<WindowsPc> pcs) throws Exception {
        List<Future<WindowsPc.Session>> futures = new ArrayList<>();
        for (WindowsPc pc : pcs) {
            futures.add(pool.submit(pc::sync));
        }
        List<WindowsPc.Session> out = new ArrayList<>();
        for (Future<WindowsPc.Session> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    static JsonNode get(HttpClient http, URI base, String auth, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.ofString());
        return AppleCheckinBenchmark.JSON.readTree(r.body());
    }

}
