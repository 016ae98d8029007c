package io.mooring.pki.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.Hashtable;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Set;
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
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import io.mooring.api.TenantId;
import io.mooring.api.pki.IssuedCertificate;
import io.mooring.api.store.PkiStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PKIOperation side of SCEP (RFC 8894 §3): opens a client's pkiMessage, decides, and answers with a
 * CertRep signed by the RA. Every refusal is a CertRep with status FAILURE and the failInfo RFC 8894
 * §3.2.1.4.5 defines; a request is never answered with an exception, and a refused request issues
 * nothing and spends no challenge it did not prove.
 */
final class ScepResponder {
    private static final Logger LOG = LoggerFactory.getLogger(ScepResponder.class);

    // RFC 8894 §3.2.1 signed attributes (id-VeriSign 2.16.840.1.113733.1.9.x)
    static final ASN1ObjectIdentifier MESSAGE_TYPE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.2");
    static final ASN1ObjectIdentifier PKI_STATUS = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.3");
    static final ASN1ObjectIdentifier FAIL_INFO = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.4");
    static final ASN1ObjectIdentifier SENDER_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.5");
    static final ASN1ObjectIdentifier RECIPIENT_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.6");
    static final ASN1ObjectIdentifier TRANSACTION_ID = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.7");

    static final String CERT_REP = "3";
    static final String RENEWAL_REQ = "17";
    static final String PKCS_REQ = "19";
    static final String CERT_POLL = "20";

    enum FailInfo {
        BAD_ALG(0), BAD_MESSAGE_CHECK(1), BAD_REQUEST(2), BAD_TIME(3), BAD_CERT_ID(4);

        final int code;

        FailInfo(int code) {
            this.code = code;
        }
    }

    /** A refusal with the failInfo to send and the reason to log. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final FailInfo failInfo;

        Refused(FailInfo failInfo, String reason) {
            super(reason, null, false, false);
            this.failInfo = failInfo;
        }
    }

    private final CaMaterial ca;
    private final Provider bc;
    private final PkiStore store;
    private final ScepPolicy policy;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ScepResponder(CaMaterial ca, Provider bc, PkiStore store, ScepPolicy policy, Clock clock) {
        this.ca = ca;
        this.bc = bc;
        this.store = store;
        this.policy = policy;
        this.clock = clock;
    }

    /** What the request carried that the reply must echo; empty when the message could not be read at all. */
    private record Envelope(String transactionId, byte[] senderNonce, X509CertificateHolder requester, String messageType) {
    }

    byte[] pkiOperation(byte[] message) {
        Envelope envelope = new Envelope(null, null, null, null);
        try {
            if (message == null || message.length == 0 || message.length > policy.maxRequestBytes()) {
                throw new Refused(FailInfo.BAD_REQUEST, "empty or oversized request (" + (message == null ? 0 : message.length) + " bytes)");
            }
            CMSSignedData signed = parse(message);
            SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
            envelope = envelope(signed, signer);
            if (!verify(signer, envelope.requester())) {
                throw new Refused(FailInfo.BAD_MESSAGE_CHECK, "the request's signature does not verify with its signer certificate");
            }
            return switch (envelope.messageType()) {
                case PKCS_REQ, RENEWAL_REQ -> issue(envelope, signed);
                case CERT_POLL -> throw new Refused(FailInfo.BAD_CERT_ID, "no pending request with transaction " + envelope.transactionId());
                default -> throw new Refused(FailInfo.BAD_REQUEST, "unsupported messageType " + envelope.messageType());
            };
        } catch (Refused r) {
            LOG.info("SCEP request refused ({}): {}", r.failInfo, r.getMessage());
            return failure(envelope, r.failInfo);
        } catch (RuntimeException | GeneralSecurityException | IOException | CMSException | OperatorCreationException e) {
            LOG.warn("SCEP request could not be processed: {}", e.toString());
            return failure(envelope, FailInfo.BAD_REQUEST);
        }
    }

