package io.mooring.pki.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.mooring.api.TenantId;
import io.mooring.persistence.internal.TestDatabase;
import io.mooring.persistence.internal.TestStores;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The CA's costs, measured on the real responder and stores (embedded H2): SCEP PKCSReq issuances per
 * second from T threads (client-side key generation and request building are done beforehand and not
 * counted), and the CPU time of one CMS profile signature. Lives in the PKI package to reach its
 * internals; run on demand: {@code ./mvnw -q -pl bench exec:java -Dbench=io.mooring.pki.internal.PkiBenchmark -Dexec.args="400 2"}.
 */
public final class PkiBenchmark {
    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        BouncyCastleProvider bc = new BouncyCastleProvider();
        Path folder = Files.createTempDirectory("mooring-pki-bench");
        try (TestStores stores = new TestStores(TestDatabase.create(TestDatabase.Kind.H2))) {
            CaMaterial ca = new CaKeyStore(folder, bc).create("CN=Bench CA,O=Mooring", 3072, Duration.ofDays(365), "bench".toCharArray());
            ScepResponder responder = new ScepResponder(ca, bc, stores.pki, new ScepPolicy(Set.of(2048), Duration.ofDays(365), 65_536, "http://localhost/pki/crl"),
                    Clock.systemUTC());
            ScepChallengesImpl challenges = new ScepChallengesImpl(stores.pki, "http://localhost/scep", Clock.systemUTC());

            System.out.printf("preparing %d requests (RSA 2048 keys)...%n", requests);
            List<byte[]> prepared = new ArrayList<>();
            ScepTestClient client = new ScepTestClient(bc, 2048, "bench");
            for (int i = 0; i < requests; i++) {
                prepared.add(client.pkcsReq(ca.raCertificate(), "bench-" + i, challenges.issue(TenantId.DEFAULT, "bench", Duration.ofHours(1)).secret()));
            }
            for (int i = 0; i < 20; i++) {
                responder.pkiOperation(client.pkcsReq(ca.raCertificate(), "warm-" + i,
                        challenges.issue(TenantId.DEFAULT, "bench", Duration.ofHours(1)).secret()));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Boolean>> results = new ArrayList<>();
            long start = System.nanoTime();
            for (byte[] request : prepared) {
                results.add(pool.submit(() -> client.read(responder.pkiOperation(request), ca.raCertificate(), client.keys.getPrivate())
                        .pkiStatus().equals("0")));
            }
            int issued = 0;
            for (Future<Boolean> r : results) {
                issued += r.get() ? 1 : 0;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            System.out.printf("SCEP PKCSReq issuances: %d of %d in %.2f s = %.0f/s (%d threads; includes the client reading each reply)%n",
                    issued, requests, seconds, issued / seconds, threads);

            byte[] profile = new byte[8 * 1024];
            java.util.Arrays.fill(profile, (byte) 'x');
            for (int i = 0; i < 200; i++) {
                CmsSigningService.sign(bc, ca.raCertificate(), ca.raPrivateKey(), ca.certificate(), profile);
            }
            var bean = java.lang.management.ManagementFactory.getThreadMXBean();
            int n = 1000;
            long cpu = bean.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                CmsSigningService.sign(bc, ca.raCertificate(), ca.raPrivateKey(), ca.certificate(), profile);
            }
            double perSignatureMs = (bean.getCurrentThreadCpuTime() - cpu) / 1e6 / n;
            System.out.printf("CMS signature of an 8 KiB profile (RSA 2048 signer): %.2f ms CPU each%n", perSignatureMs);
        }
    }
}
