package io.mooring.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

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
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
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
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A SCEP client (RFC 8894) as an Apple device runs it for the {@code com.apple.security.scep} payload:
 * GetCACaps, GetCACert, then one PKCSReq (messageType 19) with the challenge password, enveloped for the
 * RA and signed with a transient self-signed certificate of the new key. It reads the CertRep and checks
 * what a device checks: the RA's signature, the transaction and nonces, and that the issued certificate
 * carries the requested key. Pending replies (RFC 8894 §3.3.3) are reported, not polled.
 */
public final class ScepClient {
    // RFC 8894 §3.2.1 signed attributes
    static final ASN1ObjectIdentifier MESSAGE_TYPE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.2");
    static final ASN1ObjectIdentifier PKI_STATUS = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.3");
    static final ASN1ObjectIdentifier FAIL_INFO = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.4");
    static final ASN1ObjectIdentifier SENDER_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.5");
    static final ASN1ObjectIdentifier RECIPIENT_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.6");
    static final ASN1ObjectIdentifier TRANSACTION_ID = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.7");

    static final String PKCS_REQ = "19";
    static final String RENEWAL_REQ = "17";
    static final String CERT_REP = "3";

    /** Apple's SCEP payload {@code Key Usage}: 1 signing, 4 encryption, 5 both. */
    public static final int KEY_USAGE_SIGNING = 1;
    public static final int KEY_USAGE_ENCRYPTION = 4;

    /** What GetCACert named: the CA that issues, and the certificate to encrypt requests for (the RA, or the CA without one). */
    public record CaCertificates(X509Certificate ca, X509Certificate recipient, List<X509Certificate> all) {
    }

    /**
     * A built pkiMessage and what its reply must echo. {@code keys} are the ones the certificate is asked for;
     * {@code replyKey} opens the reply, which the CA encrypts for the request's signer (for a PKCSReq the same
     * keys, for a RenewalReq the identity being renewed).
     */
    public record Request(byte[] message, String transactionId, byte[] senderNonce, KeyPair keys, X509Certificate signer, PrivateKey replyKey) {
        public Request(byte[] message, String transactionId, byte[] senderNonce, KeyPair keys, X509Certificate signer) {
            this(message, transactionId, senderNonce, keys, signer, keys.getPrivate());
        }
    }

    /** RFC 8894 §3.2.1.3 pkiStatus. */
    public enum PkiStatus { SUCCESS, FAILURE, PENDING }

    /**
     * A CertRep after its checks. {@code failInfo} is RFC 8894 §3.2.1.4's number as sent (e.g. {@code "2"}
     * badRequest), null unless FAILURE; {@code issued} is null unless SUCCESS.
     */
    public record Reply(PkiStatus status, String failInfo, String transactionId, X509Certificate issued) {
    }

    /** The whole enrollment: what the CA offered and what it answered. */
    public record Enrollment(Set<String> caps, CaCertificates certificates, Request request, Reply reply) {
    }

    /** The server answered something a SCEP client cannot use. */
    public static final class ScepException extends IOException {
        private static final long serialVersionUID = 1L;

        public ScepException(String message) {
            super(message);
        }

        public ScepException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Told of every HTTP exchange, for a device's log. */
    @FunctionalInterface
    interface Observer {
        void exchanged(String method, URI uri, int status, Duration elapsed);
    }

    private final HttpClient http;
    private final URI url;
    private final Duration timeout;
    private final Observer observer;

    public ScepClient(HttpClient http, URI url, Duration timeout) {
        this(http, url, timeout, (method, uri, status, elapsed) -> {
        });
    }

    ScepClient(HttpClient http, URI url, Duration timeout, Observer observer) {
        this.http = http;
        this.url = url;
        this.timeout = timeout;
        this.observer = observer;
    }

    /**
     * GetCACaps, GetCACert and one PKCSReq for {@code keys}. A FAILURE or PENDING reply is returned, not
     * thrown: it is the server's answer.
     */
    public Enrollment enroll(KeyPair keys, X500Principal subject, String challenge, int keyUsage)
            throws IOException, InterruptedException {
        Set<String> caps = caCaps();
        CaCertificates certificates = caCertificates();
        Request request = pkcsReq(keys, subject, challenge, keyUsage, certificates.recipient(), caps);
        Reply reply = pkiOperation(request, certificates, caps);
        return new Enrollment(caps, certificates, request, reply);
    }