    private static CMSSignedData parse(byte[] message) throws Refused {
        try {
            CMSSignedData signed = new CMSSignedData(message);
            if (signed.getSignerInfos().size() != 1 || !(signed.getSignedContent() != null && signed.getSignedContent().getContent() instanceof byte[])) {
                throw new Refused(FailInfo.BAD_MESSAGE_CHECK, "a pkiMessage has exactly one signer and an enveloped content");
            }
            return signed;
        } catch (CMSException | RuntimeException e) {
            throw new Refused(FailInfo.BAD_MESSAGE_CHECK, "the request is not a CMS SignedData (" + e.getMessage() + ")");
        }
    }

    private static Envelope envelope(CMSSignedData signed, SignerInformation signer) throws Refused {
        AttributeTable attrs = signer.getSignedAttributes();
        if (attrs == null) {
            throw new Refused(FailInfo.BAD_MESSAGE_CHECK, "the request has no signed attributes");
        }
        String transactionId = string(attrs, TRANSACTION_ID);
        ASN1Encodable nonce = value(attrs, SENDER_NONCE);
        byte[] senderNonce = nonce instanceof ASN1OctetString o ? o.getOctets() : null;
        String messageType = string(attrs, MESSAGE_TYPE);
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> certs = signed.getCertificates().getMatches(signer.getSID());
        X509CertificateHolder requester = certs.isEmpty() ? null : certs.iterator().next();
        Envelope e = new Envelope(transactionId, senderNonce, requester, messageType);
        if (transactionId == null || senderNonce == null || messageType == null || requester == null) {
            throw new Refused(FailInfo.BAD_MESSAGE_CHECK, "the request lacks transactionID, senderNonce, messageType or the signer certificate");
        }
        return e;
    }

