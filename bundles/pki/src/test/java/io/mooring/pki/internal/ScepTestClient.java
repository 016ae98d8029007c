package io.mooring.pki.internal;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.Hashtable;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** A SCEP client written for the tests from RFC 8894, to build requests a real client would and read the replies. */
final class ScepTestClient {
    record Reply(String pkiStatus, String failInfo, String transactionId, byte[] recipientNonce, X509Certificate issued) {
    }

    final Provider bc;
    final KeyPair keys;
    final X509Certificate selfSigned;
    final String transactionId = "tx-" + Long.toHexString(new SecureRandom().nextLong());
    final byte[] nonce = new byte[16];

    ScepTestClient(Provider bc, int keySize, String cn) throws Exception {
        this.bc = bc;
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", bc);
        g.initialize(keySize);
        keys = g.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        selfSigned = new JcaX509CertificateConverter().setProvider(bc).getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 3_600_000), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(keys.getPrivate())));
        new SecureRandom().nextBytes(nonce);
    }

    /** {@code ca} is the certificate the request is encrypted for: the RA, as GetCACert names it. */
    byte[] pkcsReq(X509Certificate ca, String cn, String challenge) throws Exception {
        return request("19", ca, cn, challenge, selfSigned, keys);
    }

    /** RenewalReq: signed with the current certificate and its key. */
    byte[] renewalReq(X509Certificate ca, String cn, X509Certificate current, KeyPair currentKeys) throws Exception {
        return request("17", ca, cn, null, current, currentKeys);
    }

    private byte[] request(String type, X509Certificate ca, String cn, String challenge, X509Certificate signerCert, KeyPair signerKeys)
            throws Exception {
        JcaPKCS10CertificationRequestBuilder csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), keys.getPublic());
        if (challenge != null) {
            csr.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString(challenge));
        }
        byte[] csrDer = csr.build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(keys.getPrivate())).getEncoded();
        CMSEnvelopedDataGenerator env = new CMSEnvelopedDataGenerator();
        env.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(ca).setProvider(bc));
        byte[] enveloped = env.generate(new CMSProcessableByteArray(csrDer),
                new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES128_CBC).setProvider(bc).build()).getEncoded();
        Hashtable<ASN1ObjectIdentifier, Attribute> attrs = new Hashtable<>();
        put(attrs, ScepResponder.MESSAGE_TYPE, new DERPrintableString(type));
        put(attrs, ScepResponder.TRANSACTION_ID, new DERPrintableString(transactionId));
        put(attrs, ScepResponder.SENDER_NONCE, new DEROctetString(nonce));
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider(bc).build())
                .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attrs)))
                .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(signerKeys.getPrivate()), signerCert));
        gen.addCertificate(new X509CertificateHolder(signerCert.getEncoded()));
        return gen.generate(new CMSProcessableByteArray(enveloped), true).getEncoded();
    }

    /** Checks the reply is signed by {@code ca} and reads it; decrypts the issued certificate on success. */
    Reply read(byte[] certRep, X509Certificate ca) throws Exception {
        return read(certRep, ca, keys.getPrivate());
    }

    /** The reply is encrypted for the certificate that signed the request (for a renewal: the current one). */
    Reply read(byte[] certRep, X509Certificate ca, java.security.PrivateKey decryptWith) throws Exception {
        CMSSignedData signed = new CMSSignedData(certRep);
        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(bc).build(ca))) {
            throw new AssertionError("CertRep not signed by the CA");
        }
        AttributeTable attrs = signer.getSignedAttributes();
        String status = string(attrs, ScepResponder.PKI_STATUS);
        X509Certificate issued = null;
        if ("0".equals(status)) {
            byte[] enveloped = (byte[]) signed.getSignedContent().getContent();
            byte[] inner = new CMSEnvelopedData(enveloped).getRecipientInfos().getRecipients().iterator().next()
                    .getContent(new JceKeyTransEnvelopedRecipient(decryptWith).setProvider(bc));
            X509CertificateHolder holder = (X509CertificateHolder) new CMSSignedData(inner).getCertificates().getMatches(null).iterator().next();
            issued = new JcaX509CertificateConverter().setProvider(bc).getCertificate(holder);
        }
        Attribute nonceAttr = attrs.get(ScepResponder.RECIPIENT_NONCE);
        byte[] recipientNonce = nonceAttr == null ? null : ((DEROctetString) nonceAttr.getAttrValues().getObjectAt(0)).getOctets();
        return new Reply(status, string(attrs, ScepResponder.FAIL_INFO), string(attrs, ScepResponder.TRANSACTION_ID), recipientNonce, issued);
    }

    private static void put(Hashtable<ASN1ObjectIdentifier, Attribute> attrs, ASN1ObjectIdentifier oid, ASN1Encodable v) {
        attrs.put(oid, new Attribute(oid, new DERSet(v)));
    }

    private static String string(AttributeTable attrs, ASN1ObjectIdentifier oid) {
        Attribute a = attrs.get(oid);
        return a == null ? null : ((ASN1String) a.getAttrValues().getObjectAt(0)).getString();
    }
}
