package io.mooring.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.List;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScepClientTest {
    private static final Set<String> CAPS = Set.of("POSTPKIOPERATION", "SHA-256", "AES", "RENEWAL");
    private static TestPki pki;
    private static KeyPair keys;

    @BeforeAll
    static void pki() throws Exception {
        pki = new TestPki("scep");
        keys = AppleSignatures.rsaKeyPair(2048);
    }

    /** The Subject array of a SCEP payload, as Mooring's profile carries it. */
    private static final List<Object> SUBJECT = List.of(List.of(List.of("CN", "device-42")), List.of(List.of("O", "Mooring")),
            List.of(List.of("2.5.4.11", "Fleet")));

    @Test
    void pkcsReqOpensWithTheRaKeyAndCarriesTheProfilesSubjectAndChallenge() throws Exception {
        X500Principal subject = AppleEnrollmentProfile.subject(SUBJECT);

        ScepClient.Request request = ScepClient.pkcsReq(keys, subject, "s3cret-challenge", 5, pki.ra, CAPS);
        TestPki.OpenedRequest opened = pki.open(request.message());

        assertThat(opened.messageType()).isEqualTo("19");
        assertThat(opened.transactionId()).isEqualTo(request.transactionId()).isNotBlank();
        assertThat(opened.senderNonce()).isEqualTo(request.senderNonce()).hasSize(16);
        assertThat(opened.encryption()).isEqualTo(CMSAlgorithm.AES128_CBC);
        assertThat(opened.challenge()).isEqualTo("s3cret-challenge");
        assertThat(opened.csr().getSubject()).isEqualTo(new X500Name("CN=device-42,O=Mooring,OU=Fleet"));
        assertThat(opened.csr().getSubject().getRDNs()[0].getFirst().getType()).isEqualTo(new ASN1ObjectIdentifier("2.5.4.3"));
        assertThat(new JcaPKCS10CertificationRequest(opened.csr()).getPublicKey()).isEqualTo(keys.getPublic());
        // signed by a transient self-signed certificate of the new key
        assertThat(opened.signer().getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(opened.signer().getSubjectX500Principal()).isEqualTo(opened.signer().getIssuerX500Principal());
        // Key Usage 5: signing and encryption
        KeyUsage usage = KeyUsage.fromExtensions(opened.csr().getRequestedExtensions());
        assertThat(usage.hasUsages(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)).isTrue();
        assertThat(opened.csr().getRequestedExtensions().getExtension(Extension.keyUsage).isCritical()).isTrue();
    }

    @Test
    void fallsBackToTripleDesWhenTheCaOffersNoAes() throws Exception {
        ScepClient.Request request = ScepClient.pkcsReq(keys, new X500Principal("CN=old-ca"), "c", 1, pki.ra, Set.of("POSTPKIOPERATION"));

        assertThat(pki.open(request.message()).encryption()).isEqualTo(CMSAlgorithm.DES_EDE3_CBC);
    }

    @Test
    void picksTheRaAsRecipientWhicheverOrderGetCaCertListsThem() throws Exception {
        for (byte[] answer : List.of(TestPki.degenerate(pki.ra, pki.ca), TestPki.degenerate(pki.ca, pki.ra))) {
            ScepClient.CaCertificates certificates = ScepClient.parseCaCertificates(answer, "application/x-x509-ca-ra-cert");

            assertThat(certificates.recipient()).isEqualTo(pki.ra);
            assertThat(certificates.ca()).isEqualTo(pki.ca);
        }
        ScepClient.CaCertificates caOnly = ScepClient.parseCaCertificates(pki.ca.getEncoded(), "application/x-x509-ca-cert");
        assertThat(caOnly.recipient()).isEqualTo(pki.ca);
    }

    @Test
    void readsTheIssuedCertificateFromASuccessfulCertRep() throws Exception {
        ScepClient.Request request = ScepClient.pkcsReq(keys, new X500Principal("CN=device-42"), "c", 5, pki.ra, CAPS);
        TestPki.OpenedRequest opened = pki.open(request.message());
        var issued = pki.issue(opened.csr().getSubject(), keys.getPublic());

        ScepClient.Reply reply = ScepClient.readCertRep(pki.certRep(opened, issued, null, opened.senderNonce()), request, List.of(pki.ra, pki.ca));

        assertThat(reply.status()).isEqualTo(ScepClient.PkiStatus.SUCCESS);
        assertThat(reply.issued()).isEqualTo(issued);
        assertThat(reply.transactionId()).isEqualTo(request.transactionId());
    }

    @Test
    void reportsAFailureWithItsFailInfo() throws Exception {
        ScepClient.Request request = ScepClient.pkcsReq(keys, new X500Principal("CN=device-42"), "wrong", 5, pki.ra, CAPS);
        TestPki.OpenedRequest opened = pki.open(request.message());

        ScepClient.Reply reply = ScepClient.readCertRep(pki.certRep(opened, null, "2", opened.senderNonce()), request, List.of(pki.ra));

        assertThat(reply.status()).isEqualTo(ScepClient.PkiStatus.FAILURE);
        assertThat(reply.failInfo()).isEqualTo("2");
        assertThat(reply.issued()).isNull();
    }

    @Test
    void refusesACertRepThatDoesNotEchoTheNonceOrIsSignedByAnother() throws Exception {
        ScepClient.Request request = ScepClient.pkcsReq(keys, new X500Principal("CN=device-42"), "c", 5, pki.ra, CAPS);
        TestPki.OpenedRequest opened = pki.open(request.message());
        var issued = pki.issue(opened.csr().getSubject(), keys.getPublic());

        byte[] wrongNonce = pki.certRep(opened, issued, null, new byte[16]);
        assertThatThrownBy(() -> ScepClient.readCertRep(wrongNonce, request, List.of(pki.ra)))
                .isInstanceOf(ScepClient.ScepException.class).hasMessageContaining("recipientNonce");

        TestPki stranger = new TestPki("stranger");
        byte[] good = pki.certRep(opened, issued, null, opened.senderNonce());
        assertThatThrownBy(() -> ScepClient.readCertRep(good, request, List.of(stranger.ra, stranger.ca)))
                .isInstanceOf(ScepClient.ScepException.class).hasMessageContaining("not signed by a certificate GetCACert named");
    }
}
