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

    @Test
    void anAttachedSignatureByADeviceIdentityYieldsItsContentAndSigner() throws Exception {
        // a renewal request as a Windows PC sends it: the new PKCS#10 inside a SignedData made with the identity it renews
        Files.writeString(dir.resolve("ra.pem"), Pem.of(ca.raCertificate()));
        Files.writeString(dir.resolve("ra.key"), Pem.of(ca.raPrivateKey()));
        openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "new.key", "-subj", "/CN=renewal", "-outform", "DER", "-out", "csr.der");
        openssl("cms", "-sign", "-binary", "-nodetach", "-in", "csr.der", "-signer", "ra.pem", "-inkey", "ra.key", "-outform", "DER", "-out", "p7.der");
        byte[] p7 = Files.readAllBytes(dir.resolve("p7.der"));

        var signed = CmsSigningService.verifyAttached(bc, ca.certificate(), p7, new CmsSigningService.SignerCache());
        assertThat(signed).isPresent();
        assertThat(signed.get().content()).isEqualTo(Files.readAllBytes(dir.resolve("csr.der")));
        assertThat(signed.get().signer().issuedByMooring()).isTrue();
        assertThat(signed.get().signer().serial()).isEqualTo(ca.raCertificate().getSerialNumber().toString(16));

        // one bit of the request changed (its subject's last letter)
        byte[] tampered = p7.clone();
        int at = indexOf(tampered, "renewal".getBytes(StandardCharsets.US_ASCII));
        tampered[at + 6] ^= 1;
        assertThat(CmsSigningService.verifyAttached(bc, ca.certificate(), tampered, new CmsSigningService.SignerCache())).isEmpty();
        assertThat(CmsSigningService.verifyAttached(bc, ca.certificate(), "garbage".getBytes(), new CmsSigningService.SignerCache())).isEmpty();
        // a detached signature carries no content to take
        openssl("cms", "-sign", "-binary", "-in", "csr.der", "-signer", "ra.pem", "-inkey", "ra.key", "-outform", "DER", "-out", "detached.der");
        assertThat(CmsSigningService.verifyAttached(bc, ca.certificate(), Files.readAllBytes(dir.resolve("detached.der")),
                new CmsSigningService.SignerCache())).isEmpty();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
