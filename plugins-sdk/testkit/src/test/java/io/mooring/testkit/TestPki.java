package io.mooring.testkit;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Hashtable;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The server side of the cryptography, written for the tests from the RFCs: a CA with an RA, signed
 * profiles, SCEP replies (RFC 8894) and checks of Mdm-Signature headers. Independent of the classes under
 * test except for key generation.
 */
final class TestPki {
    static final BouncyCastleProvider BC = new BouncyCastleProvider();
    static final ASN1ObjectIdentifier MESSAGE_TYPE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.2");
    static final ASN1ObjectIdentifier PKI_STATUS = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.3");
    static final ASN1ObjectIdentifier FAIL_INFO = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.4");
    static final ASN1ObjectIdentifier SENDER_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.5");
    static final ASN1ObjectIdentifier RECIPIENT_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.6");
    static final ASN1ObjectIdentifier TRANSACTION_ID = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.7");

    /** What a PKCSReq carried, once opened with the RA key. */
    record OpenedRequest(String messageType, String transactionId, byte[] senderNonce, X509Certificate signer, PKCS10CertificationRequest csr,
            ASN1ObjectIdentifier encryption, String challenge) {
    }

    final KeyPair caKeys = AppleSignatures.rsaKeyPair(2048);
    final X509Certificate ca;
    final KeyPair raKeys = AppleSignatures.rsaKeyPair(2048);
    final X509Certificate ra;

    TestPki(String name) throws Exception {
        X500Name caName = new X500Name("CN=" + name + " CA,O=Mooring Test");
        ca = certificate(caName, caName, caKeys.getPublic(), caKeys, true, null);
        ra = certificate(new X500Name("CN=" + name + " RA,O=Mooring Test"), caName, raKeys.getPublic(), caKeys, false, null);
    }

