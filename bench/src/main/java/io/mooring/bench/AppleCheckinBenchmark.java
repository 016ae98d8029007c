package io.mooring.bench;

import java.io.StringWriter;
import java.math.BigInteger;
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
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mooring.testkit.AppleDevice;
import io.mooring.testkit.AppleFleet;
import io.mooring.testkit.AppleNetwork;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Apple check-ins per second sustained by a running distribution, with simulated devices on the same
 * machine: each round queues one command to every Apple device (one fan-out through the admin API), then
 * every device connects (Idle → the command → Acknowledged → nothing more: two requests). Reports
 * requests/s and connections/s with p50/p99 latency of the connect requests, and the wall time of the
 * first round (one command reaching and acknowledged by every device). Started by {@code bench/apple-checkins.sh},
 * which boots the distribution on H2 or PostgreSQL.
 *
 * Two ways in: {@code proxy} (the figure for production: devices reach Mooring through a TLS-terminating
 * proxy that passes their client certificate on in a header; the proxy's side is {@link ProxiedAppleLoad})
 * and {@code signed} (devices straight to Mooring's HTTPS port, each message with its Mdm-Signature, all
 * of it done by the full simulator, whose TLS and RSA signing share this machine with the server).
 * Either way the devices enroll through the full simulator first (sharing one RSA key, each its own certificate).
 *
 * Arguments: base URL (http://127.0.0.1:port/), admin password, devices, seconds, client threads, mode
 * (proxy or signed), the client-certificate header the server trusts (proxy mode).
 */
public final class AppleCheckinBenchmark {
    static final String TOPIC = "com.apple.mgmt.External.bench";
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String password = args[1];
        int n = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        String mode = args.length > 5 ? args[5] : "proxy";
        String header = args.length > 6 ? args[6] : "X-Client-Certificate";
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));

        post(http, base, auth, "api/v1/push-certificates", Map.of("pem", pushCertificatePem()));
        JsonNode enrollment = post(http, base, auth, "api/v1/enrollments", Map.of("platform", "apple", "maxUses", n, "validForSeconds", 86_400));
        URI url = URI.create(enrollment.get("enrollmentUrl").asText());

        try (AppleFleet fleet = AppleFleet.of(AppleNetwork.trusting(), n, threads, AppleDevice.Kind.IPHONE, AppleDevice.Kind.IPAD, AppleDevice.Kind.MAC)) {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            KeyPair shared = rsa.generateKeyPair();
            fleet.devices().forEach(d -> d.useKeyPair(shared));
            long t0 = System.nanoTime();
            int enrolled = fleet.enrollAll(d -> url);
            double enrollSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("enrolled %d of %d devices in %.1f s (%.0f/s: profile, SCEP, Authenticate, TokenUpdate)%n", enrolled, n,
                    enrollSeconds, enrolled / enrollSeconds);

            if (mode.equals("proxy")) {
                proxied(http, base, auth, new ProxiedAppleLoad(base, header, fleet.devices(), threads), seconds);
                return;
            }
            // warm-up round, not counted
            round(http, base, auth, fleet);
            System.out.printf("measuring for %d s%n", seconds);
            List<Long> latencies = new ArrayList<>();
            long requests = 0;
            long connections = 0;
            int rounds = 0;
            double firstRound = 0;
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < deadline) {
                long r0 = System.nanoTime();
                Round r = round(http, base, auth, fleet);
                if (rounds == 0) {
                    firstRound = (System.nanoTime() - r0) / 1e9;
                }
                rounds++;
                requests += r.requests();
                connections += r.connections();
                latencies.addAll(r.latencies());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            latencies.sort(null);
            System.out.printf("%d rounds in %.1f s: %,.0f connect requests/s, %,.0f check-ins (Idle → command → Acknowledged)/s; "
                    + "request latency p50 %.1f ms, p99 %.1f ms; one command to all %d devices and acknowledged: %.2f s%n",
                    rounds, elapsed, requests / elapsed, connections / elapsed, pct(latencies, 0.50), pct(latencies, 0.99), enrolled, firstRound);
        }
    }

    /** Rounds of one fan-out then every device connecting once, through the proxy's upstream connections. */
    static void proxied(HttpClient http, URI base, String auth, ProxiedAppleLoad load, int seconds) throws Exception {
        try {
            // warm-up rounds, not counted: the clock starts after -Dbench.warmup seconds (60), when the JIT has caught up
            long warmUntil = System.nanoTime() + Duration.ofSeconds(Integer.getInteger("bench.warmup", 60)).toNanos();
            for (int warm = 0; warm < 3 || System.nanoTime() < warmUntil; warm++) {
                fanOut(http, base, auth);
                load.round();
            }
            System.out.printf("measuring for %d s%n", seconds);
            List<Long> latencies = new ArrayList<>();
            long requests = 0;
            long acknowledged = 0;
            long failures = 0;
            int rounds = 0;
            double firstRound = 0;
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < deadline) {
                long r0 = System.nanoTime();
                fanOut(http, base, auth);
                ProxiedAppleLoad.Round r = load.round();
                if (rounds == 0) {
                    firstRound = (System.nanoTime() - r0) / 1e9;
                }
                rounds++;
                requests += r.requests();
                acknowledged += r.acknowledged();
                failures += r.failures();
                latencies.addAll(r.latencies());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            latencies.sort(null);
            System.out.printf("%d rounds in %.1f s through a TLS-terminating proxy: %,.0f check-ins/s (requests to the connect endpoint: "
                    + "Idle → command → Acknowledged), %,d commands acknowledged of %,d sent, %d refused; latency p50 %.1f ms, p99 %.1f ms; "
                    + "one command to all %d devices and acknowledged: %.2f s%n", rounds, elapsed, requests / elapsed, acknowledged,
                    (long) rounds * load.size(), failures, pct(latencies, 0.50), pct(latencies, 0.99), load.size(), firstRound);
        } finally {
            load.close();
        }
    }

    static void fanOut(HttpClient http, URI base, String auth) throws Exception {
        post(http, base, auth, "api/v1/commands", Map.of("type", "DeviceLock", "platform", "apple", "payload", Map.of("Message", "bench")));
    }

    record Round(long requests, long connections, List<Long> latencies) {
    }

    /** One fan-out of DeviceLock to the platform, then every device connects once. */
    static Round round(HttpClient http, URI base, String auth, AppleFleet fleet) throws Exception {
        fanOut(http, base, auth);
        List<AppleDevice.CheckIn> checkIns = fleet.checkInAll();
        long requests = 0;
        List<Long> latencies = new ArrayList<>();
        for (AppleDevice d : fleet.devices()) {
            List<AppleDevice.Exchange> log = d.exchanges();
            // the newest exchanges of this round: one per result sent plus the Idle poll
            int take = Math.min(log.size(), 2);
            for (AppleDevice.Exchange e : log.subList(log.size() - take, log.size())) {
                if (e.call() == AppleDevice.Call.CONNECT) {
                    latencies.add(e.elapsed().toNanos());
                    requests++;
                }
            }
        }
        long connections = checkIns.stream().filter(c -> c.outcome() == AppleDevice.Outcome.DONE).count();
        return new Round(requests, connections, latencies);
    }

    static double pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p))) / 1e6;
    }

    static JsonNode post(HttpClient http, URI base, String auth, String path, Object body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", auth)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** A stand-in APNs MDM push certificate (with key) for the bench topic; pushes are not part of this benchmark. */
    static String pushCertificatePem() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair keys = g.generateKeyPair();
        X500Name name = new X500Name("UID=" + TOPIC + ",CN=APSP:bench,C=US");
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(cert);
            w.writeObject(keys.getPrivate());
        }
        return out.toString();
    }
}
