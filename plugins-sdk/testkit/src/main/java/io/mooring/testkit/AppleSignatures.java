package io.mooring.testkit;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The CMS signatures of Apple's device management, seen from the device: the {@code Mdm-Signature} header
 * a device puts on every check-in and command request when its MDM payload says {@code SignMessage}, and
 * the signature on an enrollment profile it installs. Also builds the device's throw-away certificates, so
 * tests can sign with an identity the server never issued.
 */
public final class AppleSignatures {
    /** Handed to every Bouncy Castle builder; never registered JVM-wide. */
    static final Provider BC = new BouncyCastleProvider();

    private static final String SIGNATURE_ALGORITHM = "SHA256withRSA";

    /** An enrollment profile after its signature checked out: the plist inside and who signed it. */
    public record SignedContent(byte[] content, X509Certificate signer) {
    }

    private AppleSignatures() {
    }

    /**
     * The value of the {@code Mdm-Signature} header for {@code body}: base64 of a DER CMS SignedData without
     * encapsulated content (detached), signed SHA-256 with RSA by {@code key}, carrying {@code certificate}.
     */
    public static String mdmSignature(byte[] body, PrivateKey key, X509Certificate certificate) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().setProvider(BC).build())
                    .build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).setProvider(BC).build(key), certificate));
            generator.addCertificate(new JcaX509CertificateHolder(certificate));
            CMSSignedData signed = generator.generate(new CMSProcessableByteArray(body), false);
            return Base64.getEncoder().encodeToString(signed.getEncoded(ASN1Encoding.DER));
        } catch (OperatorCreationException | CertificateEncodingException | CMSException | IOException e) {
            throw new IllegalStateException("cannot sign with " + certificate.getSubjectX500Principal(), e);
        }
    }

    /**
     * Opens a signed profile (DER CMS SignedData with the plist encapsulated) and checks its one signature
     * against the signer certificate the SignedData carries. Whether that signer is trusted is the caller's
     * question: a device installs a profile signed by an unknown party too, and shows it "Not Verified".
     *
     * @throws SignatureException when the bytes are not a SignedData, carry no content or no signer
     *                            certificate, or the signature does not verify
     */
    public static SignedContent openSignedProfile(byte[] der) throws SignatureException {
        CMSSignedData signed;
        try {
            signed = new CMSSignedData(der);
        } catch (CMSException | RuntimeException e) {
            throw new SignatureException("the profile is not a CMS SignedData: " + e.getMessage(), e);
        }
        if (signed.getSignedContent() == null || !(signed.getSignedContent().getContent() instanceof byte[] content)) {
            throw new SignatureException("the signed profile carries no content");
        }
        Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw new SignatureException("the profile has " + signers.size() + " signers, expected one");
        }
        SignerInformation signer = signers.iterator().next();
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> matches = signed.getCertificates().getMatches(signer.getSID());
        if (matches.isEmpty()) {
            throw new SignatureException("the signed profile does not include its signer's certificate");
        }
        try {
            X509CertificateHolder certificate = matches.iterator().next();
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(certificate))) {
                throw new SignatureException("the profile's signature does not verify");
            }
            return new SignedContent(content, new JcaX509CertificateConverter().setProvider(BC).getCertificate(certificate));
        } catch (CMSException | OperatorCreationException | CertificateException e) {
            throw new SignatureException("the profile's signature does not verify: " + e.getMessage(), e);
        }
    }

    /** A new RSA key pair of {@code bits}. */
    public static KeyPair rsaKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits, new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no RSA", e);
        }
    }

    /**
     * A self-signed certificate for {@code keys}, valid from a minute ago for {@code validity}: what a SCEP
     * client signs its request with before it has a certificate, and what a test signs with to pose as a
     * device the server never enrolled.
     */
    public static X509Certificate selfSigned(KeyPair keys, X500Principal subject, Duration validity) {
        X500Name name = X500Name.getInstance(subject.getEncoded());
        Instant now = Instant.now();
        try {
            return new JcaX509CertificateConverter().setProvider(BC).getCertificate(new JcaX509v3CertificateBuilder(name,
                    new BigInteger(63, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(validity)),
                    name, keys.getPublic())
                    .build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).setProvider(BC).build(keys.getPrivate())));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot make a self-signed certificate for " + subject, e);
        }
    }
}
