package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Real SCEP clients written by others enroll against the running distribution: {@code scepclient}
 * (Debian package {@code scep}) and certmonger's {@code scep-submit} driven by {@code getcert}
 * (Debian package {@code certmonger}, on a session bus of its own, its state in a scratch folder).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScepClientsIT extends MooringTestSupport {
    record Run(int exit, String output) {
    }

    @Configuration
    public Option[] config() throws IOException {
        return distribution();
    }

    @Before
    public void clientsInstalled() {
        for (String tool : List.of("scepclient", "getcert", "certmonger", "dbus-run-session", "openssl")) {
            if (!onPath(tool)) {
                if ("true".equals(System.getenv("CI"))) {
                    fail(tool + " is not installed; .ci/run installs the Debian packages scep, certmonger, dbus and openssl");
                }
                // outside CI a developer without the Debian clients gets the reason, not a failure
                Assume.assumeTrue(tool + " is not installed (Debian packages scep, certmonger, dbus)", false);
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String scepUrl() {
        return base().resolve("/scep").toString();
    }

    private static String challenge(AdminClient admin) {
        AdminClient.Answer r = admin.post("v1/scep/challenges", Map.of("purpose", "integration test"));
        assertEquals(r.body(), 201, r.status());
        return r.json().get("challenge").asText();
    }

    private static Run run(Path dir, int timeoutSeconds, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** The CA certificate, taken from the server's GetCACert answer (RA + CA) with openssl. */
    private static Path caCertificate(Path dir) throws Exception {
        Path caRa = dir.resolve("ca-ra.p7");
        Run get = run(dir, 30, "sh", "-c", "curl -s -o ca-ra.p7 '" + scepUrl() + "?operation=GetCACert'");
        assertEquals(get.output(), 0, get.exit());
        Run print = run(dir, 30, "openssl", "pkcs7", "-inform", "DER", "-in", caRa.toString(), "-print_certs");
        String pem = print.output();
        int at = pem.indexOf("subject=CN = Mooring Device CA");
        assertTrue(pem, at >= 0);
        String ca = pem.substring(pem.indexOf("-----BEGIN CERTIFICATE-----", at), pem.indexOf("-----END CERTIFICATE-----", at) + 25) + "\n";
        Path file = dir.resolve("ca.pem");
        Files.writeString(file, ca);
        return file;
    }

    private static Run scepclient(Path dir, String challenge, String cn, int keyBits) throws Exception {
        Files.createDirectories(dir);
        Run key = run(dir, 60, "openssl", "genrsa", "-traditional", "-out", "k.key", Integer.toString(keyBits));
        assertEquals(key.output(), 0, key.exit());
        return run(dir, 60, "scepclient", "-server-url", scepUrl(), "-challenge", challenge, "-private-key", "k.key",
                "-certificate", "c.pem", "-cn", cn);
    }

    private static long issuedCount(AdminClient admin) {
        return admin.get("v1/certificates?limit=1").json().get("total").asLong();
    }

    @Test
    public void scepclientEnrollsAndTheCertificateVerifiesAgainstTheCa() throws Exception {
        AdminClient admin = admin();
        Path dir = Files.createTempDirectory("scepclient");
        Run enrolled = scepclient(dir, challenge(admin), "scepclient-device", 2048);
        assertEquals(enrolled.output(), 0, enrolled.exit());
        Path ca = caCertificate(dir);
        Run verify = run(dir, 30, "openssl", "verify", "-CAfile", ca.toString(), "c.pem");
        assertTrue(verify.output(), verify.output().contains("c.pem: OK"));
        String text = run(dir, 30, "openssl", "x509", "-in", "c.pem", "-noout", "-subject", "-serial", "-ext", "extendedKeyUsage").output();
        assertTrue(text, text.contains("CN = scepclient-device"));
        assertTrue(text, text.contains("TLS Web Client Authentication"));
        String serial = text.replaceAll("(?s).*serial=([0-9A-F]+).*", "$1").toLowerCase().replaceFirst("^0+", "");
        String listed = admin.get("v1/certificates?limit=500").body();
        assertTrue(serial + " in " + listed, listed.contains("\"serial\":\"" + serial + "\""));

        // the CRL named in the certificate is served and signed by the CA
        String crlUrl = base().resolve("/pki/crl").toString();
        assertTrue(text, run(dir, 30, "openssl", "x509", "-in", "c.pem", "-noout", "-ext", "crlDistributionPoints").output().contains("/pki/crl"));
        Run crl = run(dir, 30, "sh", "-c", "curl -s -o crl.der '" + crlUrl + "' && openssl crl -inform DER -in crl.der -CAfile " + ca + " -noout");
        assertTrue(crl.output(), crl.output().contains("verify OK"));
    }

    @Test
    public void eightClientsEnrollingAtOnceAllSucceed() throws Exception {
        AdminClient admin = admin();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Run>> runs = new ArrayList<>();
        Path root = Files.createTempDirectory("scep-parallel");
        for (int i = 0; i < 8; i++) {
            String challenge = challenge(admin);
            Path dir = root.resolve("d" + i);
            String cn = "parallel-" + i;
            runs.add(pool.submit(() -> scepclient(dir, challenge, cn, 2048)));
        }
        for (Future<Run> f : runs) {
            Run r = f.get(120, TimeUnit.SECONDS);
            assertEquals(r.output(), 0, r.exit());
        }
        pool.shutdown();
        Path ca = caCertificate(root);
        for (int i = 0; i < 8; i++) {
            Run verify = run(root, 30, "openssl", "verify", "-CAfile", ca.toString(), root.resolve("d" + i + "/c.pem").toString());
            assertTrue(verify.output(), verify.output().contains(": OK"));
        }
    }

    @Test
    public void refusedRequestsIssueNothing() throws Exception {
        AdminClient admin = admin();
        long before = issuedCount(admin);
        Path root = Files.createTempDirectory("scep-refused");
        assertNotEquals(0, scepclient(root.resolve("wrong"), "not-a-challenge", "wrong", 2048).exit());
        assertNotEquals(0, scepclient(root.resolve("big"), challenge(admin), "big", 4096).exit());
        String once = challenge(admin);
        assertEquals(0, scepclient(root.resolve("first"), once, "first", 2048).exit());
        Run reused = scepclient(root.resolve("again"), once, "again", 2048);
        assertNotEquals(reused.output(), 0, reused.exit());
        assertEquals(before + 1, issuedCount(admin));
    }

    @Test
    public void certmongerEnrollsAndVerifiesTheServersReply() throws Exception {
        AdminClient admin = admin();
        Path dir = Files.createTempDirectory("certmonger");
        Path ca = caCertificate(dir);
        for (String sub : List.of("state", "state/requests", "state/cas", "state/local", "state/tmp")) {
            Files.createDirectories(dir.resolve(sub));
        }
        String script = String.join("\n",
                "export CERTMONGER_CONFIG_DIR=" + dir.resolve("state"),
                "export CERTMONGER_REQUESTS_DIR=" + dir.resolve("state/requests"),
                "export CERTMONGER_CAS_DIR=" + dir.resolve("state/cas"),
                "export CERTMONGER_LOCAL_CA_DIR=" + dir.resolve("state/local"),
                "export CERTMONGER_TMPDIR=" + dir.resolve("state/tmp"),
                "certmonger -s -n > certmonger.log 2>&1 &",
                "daemon=$!",
                "for i in $(seq 1 50); do getcert list-cas -s >/dev/null 2>&1 && break; sleep 0.2; done",
                "getcert add-scep-ca -s -c mooring-it -u " + scepUrl() + " -R " + ca,
                "for i in $(seq 1 50); do getcert list-cas -s -c mooring-it | grep -q 'SHA1' && break; sleep 0.2; done",
                "getcert request -s -c mooring-it -f " + dir.resolve("dev.crt") + " -k " + dir.resolve("dev.key")
                        + " -N CN=certmonger-device -L " + challenge(admin) + " -w",
                // our request only, once it settled; the certificate file is written before MONITORING
                "for i in $(seq 1 100); do getcert list -s -f " + dir.resolve("dev.crt") + " | grep -q 'status: MONITORING' && break; sleep 0.2; done",
                "getcert list -s -f " + dir.resolve("dev.crt"),
                "kill $daemon");
        Files.writeString(dir.resolve("enroll.sh"), script + "\n");
        Run r = run(dir, 120, "dbus-run-session", "--", "bash", dir.resolve("enroll.sh").toString());
        String diagnosis = r.output() + "\n--- certmonger.log ---\n"
                + (Files.exists(dir.resolve("certmonger.log")) ? Files.readString(dir.resolve("certmonger.log")) : "(none)");
        assertTrue(diagnosis, r.output().contains("status: MONITORING"));
        await(java.time.Duration.ofSeconds(10), "certmonger to save the certificate", () -> Files.exists(dir.resolve("dev.crt")));
        Run verify = run(dir, 30, "openssl", "verify", "-CAfile", ca.toString(), dir.resolve("dev.crt").toString());
        assertTrue(verify.output() + "\n" + diagnosis, verify.output().contains(": OK"));
    }

    @Test
    public void pushCertificatesAreCheckedWhenUploaded() throws Exception {
        AdminClient admin = admin();
        Path dir = Files.createTempDirectory("push");
        for (String[] c : new String[][] {{"good", "/UID=com.apple.mgmt.External.it-topic/CN=APSP:it/C=US"},
                {"wrong", "/UID=wrong.prefix.it-topic/CN=APSP:it/C=US"}, {"none", "/CN=no.uid/C=US"}}) {
            Run r = run(dir, 60, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", c[0] + ".key", "-out", c[0] + ".pem",
                    "-subj", c[1], "-days", "30");
            assertEquals(r.output(), 0, r.exit());
        }
        AdminClient.Answer good = admin.post("v1/push-certificates", Map.of("pem",
                Files.readString(dir.resolve("good.pem")) + Files.readString(dir.resolve("good.key"))));
        assertEquals(good.body(), 201, good.status());
        assertEquals("com.apple.mgmt.External.it-topic", good.json().get("topic").asText());
        AdminClient.Answer wrong = admin.post("v1/push-certificates", Map.of("pem",
                Files.readString(dir.resolve("wrong.pem")) + Files.readString(dir.resolve("wrong.key"))));
        assertEquals(400, wrong.status());
        assertTrue(wrong.body(), wrong.json().get("detail").asText().contains("com.apple.mgmt."));
        AdminClient.Answer none = admin.post("v1/push-certificates", Map.of("pem",
                Files.readString(dir.resolve("none.pem")) + Files.readString(dir.resolve("none.key"))));
        assertEquals(400, none.status());
        assertTrue(none.body(), none.json().get("detail").asText().contains("no UID"));
        AdminClient.Answer keyless = admin.post("v1/push-certificates", Map.of("pem", Files.readString(dir.resolve("good.pem"))));
        assertEquals(400, keyless.status());

        String listed = admin.get("v1/push-certificates").body();
        assertTrue(listed, listed.contains("com.apple.mgmt.External.it-topic") && listed.contains("\"daysLeft\":29"));
        assertTrue(listed, !listed.contains("wrong.prefix"));

        String status = admin.get("v1/pki/status").body();
        assertTrue(status, status.contains("\"kind\":\"ca\"") && status.contains("\"kind\":\"scep-ra\""));
        assertTrue(status, status.contains("\"kind\":\"tls\"") && status.contains("publicly trusted"));
        assertTrue(status, status.contains("com.apple.mgmt.External.it-topic"));
    }

    @Test
    public void httpsServesACertificateFromTheCaForAFreshInstall() throws Exception {
        admin();
        Path dir = Files.createTempDirectory("tls");
        Path ca = caCertificate(dir);
        String url = "https://localhost:" + System.getProperty("mooring.it.tls.port") + "/health";
        Run health = run(dir, 30, "curl", "-s", "--cacert", ca.toString(), url);
        assertEquals(health.output(), 0, health.exit());
        assertTrue(health.output(), health.output().contains("\"status\":\"up\""));
        Run untrusted = run(dir, 30, "curl", "-s", "-o", "/dev/null", url);
        assertNotEquals("a certificate from Mooring's own CA is not publicly trusted", 0, untrusted.exit());
    }
}
