package io.mooring.platform.windows.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import io.mooring.api.Actor;
import io.mooring.api.Device;
import io.mooring.testkit.WindowsPc;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** Certificate renewal as Windows runs it on its own (ROBO): authenticated by the identity it renews, signed with it. */
class RenewalTest {

    @Test
    void aPcRenewsItsIdentityAndTheReplacedOneWorksUntilTheNewOneIsUsed() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-R");
        // a year's identity: renewal starts 42 days before it expires, and is tried again a day later while it fails
        assertThat(pc.renewalSettings()).containsEntry("ROBOSupport", "true").containsEntry("RenewPeriod", "42").containsEntry("RetryInterval", "1");
        pc.sync();
        X509Certificate old = pc.identity();
        Device device = bed.core.only();

        pc.renew();

        X509Certificate renewed = pc.identity();
        assertThat(renewed.getSerialNumber()).isNotEqualTo(old.getSerialNumber());
        assertThat(renewed.getPublicKey()).isNotEqualTo(old.getPublicKey());
        assertThat(renewed.getSubjectX500Principal()).isEqualTo(old.getSubjectX500Principal());
        assertThat(pc.managementUrl()).isEqualTo(Testbed.SERVER + OmaDmProtocol.PATH);
        assertThat(bed.core.get(device.id(), EnrollmentProtocol.ATTR_IDENTITY)).map(String::new).contains(renewed.getSerialNumber().toString(16));

