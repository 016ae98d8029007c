package io.mooring.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.persistence.internal.TestDatabase;
import io.mooring.persistence.internal.TestStores;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An enterprise root and an intermediate made with openssl, the intermediate imported as Mooring's CA. */
class CaImportTest {
    final BouncyCastleProvider bc = new BouncyCastleProvider();

    @TempDir
    Path dir;

    @BeforeEach
    void openssl() {
        TestTools.requireOpenssl();
    }

    private String run(String... command) throws Exception {
        return TestTools.run(dir, command);
    }

    @Test
    void anIntermediateWithItsChainIssuesCertificatesThatVerifyToTheRoot() throws Exception {
        Files.writeString(dir.resolve("ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=ACME Root/O=ACME",
                "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "int.key", "-out", "int.csr", "-subj", "/CN=ACME Devices/O=ACME");
        run("openssl", "x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-out", "int.pem",
                "-days", "30", "-extfile", "ca.ext");
        run("openssl", "pkcs12", "-export", "-in", "int.pem", "-inkey", "int.key", "-certfile", "root.pem", "-out", "int.p12",
                "-passout", "pass:import-me");

        CaMaterial imported = new CaKeyStore(dir.resolve("pki"), bc).importCa(Files.readAllBytes(dir.resolve("int.p12")), "import-me",
                "passphrase".toCharArray());
        assertThat(imported.certificate().getSubjectX500Principal().getName()).isEqualTo("O=ACME,CN=ACME Devices");
        assertThat(imported.chain()).extracting(c -> c.getSubjectX500Principal().getName()).containsExactly("O=ACME,CN=ACME Root");
        CaMaterial reloaded = new CaKeyStore(dir.resolve("pki"), bc).load("passphrase".toCharArray());
        assertThat(reloaded.chain()).hasSize(1);

        try (TestStores stores = new TestStores(TestDatabase.create(TestDatabase.Kind.H2))) {
            ScepResponder responder = new ScepResponder(reloaded, bc, stores.pki,
                    new ScepPolicy(Set.of(2048), Duration.ofDays(30), 65_536, null), Clock.systemUTC());
            String secret = new ScepChallengesImpl(stores.pki, "x", Clock.systemUTC()).issue(TenantId.DEFAULT, "t", Duration.ofMinutes(5)).secret();
            ScepTestClient client = new ScepTestClient(bc, 2048, "acme-device");
            ScepTestClient.Reply reply = client.read(responder.pkiOperation(client.pkcsReq(reloaded.raCertificate(), "acme-device", secret)),
                    reloaded.raCertificate());
            Files.writeString(dir.resolve("device.pem"), Pem.of(reply.issued()));
        }
        assertThat(run("openssl", "verify", "-CAfile", "root.pem", "-untrusted", "int.pem", "device.pem")).contains("device.pem: OK");
    }

    @Test
    void aCertificateThatIsNotACaIsRefused() throws Exception {
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.pem", "-subj", "/CN=leaf",
                "-days", "1", "-addext", "basicConstraints=critical,CA:FALSE");
        byte[] pem = (Files.readString(dir.resolve("leaf.pem")) + Files.readString(dir.resolve("leaf.key"))).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new CaKeyStore(dir.resolve("pki"), bc).importCa(pem, null, "p".toCharArray()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("not a CA certificate");
        assertThat(Files.exists(dir.resolve("pki").resolve(CaKeyStore.KEY_FILE))).isFalse();
    }
}
