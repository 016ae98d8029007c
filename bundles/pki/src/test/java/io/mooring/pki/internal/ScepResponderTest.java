package io.mooring.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import io.mooring.api.pki.ScepChallenge;
import io.mooring.persistence.internal.TestDatabase;
import io.mooring.persistence.internal.TestStores;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The SCEP responder over the real stores (H2), driven by a client built from RFC 8894. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScepResponderTest {

    final Provider bc = new BouncyCastleProvider();
    TestStores stores;
    CaMaterial ca;
    ScepResponder responder;
    ScepChallengesImpl challenges;

    @BeforeAll
    void setUp(@TempDir Path folder) throws Exception {
        stores = new TestStores(TestDatabase.create(TestDatabase.Kind.H2));
        ca = new CaKeyStore(folder, bc).create("CN=Test CA,O=Mooring", 2048, Duration.ofDays(30), "passphrase".toCharArray());
        CaMaterial reloaded = new CaKeyStore(folder, bc).load("passphrase".toCharArray());
        assertThat(reloaded.raCertificate()).isEqualTo(ca.raCertificate());
        assertThat(reloaded.privateKey().getEncoded()).isEqualTo(ca.privateKey().getEncoded());
        responder = new ScepResponder(ca, bc, stores.pki, new ScepPolicy(Set.of(2048), Duration.ofDays(365), 65_536, "http://localhost/pki/crl"), Clock.systemUTC());
        challenges = new ScepChallengesImpl(stores.pki, "http://localhost/scep", Clock.systemUTC());
    }

    @AfterAll
    void tearDown() throws Exception {
        stores.close();
    }

    /** Requests are encrypted for the RA and replies are signed by it. */
    private java.security.cert.X509Certificate ra() {
        return ca.raCertificate();
    }

    private String challenge() {
        return challenges.issue(TenantId.DEFAULT, "test", Duration.ofMinutes(5)).secret();
    }

    @Test
    void aValidRequestGetsAClientCertificateFromTheCa() throws Exception {
        ScepTestClient client = new ScepTestClient(bc, 2048, "device-1");
        ScepTestClient.Reply reply = client.read(responder.pkiOperation(client.pkcsReq(ra(), "device-1", challenge())), ra());

        assertThat(reply.pkiStatus()).isEqualTo("0");
        assertThat(reply.transactionId()).isEqualTo(client.transactionId);
        assertThat(reply.recipientNonce()).isEqualTo(client.nonce);
        assertThat(reply.issued().getSubjectX500Principal().getName()).isEqualTo("CN=device-1");
        assertThat(reply.issued().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(reply.issued().getPublicKey()).isEqualTo(client.keys.getPublic());
        reply.issued().verify(ca.certificate().getPublicKey());
        ra().verify(ca.certificate().getPublicKey());
        assertThat(stores.pki.findCertificate(reply.issued().getSerialNumber().toString(16))).isPresent();
    }

    @Test
    void aChallengeIsSpentOnceAndWrongOrExpiredOnesIssueNothing() throws Exception {
        long before = stores.pki.listCertificates(TenantId.DEFAULT, PageRequest.first(500)).total();
        String once = challenge();
        ScepTestClient first = new ScepTestClient(bc, 2048, "first");
        assertThat(first.read(responder.pkiOperation(first.pkcsReq(ra(), "first", once)), ra()).pkiStatus()).isEqualTo("0");

        ScepTestClient second = new ScepTestClient(bc, 2048, "second");
        assertFailure(second, second.pkcsReq(ra(), "second", once), "2");
        assertFailure(second, second.pkcsReq(ra(), "second", "not-a-challenge"), "2");
        assertFailure(second, second.pkcsReq(ra(), "second", null), "2");

        ScepChallenge shortLived = challenges.issue(TenantId.DEFAULT, "test", Duration.ofMillis(1));
        Thread.sleep(5);
        assertFailure(second, second.pkcsReq(ra(), "second", shortLived.secret()), "2");

        assertThat(stores.pki.listCertificates(TenantId.DEFAULT, PageRequest.first(500)).total()).isEqualTo(before + 1);
    }

    @Test
    void aChallengeBoundToASubjectAdmitsOnlyThatSubject() throws Exception {
        long before = stores.pki.listCertificates(TenantId.DEFAULT, PageRequest.first(500)).total();
        String forOther = challenges.issueForSubject(TenantId.DEFAULT, "CN=device-a", Duration.ofMinutes(5)).secret();
        ScepTestClient thief = new ScepTestClient(bc, 2048, "device-b");
        assertFailure(thief, thief.pkcsReq(ra(), "device-b", forOther), "2");

        String own = challenges.issueForSubject(TenantId.DEFAULT, "CN=device-a", Duration.ofMinutes(5)).secret();
        ScepTestClient owner = new ScepTestClient(bc, 2048, "device-a");
        assertThat(owner.read(responder.pkiOperation(owner.pkcsReq(ra(), "device-a", own)), ra()).pkiStatus()).isEqualTo("0");
        assertThat(stores.pki.listCertificates(TenantId.DEFAULT, PageRequest.first(500)).total()).isEqualTo(before + 1);
    }

    @Test
    void aKeyOutsideThePolicyIsRefusedWithBadAlgAndKeepsItsChallenge() throws Exception {
        String secret = challenge();
        ScepTestClient big = new ScepTestClient(bc, 4096, "big");
        assertFailure(big, big.pkcsReq(ra(), "big", secret), "0");
        ScepTestClient right = new ScepTestClient(bc, 2048, "right");
        assertThat(right.read(responder.pkiOperation(right.pkcsReq(ra(), "right", secret)), ra()).pkiStatus()).isEqualTo("0");
    }

    @Test
    void garbageTruncatedAndOversizedRequestsGetAFailureCertRep() throws Exception {
        ScepTestClient client = new ScepTestClient(bc, 2048, "broken");
        byte[] valid = client.pkcsReq(ra(), "broken", challenge());
        for (byte[] bad : new byte[][] {"hello".getBytes(), new byte[0], Arrays.copyOf(valid, valid.length / 2), new byte[70_000]}) {
            ScepTestClient.Reply reply = client.read(responder.pkiOperation(bad), ra());
            assertThat(reply.pkiStatus()).isEqualTo("2");
            assertThat(reply.failInfo()).isIn("1", "2");
        }
        // a tampered signature is a bad message check, and echoes the transaction
        byte[] tampered = valid.clone();
        tampered[tampered.length - 10] ^= 0x55;
        ScepTestClient.Reply reply = client.read(responder.pkiOperation(tampered), ra());
        assertThat(reply.pkiStatus()).isEqualTo("2");
        assertThat(reply.failInfo()).isEqualTo("1");
    }

    @Test
    void aRealRequestEncryptedForAnotherCaGetsAWellFormedFailure() throws Exception {
        Path request = TestTools.corpus("scep/testdata_PKCSReq.der");
        ScepTestClient reader = new ScepTestClient(bc, 2048, "reader");
        ScepTestClient.Reply reply = reader.read(responder.pkiOperation(Files.readAllBytes(request)), ra());
        assertThat(reply.pkiStatus()).isEqualTo("2");
        assertThat(reply.failInfo()).isEqualTo("1");
        assertThat(reply.transactionId()).isNotBlank();
        assertThat(reply.recipientNonce()).isNotEmpty();
    }

    @Test
    void aRenewalSignedByAnIssuedCertificateNeedsNoChallenge() throws Exception {
        ScepTestClient device = new ScepTestClient(bc, 2048, "renewing");
        ScepTestClient.Reply first = device.read(responder.pkiOperation(device.pkcsReq(ra(), "renewing", challenge())), ra());
        ScepTestClient renewed = new ScepTestClient(bc, 2048, "renewing");
        byte[] renewal = renewed.renewalReq(ra(), "renewing", first.issued(), new KeyPair(device.keys.getPublic(), device.keys.getPrivate()));
        ScepTestClient.Reply second = renewed.read(responder.pkiOperation(renewal), ra(), device.keys.getPrivate());
        assertThat(second.pkiStatus()).isEqualTo("0");
        assertThat(second.issued().getSerialNumber()).isNotEqualTo(first.issued().getSerialNumber());
        assertThat(second.issued().getPublicKey()).isEqualTo(renewed.keys.getPublic());

        byte[] selfSignedRenewal = renewed.renewalReq(ra(), "renewing", renewed.selfSigned, renewed.keys);
        assertThat(renewed.read(responder.pkiOperation(selfSignedRenewal), ra()).failInfo()).isEqualTo("4");

        ScepTestClient impostor = new ScepTestClient(bc, 2048, "someone-else");
        byte[] otherSubject = impostor.renewalReq(ra(), "someone-else", second.issued(), new KeyPair(renewed.keys.getPublic(), renewed.keys.getPrivate()));
        ScepTestClient.Reply refused = impostor.read(responder.pkiOperation(otherSubject), ra(), renewed.keys.getPrivate());
        assertThat(refused.pkiStatus()).isEqualTo("2");
        assertThat(refused.failInfo()).isEqualTo("2");
    }

    private void assertFailure(ScepTestClient client, byte[] request, String failInfo) throws Exception {
        ScepTestClient.Reply reply = client.read(responder.pkiOperation(request), ra());
        assertThat(reply.pkiStatus()).isEqualTo("2");
        assertThat(reply.failInfo()).isEqualTo(failInfo);
        assertThat(reply.transactionId()).isEqualTo(client.transactionId);
    }

    @Test
    void unenrollingADeviceRevokesItsCertificateAndTheCrlListsIt() throws Exception {
        ScepTestClient client = new ScepTestClient(bc, 2048, "leaving");
        ScepTestClient.Reply reply = client.read(responder.pkiOperation(client.pkcsReq(ra(), "leaving", challenge())), ra());
        String serial = reply.issued().getSerialNumber().toString(16);
        io.mooring.api.DeviceId device = io.mooring.api.DeviceId.random();
        assertThat(stores.pki.bindCertificate(serial, device)).isTrue();
        assertThat(stores.pki.bindCertificate("abcdef", device)).isFalse();

        new RevokeOnUnenroll(stores.pki).handleEvent(new org.osgi.service.event.Event(io.mooring.api.MooringEvents.DEVICE_UNENROLLED,
                java.util.Map.of(io.mooring.api.MooringEvents.DEVICE, device.toString())));

        assertThat(stores.pki.findCertificate(serial).orElseThrow().status()).isEqualTo(io.mooring.api.pki.IssuedCertificate.Status.REVOKED);
        java.security.cert.X509CRL crl = (java.security.cert.X509CRL) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCRL(new java.io.ByteArrayInputStream(CrlServlet.build(ca, stores.pki, java.time.Instant.now())));
        crl.verify(ca.certificate().getPublicKey());
        assertThat(crl.isRevoked(reply.issued())).isTrue();
        assertThat(reply.issued().getExtensionValue("2.5.29.31")).isNotNull();

        ScepTestClient other = new ScepTestClient(bc, 2048, "staying");
        ScepTestClient.Reply kept = other.read(responder.pkiOperation(other.pkcsReq(ra(), "staying", challenge())), ra());
        assertThat(crl.isRevoked(kept.issued())).isFalse();
    }
}
