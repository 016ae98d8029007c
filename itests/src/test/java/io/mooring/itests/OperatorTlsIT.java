package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * An operator's own TLS certificate (here from a CA made for the test, as a PKCS#12 file) is what HTTPS
 * serves, and the admin API then carries no warning about it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OperatorTlsIT extends MooringTestSupport {
    @Configuration
    public Option[] config() throws Exception {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "mooring-operator-tls-" + ProcessHandle.current().pid());
        if (!Files.exists(dir.resolve("server.p12"))) {
            Files.createDirectories(dir);
            openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Operator Root",
                    "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
            openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
            Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
            openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                    "-days", "2", "-extfile", "server.ext");
            openssl(dir, "pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-certfile", "ca.pem", "-out", "server.p12",
                    "-passout", "pass:operator-secret");
        }
        return distribution(
                editConfigurationFilePut("etc/io.mooring.pki.cfg", "tls.certificate.file", dir.resolve("server.p12").toString()),
                editConfigurationFilePut("etc/io.mooring.pki.cfg", "tls.certificate.password", "operator-secret"),
                org.ops4j.pax.exam.CoreOptions.systemProperty("mooring.it.operator.ca").value(dir.resolve("ca.pem").toString()));
    }

    private static String openssl(Path dir, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    public void httpsServesTheOperatorsCertificate() throws Exception {
        AdminClient admin = admin();
        String url = "https://localhost:" + System.getProperty("mooring.it.tls.port") + "/health";
        Process curl = new ProcessBuilder("curl", "-s", "--cacert", System.getProperty("mooring.it.operator.ca"), url).redirectErrorStream(true).start();
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, curl.exitValue());
        assertTrue(out, out.contains("\"status\":\"up\""));

        JsonNode tls = null;
        for (JsonNode e : admin.get("v1/pki/status").json()) {
            if (e.get("kind").asText().equals("tls")) {
                tls = e;
            }
        }
        assertTrue(String.valueOf(tls), tls != null && tls.get("name").asText().contains("localhost"));
        assertFalse(tls.toString(), tls.has("warning") && tls.get("warning").asText().contains("Mooring's own CA"));
    }
}
