package io.mooring.spi.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;

import io.mooring.api.DeviceId;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Client certificates presented over TLS or passed on by a proxy: read once, and whose CA issued them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCertificatesTest {
    KeyPair caKeys;
    X509Certificate ca;
    KeyPair otherKeys;
    X509Certificate otherCa;
    KeyPair deviceKeys;

    @BeforeAll
    void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        caKeys = g.generateKeyPair();
        otherKeys = g.generateKeyPair();
        deviceKeys = g.generateKeyPair();
        ca = cert("CN=Mooring CA", caKeys, "CN=Mooring CA", caKeys, 1);
        otherCa = cert("CN=Mooring CA", otherKeys, "CN=Mooring CA", otherKeys, 1);
    }

    X509Certificate cert(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, long validDays) throws Exception {
        Instant now = Instant.now();
        return cert(subject, subjectKeys, issuer, issuerKeys, now.minus(1, ChronoUnit.HOURS), now.plus(validDays, ChronoUnit.DAYS));
    }

    X509Certificate cert(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, Instant from, Instant to) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(to), new X500Name(subject), subjectKeys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
    }

    static String header(X509Certificate cert) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return URLEncoder.encode(pem, StandardCharsets.US_ASCII);
    }

    @Test
    void aCertificateFromMooringsCaNamesItsDevice() throws Exception {
        ClientCertificates certificates = new ClientCertificates();
        X509Certificate device = cert("CN=dev-1,O=Mooring", deviceKeys, "CN=Mooring CA", caKeys, 365);

        for (int i = 0; i < 3; i++) {
            X509Certificate proxied = certificates.fromHeader(header(device));
            assertThat(proxied).isEqualTo(device);
            assertThat(certificates.issuedBy(device, List.of(ca))).isTrue();
            assertThat(certificates.issuedBy(proxied, List.of(ca))).isTrue();
            assertThat(proxied.getSubjectX500Principal().getName()).contains("CN=dev-1");
        }
    }

    @Test
    void aCertificateOfAnotherCaWithTheSameNameIsNotMoorings() throws Exception {
        ClientCertificates certificates = new ClientCertificates();
        X509Certificate forged = cert("CN=dev-1,O=Mooring", deviceKeys, "CN=Mooring CA", otherKeys, 365);

        assertThat(certificates.issuedBy(forged, List.of(ca))).isFalse();
        assertThat(certificates.issuedBy(certificates.fromHeader(header(forged)), List.of(ca))).isFalse();
        // after a CA change the same bytes are checked again, not taken from what was remembered
        assertThat(certificates.issuedBy(forged, List.of(otherCa))).isTrue();
        assertThat(certificates.issuedBy(forged, List.of(ca))).isFalse();
    }

    @Test
    void expiredOrNotYetValidCertificatesAreNotValidNowThoughMooringsCaIssuedThem() throws Exception {
        ClientCertificates certificates = new ClientCertificates();
        Instant now = Instant.now();
        X509Certificate expired = cert("CN=dev-2,O=Mooring", deviceKeys, "CN=Mooring CA", caKeys, now.minus(10, ChronoUnit.DAYS),
                now.minus(1, ChronoUnit.DAYS));
        X509Certificate future = cert("CN=dev-3,O=Mooring", deviceKeys, "CN=Mooring CA", caKeys, now.plus(1, ChronoUnit.DAYS),
                now.plus(10, ChronoUnit.DAYS));

        assertThat(ClientCertificates.validAt(expired, now)).isFalse();
        assertThat(ClientCertificates.validAt(certificates.fromHeader(header(future)), now)).isFalse();
        assertThat(ClientCertificates.validAt(future, now.plus(2, ChronoUnit.DAYS))).isTrue();
        assertThat(certificates.issuedBy(expired, List.of(ca))).isTrue();
    }

    @Test
    void garbageInTheHeaderIsNoCertificate() throws Exception {
        ClientCertificates certificates = new ClientCertificates();
        assertThat(certificates.fromHeader("-----BEGIN%20CERTIFICATE-----%0Anot-base64%0A-----END%20CERTIFICATE-----")).isNull();
        assertThat(certificates.fromHeader("%zz")).isNull();
        assertThat(certificates.fromHeader("")).isNull();
    }

    @Test
    void theCommonNameOfAMooringIdentityIsItsDevice() {
        ClientCertificates certificates = new ClientCertificates();
        DeviceId device = DeviceId.random();
        for (int i = 0; i < 2; i++) {
            assertThat(certificates.deviceNamedBy("CN=" + device + ",O=Mooring")).isEqualTo(device);
            assertThat(certificates.deviceNamedBy("O=Mooring,CN=" + device)).isEqualTo(device);
        }
        assertThat(certificates.deviceNamedBy("CN=not-a-device,O=Mooring")).isNull();
        assertThat(certificates.deviceNamedBy("O=Mooring")).isNull();
        assertThat(certificates.deviceNamedBy("not a name")).isNull();
        assertThat(certificates.deviceNamedBy("")).isNull();
    }
}