    X509Certificate issue(X500Name subject, PublicKey key) throws Exception {
        return certificate(subject, X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), key, caKeys, false, null);
    }

    /** A TLS server certificate; {@code dnsName} null leaves out the subjectAltName a client checks the host against. */
    X509Certificate tlsServer(PublicKey key, String dnsName) throws Exception {
        return certificate(new X500Name("CN=Mooring test server"), X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), key, caKeys,
                false, dnsName);
    }

    private static X509Certificate certificate(X500Name subject, X500Name issuer, PublicKey key, KeyPair signer, boolean isCa, String dnsName)
            throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(63, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), subject, key);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (dnsName != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, dnsName), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        return new JcaX509CertificateConverter().setProvider(BC).getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withRSA").setProvider(BC).build(signer.getPrivate())));
    }

    /** A profile as the server serves it: the plist encapsulated in a SignedData by {@code signerCertificate}. */
    static byte[] signedProfile(byte[] plist, KeyPair signerKeys, X509Certificate signerCertificate) throws Exception {
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider(BC).build())
                .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(BC).build(signerKeys.getPrivate()), signerCertificate));
        generator.addCertificate(new JcaX509CertificateHolder(signerCertificate));
        return generator.generate(new CMSProcessableByteArray(plist), true).getEncoded();
    }

    /** GetCACert's answer: a certificates-only SignedData. */
    static byte[] degenerate(X509Certificate... certificates) throws Exception {
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        for (X509Certificate certificate : certificates) {
            generator.addCertificate(new JcaX509CertificateHolder(certificate));
        }
        return generator.generate(new CMSProcessableByteArray(new byte[0]), false).getEncoded();
    }

    /** Checks and opens a pkiMessage the way a SCEP server does, decrypting with the RA key. */
    OpenedRequest open(byte[] pkiMessage) throws Exception {
        CMSSignedData signed = new CMSSignedData(pkiMessage);
        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        X509CertificateHolder signerHolder = (X509CertificateHolder) signed.getCertificates().getMatches(signer.getSID()).iterator().next();
        if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(signerHolder))) {
            throw new AssertionError("the pkiMessage's signature does not verify");
        }
        AttributeTable attributes = signer.getSignedAttributes();
        CMSEnvelopedData envelope = new CMSEnvelopedData((byte[]) signed.getSignedContent().getContent());
        byte[] csrDer = envelope.getRecipientInfos().getRecipients().iterator().next()
                .getContent(new JceKeyTransEnvelopedRecipient(raKeys.getPrivate()).setProvider(BC));
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(csrDer);
        String challenge = null;
        for (org.bouncycastle.asn1.pkcs.Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_challengePassword)) {
            challenge = ((ASN1String) attribute.getAttrValues().getObjectAt(0)).getString();
        }
        return new OpenedRequest(string(attributes, MESSAGE_TYPE), string(attributes, TRANSACTION_ID),
                ((ASN1OctetString) value(attributes, SENDER_NONCE)).getOctets(),
                new JcaX509CertificateConverter().setProvider(BC).getCertificate(signerHolder), csr,
                envelope.getContentEncryptionAlgorithm().getAlgorithm(), challenge);
    }

    /** A CertRep signed by the RA: SUCCESS with {@code issued} enveloped for the requester, or FAILURE with {@code failInfo}. */
    byte[] certRep(OpenedRequest request, X509Certificate issued, String failInfo, byte[] recipientNonce) throws Exception {
        Hashtable<ASN1ObjectIdentifier, Attribute> attributes = new Hashtable<>();
        put(attributes, MESSAGE_TYPE, new DERPrintableString("3"));
        put(attributes, TRANSACTION_ID, new DERPrintableString(request.transactionId()));
        put(attributes, PKI_STATUS, new DERPrintableString(issued != null ? "0" : "2"));
        put(attributes, RECIPIENT_NONCE, new DEROctetString(recipientNonce));
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        put(attributes, SENDER_NONCE, new DEROctetString(nonce));
        byte[] content = new byte[0];
        if (issued != null) {
            CMSEnvelopedDataGenerator envelope = new CMSEnvelopedDataGenerator();
            envelope.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(request.signer()).setProvider(BC));
            content = envelope.generate(new CMSProcessableByteArray(degenerate(issued)),
                    new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES128_CBC).setProvider(BC).build()).getEncoded();
        } else {
            put(attributes, FAIL_INFO, new DERPrintableString(failInfo));
        }
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider(BC).build())
                .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attributes)))
                .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(BC).build(raKeys.getPrivate()), ra));
        generator.addCertificate(new JcaX509CertificateHolder(ra));
        return generator.generate(new CMSProcessableByteArray(content), true).getEncoded();
    }

    /**
     * Checks an Mdm-Signature header over {@code body} as a server does; returns the signing certificate,
     * or null when the header does not verify, is not detached, or its certificate is not issued by this CA.
     */
    X509Certificate verifyMdmSignature(String header, byte[] body) {
        try {
            CMSSignedData detached = new CMSSignedData(Base64.getDecoder().decode(header));
            if (detached.getSignedContent() != null) {
                return null;
            }
            CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(body), Base64.getDecoder().decode(header));
            SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
            X509CertificateHolder holder = (X509CertificateHolder) signed.getCertificates().getMatches(signer.getSID()).iterator().next();
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(holder))) {
                return null;
            }
            X509Certificate certificate = new JcaX509CertificateConverter().setProvider(BC).getCertificate(holder);
            certificate.verify(ca.getPublicKey());
            return certificate;
        } catch (Exception e) {
            return null;
        }
    }

    private static void put(Hashtable<ASN1ObjectIdentifier, Attribute> attributes, ASN1ObjectIdentifier oid, ASN1Encodable value) {
        attributes.put(oid, new Attribute(oid, new DERSet(value)));
    }

    private static ASN1Encodable value(AttributeTable attributes, ASN1ObjectIdentifier oid) {
        Attribute attribute = attributes.get(oid);
        return attribute == null ? null : attribute.getAttrValues().getObjectAt(0);
    }

    private static String string(AttributeTable attributes, ASN1ObjectIdentifier oid) {
        return value(attributes, oid) instanceof ASN1String s ? s.getString() : null;
    }
}