        // the answer may not have reached the PC: the replaced identity still works, until the new one is used
        assertThat(hello(bed, pc, "A1", old)).contains("<Data>200</Data>");
        pc.sync();
        assertThat(bed.core.get(device.id(), EnrollmentProtocol.ATTR_IDENTITY_PREVIOUS)).isEmpty();
        assertThat(bed.core.revoked).containsExactly(old.getSerialNumber().toString(16));
        assertThat(hello(bed, pc, "A2", old)).contains("<Cmd>SyncHdr</Cmd>").contains("<Data>403</Data>");
        assertThat(hello(bed, pc, "A3", renewed)).contains("<Data>200</Data>");
    }

    @Test
    void aPcWhoseRenewalAnswerWasLostRenewsAgainWithTheIdentityItStillHolds() throws Exception {
        Testbed bed = new Testbed(20);
        java.util.concurrent.atomic.AtomicBoolean loseAnswer = new java.util.concurrent.atomic.AtomicBoolean();
        WindowsPc pc = new WindowsPc("LAPTOP-L", List.of(), (uri, type, body, tls, certificate) -> {
            WindowsPc.Response answer = bed.transport().post(uri, type, body, tls, certificate);
            return loseAnswer.getAndSet(false) ? new WindowsPc.Response(502, "text/plain", "bad gateway".getBytes(StandardCharsets.UTF_8)) : answer;
        });
        pc.enroll(Testbed.discovery(), "l@example.test", bed.core.token(1));
        X509Certificate original = pc.identity();
        Device device = bed.core.only();

        loseAnswer.set(true);
        assertThatThrownBy(pc::renew).hasMessageContaining("502");
        assertThat(pc.identity()).isEqualTo(original);
        String lost = new String(bed.core.get(device.id(), EnrollmentProtocol.ATTR_IDENTITY).orElseThrow(), StandardCharsets.UTF_8);
        assertThat(lost).isNotEqualTo(original.getSerialNumber().toString(16));

        // the identity the PC holds is still good: for management, and to renew again
        assertThat(hello(bed, pc, "B1", original)).contains("<Data>200</Data>");
        pc.renew();
        X509Certificate renewed = pc.identity();
        assertThat(bed.core.revoked).containsExactly(lost);
        pc.sync();
        assertThat(bed.core.revoked).containsExactly(lost, original.getSerialNumber().toString(16));
        assertThat(hello(bed, pc, "B2", original)).contains("<Data>403</Data>");
        assertThat(hello(bed, pc, "B3", renewed)).contains("<Data>200</Data>");
    }

    @Test
    void aRenewalIsRefusedWithoutTheIdentityItRenewsOrForAnUnenrolledPcAndIssuesNothing() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-S");
        X509Certificate identity = pc.identity();
        int issued = bed.core.issuedCount();

        // signed by a key and certificate that are not the PC's identity
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair stranger = rsa.generateKeyPair();
        X509Certificate strangerCert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name("CN=stranger"),
                BigInteger.TEN, Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plusSeconds(3600)), new X500Name("CN=stranger"),
                stranger.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(stranger.getPrivate())));
        assertThatThrownBy(() -> pc.renew(stranger, strangerCert)).isInstanceOfSatisfying(WindowsPc.EnrollmentRefused.class,
                e -> assertThat(e.errorType).isEqualTo("CertificateRequest"));
        // signed with a certificate that copies the identity's serial and subject, over the PC's own connection
        X509Certificate forged = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name(identity.getIssuerX500Principal().getName()), identity.getSerialNumber(), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(3600)), new X500Name(identity.getSubjectX500Principal().getName()), stranger.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(stranger.getPrivate())));
        assertThatThrownBy(() -> pc.renew(stranger, forged)).isInstanceOfSatisfying(WindowsPc.EnrollmentRefused.class,
                e -> assertThat(e.errorType).isEqualTo("CertificateRequest"));

        // no client certificate on the connection
        WindowsPc anonymous = new WindowsPc("LAPTOP-T", List.of(),
                (uri, type, body, tls, certificate) -> bed.transport().post(uri, type, body, tls, uri.getPath().startsWith("/EnrollmentServer") ? null : certificate));
        anonymous.enroll(Testbed.discovery(), "t@example.test", bed.core.token(1));
        assertThatThrownBy(anonymous::renew).isInstanceOfSatisfying(WindowsPc.EnrollmentRefused.class,
                e -> assertThat(e.errorType).isEqualTo("Authentication"));

        // unenrolled
        bed.core.unenroll(bed.core.findForDevicePlane(deviceOf(identity)).orElseThrow().tenant(), deviceOf(identity), Actor.SYSTEM);
        assertThatThrownBy(pc::renew).isInstanceOfSatisfying(WindowsPc.EnrollmentRefused.class,
                e -> assertThat(e.errorType).isEqualTo("Authentication"));
        assertThat(bed.core.issuedCount()).isEqualTo(issued + 1); // the anonymous PC's enrollment only
        assertThat(pc.identity()).isEqualTo(identity);
        assertThat(bed.core.revoked).isEmpty();
    }

    @Test
    void theRenewingPcReadsThePolicyWithItsIdentityInsteadOfACredential() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-P");
        String getPolicies = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"http://www.w3.org/2005/08/addressing\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><s:Header><a:Action s:mustUnderstand=\"1\">"
                + "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies</a:Action><a:MessageID>urn:uuid:"
                + java.util.UUID.randomUUID() + "</a:MessageID><a:To s:mustUnderstand=\"1\">" + Testbed.SERVER + EnrollmentProtocol.POLICY_PATH
                + "</a:To></s:Header><s:Body><GetPolicies xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy\"><client>"
                + "<lastUpdate xsi:nil=\"true\"/><preferredLanguage xsi:nil=\"true\"/></client><requestFilter xsi:nil=\"true\"/></GetPolicies>"
                + "</s:Body></s:Envelope>";
        byte[] body = getPolicies.getBytes(StandardCharsets.UTF_8);
        EnrollmentServlet.HttpAnswer withIdentity = EnrollmentServlet.dispatch(bed.enrollment, EnrollmentProtocol.POLICY_PATH, "POST", body, "test",
                pc.identity());
        assertThat(withIdentity.status()).isEqualTo(200);
        assertThat(new String(withIdentity.body(), StandardCharsets.UTF_8)).contains("<minimalKeyLength>2048</minimalKeyLength>");
        EnrollmentServlet.HttpAnswer anonymous = EnrollmentServlet.dispatch(bed.enrollment, EnrollmentProtocol.POLICY_PATH, "POST", body, "test", null);
        assertThat(anonymous.status()).isEqualTo(500);
        assertThat(new String(anonymous.body(), StandardCharsets.UTF_8)).contains("Authentication");
    }

    private static io.mooring.api.DeviceId deviceOf(X509Certificate identity) {
        String subject = identity.getSubjectX500Principal().getName(); // CN=<device id>,O=...
        return io.mooring.api.DeviceId.parse(subject.substring(3, subject.indexOf(',')));
    }

    /** A session's first message from the PC, authenticated by {@code certificate}; Mooring's answer. */
    private static String hello(Testbed bed, WindowsPc pc, String session, X509Certificate certificate) {
        String message = "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>" + session
                + "</SessionID><MsgID>1</MsgID><Target><LocURI>" + pc.managementUrl() + "</LocURI></Target><Source><LocURI>" + pc.deviceId()
                + "</LocURI></Source></SyncHdr><SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>";
        OmaDmProtocol.Answer answer = bed.dm.handle(message.getBytes(StandardCharsets.UTF_8), false, certificate);
        return new String(answer.body(), StandardCharsets.UTF_8);
    }
}
