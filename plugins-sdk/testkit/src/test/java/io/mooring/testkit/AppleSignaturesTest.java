package io.mooring.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignerDigestMismatchException;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.junit.jupiter.api.Test;

class AppleSignaturesTest {
    private static final KeyPair DEVICE_KEYS = AppleSignatures.rsaKeyPair(2048);
    private static final X509Certificate DEVICE = AppleSignatures.selfSigned(DEVICE_KEYS, new X500Principal("CN=device,O=Mooring"),
            Duration.ofHours(1));

    private final byte[] body = ApplePlists.xml(java.util.Map.of("Status", "Idle", "UDID", "00008120-0011223344556677"));

    @Test
    void mdmSignatureIsADetachedSha256RsaSignatureOverTheBodyCarryingTheCertificate() throws Exception {
        byte[] der = Base64.getDecoder().decode(AppleSignatures.mdmSignature(body, DEVICE_KEYS.getPrivate(), DEVICE));

        CMSSignedData alone = new CMSSignedData(der);
        assertThat(alone.getSignedContent()).as("detached: no encapsulated content").isNull();

        CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(body), der);
        assertThat(signed.getSignerInfos().size()).isEqualTo(1);
        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        @SuppressWarnings("unchecked")
        X509CertificateHolder included = (X509CertificateHolder) signed.getCertificates().getMatches(signer.getSID()).iterator().next();
        assertThat(included).isEqualTo(new JcaX509CertificateHolder(DEVICE));
        assertThat(signer.getDigestAlgOID()).isEqualTo(NISTObjectIdentifiers.id_sha256.getId());
        assertThat(signer.getEncryptionAlgOID()).isIn(PKCSObjectIdentifiers.rsaEncryption.getId(),
                PKCSObjectIdentifiers.sha256WithRSAEncryption.getId());
        assertThat(signer.getSignedAttributes().get(CMSAttributes.messageDigest)).isNotNull();
        assertThat(signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(TestPki.BC).build(DEVICE))).isTrue();
    }

    @Test
    void mdmSignatureDoesNotVerifyOverOtherBytes() throws Exception {
        byte[] der = Base64.getDecoder().decode(AppleSignatures.mdmSignature(body, DEVICE_KEYS.getPrivate(), DEVICE));
        byte[] other = new String(body, StandardCharsets.UTF_8).replace("Idle", "Acknowledged").getBytes(StandardCharsets.UTF_8);

        CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(other), der);
        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();

        assertThatThrownBy(() -> signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(TestPki.BC).build(DEVICE)))
                .isInstanceOf(CMSSignerDigestMismatchException.class);
    }

    @Test
    void opensASignedProfileAndNamesItsSigner() throws Exception {
        TestPki pki = new TestPki("signatures");
        byte[] plist = "<plist version=\"1.0\"><dict><key>PayloadType</key><string>Configuration</string></dict></plist>"
                .getBytes(StandardCharsets.UTF_8);

        AppleSignatures.SignedContent opened = AppleSignatures.openSignedProfile(TestPki.signedProfile(plist, pki.raKeys, pki.ra));

        assertThat(opened.content()).isEqualTo(plist);
        assertThat(opened.signer()).isEqualTo(pki.ra);
        assertThat(opened.signer().getSubjectX500Principal().getName()).contains("CN=signatures RA");
    }

    @Test
    void refusesAProfileWhoseSignatureIsNotByTheIncludedCertificate() throws Exception {
        TestPki pki = new TestPki("signatures");
        byte[] plist = "<plist version=\"1.0\"><dict/></plist>".getBytes(StandardCharsets.UTF_8);

        // signed with the CA's key but presenting the RA's certificate
        byte[] forged = TestPki.signedProfile(plist, pki.caKeys, pki.ra);

        assertThatThrownBy(() -> AppleSignatures.openSignedProfile(forged)).isInstanceOf(SignatureException.class);
    }

    @Test
    void refusesAnUnsignedProfile() {
        byte[] plist = "<plist version=\"1.0\"><dict/></plist>".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> AppleSignatures.openSignedProfile(plist))
                .isInstanceOf(SignatureException.class)
                .hasMessageContaining("not a CMS SignedData");
    }
}