    /** GetCACaps (RFC 8894 §3.5.2), upper-cased; empty when the server answers none. */
    public Set<String> caCaps() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get("GetCACaps", null);
        if (response.statusCode() != 200) {
            return Set.of();
        }
        Set<String> caps = new LinkedHashSet<>();
        for (String line : new String(response.body(), StandardCharsets.UTF_8).split("\\R")) {
            if (!line.isBlank()) {
                caps.add(line.trim().toUpperCase(Locale.ROOT));
            }
        }
        return caps;
    }

    /** GetCACert (RFC 8894 §4.2). */
    public CaCertificates caCertificates() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get("GetCACert", null);
        if (response.statusCode() != 200) {
            throw new ScepException("GetCACert answered " + response.statusCode());
        }
        return parseCaCertificates(response.body(), response.headers().firstValue("Content-Type").orElse(""));
    }

    /**
     * Reads a GetCACert answer: one DER certificate ({@code application/x-x509-ca-cert}) or a degenerate
     * PKCS#7 of the RA and CA ({@code application/x-x509-ca-ra-cert}). The recipient is the certificate that
     * is not a CA (the RA); the CA is the RA's issuer.
     */
    public static CaCertificates parseCaCertificates(byte[] body, String contentType) throws ScepException {
        List<X509Certificate> all = new ArrayList<>();
        try {
            if (contentType.toLowerCase(Locale.ROOT).contains("x-x509-ca-ra-cert")) {
                CMSSignedData degenerate = new CMSSignedData(body);
                JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(AppleSignatures.BC);
                for (Object holder : degenerate.getCertificates().getMatches(null)) {
                    all.add(converter.getCertificate((X509CertificateHolder) holder));
                }
            } else {
                CertificateFactory factory = CertificateFactory.getInstance("X.509");
                all.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(body)));
            }
        } catch (CMSException | CertificateException | RuntimeException e) {
            throw new ScepException("GetCACert answered no readable certificates: " + e.getMessage(), e);
        }
        if (all.isEmpty()) {
            throw new ScepException("GetCACert answered no certificates");
        }
        if (all.size() == 1) {
            return new CaCertificates(all.get(0), all.get(0), List.copyOf(all));
        }
        X509Certificate recipient = all.stream()
                .filter(c -> c.getBasicConstraints() < 0 && !c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
                .findFirst()
                .orElseThrow(() -> new ScepException("GetCACert answered several certificates but no RA among them"));
        X509Certificate ca = all.stream()
                .filter(c -> c.getSubjectX500Principal().equals(recipient.getIssuerX500Principal()))
                .findFirst()
                .orElseThrow(() -> new ScepException("GetCACert did not include the issuer of the RA certificate"));
        return new CaCertificates(ca, recipient, List.copyOf(all));
    }

    /**
     * Builds a PKCSReq (RFC 8894 §3.3.1): a PKCS#10 request for {@code subject} with the challenge password
     * and the key usage Apple's payload asks for, enveloped for {@code recipient} (AES-128-CBC when the CA
     * offers AES, else triple DES) and signed with a transient self-signed certificate of {@code keys}
     * (SHA-256 when offered, else SHA-1).
     */
    public static Request pkcsReq(KeyPair keys, X500Principal subject, String challenge, int keyUsage, X509Certificate recipient,
            Set<String> caps) {
        return request(PKCS_REQ, keys, subject, challenge, keyUsage, recipient, caps, null, null);
    }

    /**
     * Builds a RenewalReq (RFC 8894 §3.3.1.2): a PKCS#10 request for {@code keys} and the subject of the
     * {@code current} identity, no challenge, signed with that identity and its key; the CA encrypts the reply for it.
     */
    public static Request renewalReq(KeyPair keys, int keyUsage, X509Certificate recipient, Set<String> caps, X509Certificate current,
            PrivateKey currentKey) {
        return request(RENEWAL_REQ, keys, current.getSubjectX500Principal(), null, keyUsage, recipient, caps, current, currentKey);
    }

    private static Request request(String messageType, KeyPair keys, X500Principal subject, String challenge, int keyUsage,
            X509Certificate recipient, Set<String> caps, X509Certificate signedBy, PrivateKey signingKey) {
        boolean sha256 = caps.contains("SHA-256") || caps.contains("SCEPSTANDARD");
        boolean aes = caps.contains("AES") || caps.contains("SCEPSTANDARD");
        String signatureAlgorithm = sha256 ? "SHA256withRSA" : "SHA1withRSA";
        try {
            X500Name name = X500Name.getInstance(subject.getEncoded());
            JcaPKCS10CertificationRequestBuilder csr = new JcaPKCS10CertificationRequestBuilder(name, keys.getPublic());
            if (challenge != null) {
                csr.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString(challenge));
            }
            int usage = ((keyUsage & KEY_USAGE_SIGNING) != 0 ? KeyUsage.digitalSignature : 0)
                    | ((keyUsage & KEY_USAGE_ENCRYPTION) != 0 ? KeyUsage.keyEncipherment : 0);
            if (usage != 0) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
                csr.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            byte[] csrDer = csr.build(new JcaContentSignerBuilder(signatureAlgorithm).setProvider(AppleSignatures.BC).build(keys.getPrivate()))
                    .getEncoded();

            CMSEnvelopedDataGenerator envelope = new CMSEnvelopedDataGenerator();
            envelope.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(recipient).setProvider(AppleSignatures.BC));
            byte[] enveloped = envelope.generate(new CMSProcessableByteArray(csrDer),
                    new JceCMSContentEncryptorBuilder(aes ? CMSAlgorithm.AES128_CBC : CMSAlgorithm.DES_EDE3_CBC)
                            .setProvider(AppleSignatures.BC).build())
                    .getEncoded();

            X509Certificate signer = signedBy != null ? signedBy : AppleSignatures.selfSigned(keys, subject, Duration.ofHours(1));
            PrivateKey key = signedBy != null ? signingKey : keys.getPrivate();
            // RFC 8894 §3.2.1.1: a hash of the public key keeps the transaction the same across retries
            String transactionId = HexFormat.of().withUpperCase().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(keys.getPublic().getEncoded()));
            byte[] nonce = new byte[16];
            new SecureRandom().nextBytes(nonce);
            Hashtable<ASN1ObjectIdentifier, Attribute> attributes = new Hashtable<>();
            put(attributes, MESSAGE_TYPE, new DERPrintableString(messageType));
            put(attributes, TRANSACTION_ID, new DERPrintableString(transactionId));
            put(attributes, SENDER_NONCE, new DEROctetString(nonce));
            CMSSignedDataGenerator signed = new CMSSignedDataGenerator();
            signed.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().setProvider(AppleSignatures.BC).build())
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attributes)))
                    .build(new JcaContentSignerBuilder(signatureAlgorithm).setProvider(AppleSignatures.BC).build(key), signer));
            signed.addCertificate(new JcaX509CertificateHolder(signer));
            byte[] message = signed.generate(new CMSProcessableByteArray(enveloped), true).getEncoded();
            return new Request(message, transactionId, nonce, keys, signer, key);
        } catch (IOException | GeneralSecurityException | OperatorCreationException | CMSException e) {
            throw new IllegalStateException("cannot build a SCEP request for " + subject, e);
        }
    }

    /** Sends the request (POST when the CA offers it, else GET) and reads the CertRep. */
    public Reply pkiOperation(Request request, CaCertificates certificates, Set<String> caps) throws IOException, InterruptedException {
        HttpResponse<byte[]> response;
        if (caps.contains("POSTPKIOPERATION") || caps.contains("SCEPSTANDARD")) {
            URI uri = withOperation("PKIOperation", null);
            HttpRequest post = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Content-Type", "application/x-pki-message")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request.message()))
                    .build();
            response = exchange("POST", uri, post);
        } else {
            response = get("PKIOperation", Base64.getEncoder().encodeToString(request.message()));
        }
        if (response.statusCode() != 200) {
            throw new ScepException("PKIOperation answered " + response.statusCode());
        }
        return readCertRep(response.body(), request, certificates.all());
    }

    /**
     * Reads and checks a CertRep: signed by one of {@code signers} (what GetCACert returned), for the
     * request's transaction, echoing its nonce; on SUCCESS decrypts the issued certificate with the request's
     * key and checks it certifies that key.
     */
    public static Reply readCertRep(byte[] der, Request request, Collection<X509Certificate> signers) throws ScepException {
        try {
            CMSSignedData signed = new CMSSignedData(der);
            if (signed.getSignerInfos().size() != 1) {
                throw new ScepException("a CertRep has exactly one signer, this one has " + signed.getSignerInfos().size());
            }
            SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
            X509Certificate signerCertificate = null;
            for (X509Certificate candidate : signers) {
                if (signer.getSID().match(new JcaX509CertificateHolder(candidate))) {
                    signerCertificate = candidate;
                }
            }
            if (signerCertificate == null) {
                throw new ScepException("the CertRep is not signed by a certificate GetCACert named");
            }
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(AppleSignatures.BC).build(signerCertificate))) {
                throw new ScepException("the CertRep's signature does not verify");
            }
            AttributeTable attributes = signer.getSignedAttributes();
            if (attributes == null) {
                throw new ScepException("the CertRep has no signed attributes");
            }
            if (!CERT_REP.equals(string(attributes, MESSAGE_TYPE))) {
                throw new ScepException("the reply's messageType is " + string(attributes, MESSAGE_TYPE) + ", not CertRep");
            }
            String transactionId = string(attributes, TRANSACTION_ID);
            if (!request.transactionId().equals(transactionId)) {
                throw new ScepException("the CertRep answers transaction " + transactionId + ", not " + request.transactionId());
            }
            ASN1Encodable recipientNonce = value(attributes, RECIPIENT_NONCE);
            if (!(recipientNonce instanceof ASN1OctetString nonce) || !Arrays.equals(nonce.getOctets(), request.senderNonce())) {
                throw new ScepException("the CertRep's recipientNonce is not the request's senderNonce");
            }
            String status = string(attributes, PKI_STATUS);
            if (status == null) {
                throw new ScepException("the CertRep has no pkiStatus");
            }
            return switch (status) {
                case "0" -> new Reply(PkiStatus.SUCCESS, null, transactionId, issued(signed, request));
                case "2" -> new Reply(PkiStatus.FAILURE, string(attributes, FAIL_INFO), transactionId, null);
                case "3" -> new Reply(PkiStatus.PENDING, null, transactionId, null);
                default -> throw new ScepException("unknown pkiStatus " + status);
            };
        } catch (CMSException | OperatorCreationException | CertificateException | RuntimeException e) {
            throw new ScepException("the CertRep cannot be read: " + e.getMessage(), e);
        }
    }

    private static X509Certificate issued(CMSSignedData signed, Request request) throws CMSException, CertificateException, ScepException {
        if (signed.getSignedContent() == null || !(signed.getSignedContent().getContent() instanceof byte[] enveloped)) {
            throw new ScepException("a successful CertRep carries no enveloped content");
        }
        Collection<RecipientInformation> recipients = new CMSEnvelopedData(enveloped).getRecipientInfos().getRecipients();
        if (recipients.isEmpty()) {
            throw new ScepException("the CertRep's envelope has no recipient");
        }
        byte[] degenerate = recipients.iterator().next()
                .getContent(new JceKeyTransEnvelopedRecipient(request.replyKey()).setProvider(AppleSignatures.BC));
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(AppleSignatures.BC);
        for (Object holder : new CMSSignedData(degenerate).getCertificates().getMatches(null)) {
            X509Certificate certificate = converter.getCertificate((X509CertificateHolder) holder);
            if (certificate.getPublicKey().equals(request.keys().getPublic())) {
                return certificate;
            }
        }
        throw new ScepException("the CertRep holds no certificate for the requested key");
    }

    private HttpResponse<byte[]> get(String operation, String message) throws IOException, InterruptedException {
        URI uri = withOperation(operation, message);
        return exchange("GET", uri, HttpRequest.newBuilder(uri).timeout(timeout).GET().build());
    }

    private HttpResponse<byte[]> exchange(String method, URI uri, HttpRequest request) throws IOException, InterruptedException {
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            observer.exchanged(method, uri, response.statusCode(), Duration.ofNanos(System.nanoTime() - start));
            return response;
        } catch (IOException e) {
            observer.exchanged(method, uri, 0, Duration.ofNanos(System.nanoTime() - start));
            throw e;
        }
    }

    private URI withOperation(String operation, String message) {
        String base = url.toString();
        StringBuilder uri = new StringBuilder(base).append(base.contains("?") ? '&' : '?').append("operation=").append(operation);
        if (message != null) {
            uri.append("&message=").append(URLEncoder.encode(message, StandardCharsets.US_ASCII));
        }
        return URI.create(uri.toString());
    }

    private static void put(Hashtable<ASN1ObjectIdentifier, Attribute> attributes, ASN1ObjectIdentifier oid, ASN1Encodable value) {
        attributes.put(oid, new Attribute(oid, new DERSet(value)));
    }

    private static ASN1Encodable value(AttributeTable attributes, ASN1ObjectIdentifier oid) {
        Attribute attribute = attributes.get(oid);
        return attribute == null || attribute.getAttrValues().size() == 0 ? null : attribute.getAttrValues().getObjectAt(0);
    }

    private static String string(AttributeTable attributes, ASN1ObjectIdentifier oid) {
        return value(attributes, oid) instanceof ASN1String s ? s.getString() : null;
    }
}
