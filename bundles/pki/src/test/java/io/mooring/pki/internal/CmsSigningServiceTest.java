package io.mooring.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signatures checked by OpenSSL, the verifier others use; and signatures made by OpenSSL, checked here. */
class CmsSigningServiceTest {
    final BouncyCastleProvider bc = new BouncyCastleProvider();
    CaMaterial ca;

    @TempDir
    Path dir;

    @BeforeEach
    void ca() throws Exception {
        TestTools.requireOpenssl();
        ca = new CaKeyStore(dir.resolve("ca"), bc).create("CN=Signing Test CA,O=Mooring", 2048, Duration.ofDays(30), "p".toCharArray());
        Files.writeString(dir.resolve("ca.pem"), Pem.of(ca.certificate()));
    }

    private String openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        return TestTools.run(dir, command);
    }

    @Test
    void aSignedProfileVerifiesWithOpensslAndCarriesTheExactBytes() throws Exception {
        byte[] profile = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict><key>PayloadType</key><string>Configuration</string></dict></plist>\n"
                .getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("profile.der"), CmsSigningService.sign(bc, ca.raCertificate(), ca.raPrivateKey(), ca.certificate(), profile));

        openssl("cms", "-verify", "-inform", "DER", "-in", "profile.der", "-CAfile", "ca.pem", "-out", "cms-out.plist");
        openssl("smime", "-verify", "-inform", "DER", "-in", "profile.der", "-CAfile", "ca.pem", "-out", "smime-out.plist");
        assertThat(Files.readAllBytes(dir.resolve("cms-out.plist"))).isEqualTo(profile);
        assertThat(Files.readAllBytes(dir.resolve("smime-out.plist"))).isEqualTo(profile);
    }

    @Test
    void aDetachedSignatureByADeviceIdentityIsCheckedAndAttributed() throws Exception {
        // a device identity issued by this CA, as SCEP would issue it, and one that is not
        Files.writeString(dir.resolve("ra.pem"), Pem.of(ca.raCertificate()));
        Files.writeString(dir.resolve("ra.key"), Pem.of(ca.raPrivateKey()));
        byte[] body = "<plist><dict><key>MessageType</key><string>TokenUpdate</string></dict></plist>".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("body.xml"), body);
        openssl("cms", "-sign", "-binary", "-in", "body.xml", "-signer", "ra.pem", "-inkey", "ra.key", "-outform", "DER", "-out", "sig.der");
        byte[] signature = Files.readAllBytes(dir.resolve("sig.der"));

        var signer = CmsSigningService.verifyDetached(bc, ca.certificate(), body, signature);
        assertThat(signer).isPresent();
        assertThat(signer.get().issuedByMooring()).isTrue();
        assertThat(signer.get().serial()).isEqualTo(ca.raCertificate().getSerialNumber().toString(16));

        byte[] tampered = body.clone();
        tampered[10] ^= 1;
        assertThat(CmsSigningService.verifyDetached(bc, ca.certificate(), tampered, signature)).isEmpty();
        assertThat(CmsSigningService.verifyDetached(bc, ca.certificate(), body, "garbage".getBytes())).isEmpty();

        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-subj", "/CN=stranger", "-days", "1");
        openssl("cms", "-sign", "-binary", "-in", "body.xml", "-signer", "other.pem", "-inkey", "other.key", "-outform", "DER", "-out", "other.der");
        var stranger = CmsSigningService.verifyDetached(bc, ca.certificate(), body, Files.readAllBytes(dir.resolve("other.der")));
        assertThat(stranger).isPresent();
        assertThat(stranger.get().issuedByMooring()).isFalse();
    }
}
