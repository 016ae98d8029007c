package io.mooring.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Date;

import io.mooring.api.ValidationException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class PushCertificatesTest {
    final BouncyCastleProvider bc = new BouncyCastleProvider();

    private X509Certificate corpus(String name) throws Exception {
        Path file = TestTools.corpus("micromdm/" + name);
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(file)))) {
            return new JcaX509CertificateConverter().setProvider(bc).getCertificate((X509CertificateHolder) p.readObject());
        }
    }

    @Test
    void theTopicComesFromTheUidAndOtherCertificatesAreRefused() throws Exception {
        assertThat(PushCertificatesImpl.topicOf(corpus("pkg_crypto_testdata_mock_push_cert.pem")))
                .isEqualTo("com.apple.mgmt.External.18a16429-886b-41f1-9c30-2bd04ae4fc37");
        X509Certificate noUid = corpus("pkg_crypto_testdata_mock_push_cert_no_uid.pem");
        assertThatThrownBy(() -> PushCertificatesImpl.topicOf(noUid)).isInstanceOf(ValidationException.class).hasMessageContaining("no UID");
        X509Certificate wrongPrefix = corpus("pkg_crypto_testdata_mock_push_cert_wrong_uid_prefix.pem");
        assertThatThrownBy(() -> PushCertificatesImpl.topicOf(wrongPrefix)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("does not start with com.apple.mgmt.");
    }

    private record Made(X509Certificate cert, KeyPair keys) {
    }

    private Made pushCertificate(String subject) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", bc);
        g.initialize(2048);
        KeyPair keys = g.generateKeyPair();
        X500Name name = new X500Name(subject);
        X509Certificate cert = new JcaX509CertificateConverter().setProvider(bc).getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(keys.getPrivate())));
        return new Made(cert, keys);
    }

    @Test
    void pkcs12AndPemUploadsAreReadAndTheKeyMustMatch() throws Exception {
        Made made = pushCertificate("UID=com.apple.mgmt.External.test-topic,CN=APSP:test,C=US");
        KeyStore p12 = KeyStore.getInstance("PKCS12", bc);
        p12.load(null, null);
        p12.setKeyEntry("push", made.keys().getPrivate(), "secret".toCharArray(), new Certificate[] {made.cert()});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p12.store(out, "secret".toCharArray());

        var fromP12 = PushCertificatesImpl.parse(bc, out.toByteArray(), "secret");
        assertThat(PushCertificatesImpl.topicOf(fromP12.certificate())).isEqualTo("com.apple.mgmt.External.test-topic");
        assertThatThrownBy(() -> PushCertificatesImpl.parse(bc, out.toByteArray(), "wrong")).isInstanceOf(ValidationException.class);

        byte[] pem = (Pem.of(made.cert()) + Pem.of(made.keys().getPrivate())).getBytes(StandardCharsets.US_ASCII);
        assertThat(PushCertificatesImpl.parse(bc, pem, null).key()).isNotNull();

        byte[] certOnly = Pem.of(made.cert()).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> PushCertificatesImpl.parse(bc, certOnly, null)).hasMessageContaining("private key is missing");
        Made other = pushCertificate("UID=com.apple.mgmt.External.other,CN=x");
        byte[] mismatched = (Pem.of(made.cert()) + Pem.of(other.keys().getPrivate())).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> PushCertificatesImpl.parse(bc, mismatched, null)).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> PushCertificatesImpl.parse(bc, "garbage".getBytes(), null)).isInstanceOf(ValidationException.class);
    }
}