    private boolean verify(SignerInformation signer, X509CertificateHolder requester) {
        try {
            return signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(bc).build(requester));
        } catch (Exception e) {
            return false;
        }
    }

    private byte[] issue(Envelope envelope, CMSSignedData signed) throws Refused, GeneralSecurityException, IOException, CMSException,
            OperatorCreationException {
        byte[] csrDer = open((byte[]) signed.getSignedContent().getContent());
        PKCS10CertificationRequest csr;
        PublicKey key;
        try {
            csr = ClientIdentities.parse(csrDer);
            key = ClientIdentities.provenKey(csr, bc, policy);
        } catch (ClientIdentities.BadRequest e) {
            throw new Refused(e.badKey ? FailInfo.BAD_ALG : e.getMessage().contains("signature") ? FailInfo.BAD_MESSAGE_CHECK : FailInfo.BAD_REQUEST,
                    e.getMessage());
        }
        TenantId tenant = authorize(envelope, csr);
        X509Certificate issued = sign(csr, key);
        store.recordCertificate(new IssuedCertificate(issued.getSerialNumber().toString(16), tenant, issued.getSubjectX500Principal().getName(),
                issued.getNotBefore().toInstant(), issued.getNotAfter().toInstant(), IssuedCertificate.Status.VALID, clock.instant(), Pem.of(issued)));
        LOG.info("Issued certificate {} to {} (tenant {}, transaction {})", issued.getSerialNumber().toString(16),
                issued.getSubjectX500Principal().getName(), tenant, envelope.transactionId());
        return success(envelope, issued, signed);
    }

    private byte[] open(byte[] enveloped) throws Refused {
        try {
            CMSEnvelopedData env = new CMSEnvelopedData(enveloped);
            for (RecipientInformation recipient : env.getRecipientInfos().getRecipients()) {
                // clients encrypt to the RA; older ones that saw only the CA encrypt to it
                for (java.security.PrivateKey key : new java.security.PrivateKey[] {ca.raPrivateKey(), ca.privateKey()}) {
                    try {
                        return recipient.getContent(new JceKeyTransEnvelopedRecipient(key).setProvider(bc));
                    } catch (CMSException notThisKey) {
                        // try the other key, then the next recipient
                    }
                }
            }
            throw new Refused(FailInfo.BAD_MESSAGE_CHECK, "the request was not encrypted for this CA");
        } catch (CMSException | RuntimeException e) {
            throw new Refused(FailInfo.BAD_MESSAGE_CHECK, "the signed content is not an EnvelopedData for this CA");
        }
    }

    /** PKCSReq needs a valid one-time challenge; RenewalReq is signed by a valid certificate this CA issued. */
    private TenantId authorize(Envelope envelope, PKCS10CertificationRequest csr) throws Refused {
        if (RENEWAL_REQ.equals(envelope.messageType())) {
            X509CertificateHolder current = envelope.requester();
            if (!current.getIssuer().equals(X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()))) {
                throw new Refused(FailInfo.BAD_CERT_ID, "a renewal must be signed by a certificate this CA issued");
            }
            Instant now = clock.instant();
            if (!current.isValidOn(Date.from(now))) {
                throw new Refused(FailInfo.BAD_TIME, "the certificate that signed the renewal is not valid now");
            }
            // a renewal renews an identity: it cannot turn into another one (another device's, say)
            if (!current.getSubject().equals(csr.getSubject())) {
                throw new Refused(FailInfo.BAD_REQUEST, "a renewal must ask for the subject of the certificate it renews");
            }
            return store.findCertificate(current.getSerialNumber().toString(16))
                    .filter(c -> c.status() == IssuedCertificate.Status.VALID)
                    .map(IssuedCertificate::tenant)
                    .orElseThrow(() -> new Refused(FailInfo.BAD_CERT_ID, "the certificate that signed the renewal is unknown or revoked"));
        }
        String challenge = challenge(csr);
        if (challenge == null) {
            throw new Refused(FailInfo.BAD_REQUEST, "the request carries no challenge password");
        }
        PkiStore.RedeemedChallenge redeemed = store.redeemChallenge(digest(challenge), clock.instant());
        if (redeemed.outcome() == PkiStore.Redemption.REDEEMED && redeemed.purpose() != null
                && redeemed.purpose().startsWith(ScepChallengesImpl.SUBJECT_BOUND)
                && !new X500Name(redeemed.purpose().substring(ScepChallengesImpl.SUBJECT_BOUND.length())).equals(csr.getSubject())) {
            throw new Refused(FailInfo.BAD_REQUEST, "the challenge password was issued for another subject");
        }
        return switch (redeemed.outcome()) {
            case REDEEMED -> redeemed.tenant();
            case USED -> throw new Refused(FailInfo.BAD_REQUEST, "the challenge password was already used");
            case EXPIRED -> throw new Refused(FailInfo.BAD_REQUEST, "the challenge password has expired");
            case UNKNOWN -> throw new Refused(FailInfo.BAD_REQUEST, "the challenge password is not valid");
        };
    }

    private static String challenge(PKCS10CertificationRequest csr) {
        for (org.bouncycastle.asn1.pkcs.Attribute a : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_challengePassword)) {
            ASN1Encodable v = a.getAttrValues().getObjectAt(0);
            if (v instanceof ASN1String s) {
                return s.getString();
            }
        }
        return null;
    }

    private X509Certificate sign(PKCS10CertificationRequest csr, PublicKey key) throws GeneralSecurityException, IOException, OperatorCreationException {
        return ClientIdentities.sign(ca, bc, policy, clock.instant(), random, csr.getSubject(), key, csr.getRequestedExtensions());
    }

    private byte[] success(Envelope envelope, X509Certificate issued, CMSSignedData request) throws GeneralSecurityException, IOException,
            CMSException, OperatorCreationException {
        CMSSignedDataGenerator degenerate = new CMSSignedDataGenerator();
        degenerate.addCertificate(new X509CertificateHolder(issued.getEncoded()));
        byte[] certs = degenerate.generate(new CMSAbsentContent(), false).getEncoded(ASN1Encoding.DER);

        X509Certificate requester = new JcaX509CertificateConverter().setProvider(bc).getCertificate(envelope.requester());
        CMSEnvelopedDataGenerator enveloper = new CMSEnvelopedDataGenerator();
        enveloper.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(requester).setProvider(bc));
        ASN1ObjectIdentifier cipher = requestCipher(request);
        byte[] enveloped = enveloper.generate(new CMSProcessableByteArray(certs),
                new JceCMSContentEncryptorBuilder(cipher).setProvider(bc).build()).toASN1Structure().getEncoded(ASN1Encoding.DER);
        return certRep(envelope, "0", null, enveloped);
    }

    /** Answer in the cipher the client used for its own request (RFC 8894 §3.5.2), if it is one we accept. */
    private static ASN1ObjectIdentifier requestCipher(CMSSignedData request) {
        try {
            String oid = new CMSEnvelopedData((byte[]) request.getSignedContent().getContent()).getEncryptionAlgOID();
            ASN1ObjectIdentifier used = new ASN1ObjectIdentifier(oid);
            if (used.equals(CMSAlgorithm.AES128_CBC) || used.equals(CMSAlgorithm.AES192_CBC) || used.equals(CMSAlgorithm.AES256_CBC)
                    || used.equals(CMSAlgorithm.DES_EDE3_CBC)) {
                return used;
            }
        } catch (CMSException | RuntimeException e) {
            // fall through to the default
        }
        return CMSAlgorithm.AES128_CBC;
    }

    private byte[] failure(Envelope envelope, FailInfo failInfo) {
        try {
            return certRep(envelope, "2", failInfo, null);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a CertRep with the CA key", e);
        }
    }

    /** RFC 8894 §3.3.2: a SignedData by the RA (with the RA and CA certificates), echoing transactionID and the client's nonce as recipientNonce. */
    private byte[] certRep(Envelope envelope, String pkiStatus, FailInfo failInfo, byte[] content) throws GeneralSecurityException, IOException,
            CMSException, OperatorCreationException {
        Hashtable<ASN1ObjectIdentifier, Attribute> attrs = new Hashtable<>();
        put(attrs, MESSAGE_TYPE, new DERPrintableString(CERT_REP));
        put(attrs, PKI_STATUS, new DERPrintableString(pkiStatus));
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        put(attrs, SENDER_NONCE, new DEROctetString(nonce));
        if (envelope.transactionId() != null) {
            put(attrs, TRANSACTION_ID, new DERPrintableString(envelope.transactionId()));
        }
        if (envelope.senderNonce() != null) {
            put(attrs, RECIPIENT_NONCE, new DEROctetString(envelope.senderNonce()));
        }
        if (failInfo != null) {
            put(attrs, FAIL_INFO, new DERPrintableString(Integer.toString(failInfo.code)));
        }
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider(bc).build())
                .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attrs)))
                .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(ca.raPrivateKey()), ca.raCertificate()));
        generator.addCertificate(new X509CertificateHolder(ca.raCertificate().getEncoded()));
        generator.addCertificate(new X509CertificateHolder(ca.certificate().getEncoded()));
        // DER, not BC's default BER: some clients hash the encapsulated content as they find it
        return (content == null ? generator.generate(new CMSAbsentContent(), false)
                : generator.generate(new CMSProcessableByteArray(content), true)).getEncoded(ASN1Encoding.DER);
    }

    private static void put(Hashtable<ASN1ObjectIdentifier, Attribute> attrs, ASN1ObjectIdentifier oid, ASN1Encodable value) {
        attrs.put(oid, new Attribute(oid, new DERSet(value)));
    }

    private static ASN1Encodable value(AttributeTable attrs, ASN1ObjectIdentifier oid) {
        Attribute a = attrs.get(oid);
        if (a == null) {
            return null;
        }
        ASN1Set values = a.getAttrValues();
        return values.size() == 0 ? null : values.getObjectAt(0);
    }

    private static String string(AttributeTable attrs, ASN1ObjectIdentifier oid) {
        ASN1Encodable v = value(attrs, oid);
        return v instanceof ASN1String s ? s.getString() : null;
    }

    static String digest(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
