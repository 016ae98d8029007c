package io.mooring.pki.internal;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import io.mooring.api.Actor;
import io.mooring.api.AuditLog;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.api.pki.PushCertificate;
import io.mooring.api.pki.PushCertificates;
import io.mooring.api.store.PkiStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Apple MDM push certificates: checked, their topic read from the subject's UID, their key kept encrypted. */
@Component(service = PushCertificates.class)
public final class PushCertificatesImpl implements PushCertificates {
    static final String MDM_TOPIC_PREFIX = "com.apple.mgmt.";
    static final int MAX_UPLOAD_BYTES = 64 * 1024;

    private final PkiStore store;
    private final LocalCa ca;
    private final AuditLog audit;
    private final Clock clock;

    @Activate
    public PushCertificatesImpl(@Reference PkiStore store, @Reference LocalCa ca, @Reference AuditLog audit) {
        this.store = store;
        this.ca = ca;
        this.audit = audit;
        this.clock = Clock.systemUTC();
    }

    record CertificateAndKey(X509Certificate certificate, PrivateKey key) {
    }

    @Override
    public PushCertificate upload(TenantId tenant, byte[] upload, String password, Actor actor) {
        CertificateAndKey parsed = parse(ca.provider(), upload, password);
        String topic = topicOf(parsed.certificate());
        Instant now = clock.instant();
        if (parsed.certificate().getNotAfter().toInstant().isBefore(now)) {
            throw new ValidationException("certificate", "the push certificate expired on " + parsed.certificate().getNotAfter().toInstant()
                    + "; renew it in Apple's Push Certificates Portal");
        }
        PushCertificate cert = new PushCertificate(tenant, topic, parsed.certificate().getSubjectX500Principal().getName(),
                parsed.certificate().getNotBefore().toInstant(), parsed.certificate().getNotAfter().toInstant(), now, actor.toString());
        store.savePushCertificate(cert, Pem.of(parsed.certificate()), ca.encrypt(parsed.key()));
        audit.record(tenant, actor, "push_certificate.uploaded", topic, "valid until " + cert.notAfter());
        return cert;
    }

    @Override
    public List<PushCertificate> list(TenantId tenant) {
        return store.listPushCertificates(tenant);
    }

    /** The MDM topic in the certificate's UID; refuses certificates that are not Apple MDM push certificates. */
    static String topicOf(X509Certificate certificate) {
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        RDN[] uid = subject.getRDNs(BCStyle.UID);
        if (uid.length == 0) {
            throw new ValidationException("certificate", "the certificate's subject (" + subject
                    + ") has no UID, so it is not an Apple MDM push certificate");
        }
        String topic = IETFUtils.valueToString(uid[0].getFirst().getValue());
        if (!topic.startsWith(MDM_TOPIC_PREFIX) || topic.length() == MDM_TOPIC_PREFIX.length()) {
            throw new ValidationException("certificate", "the certificate's topic '" + topic + "' does not start with " + MDM_TOPIC_PREFIX
                    + ", so it is not an MDM push certificate; upload the one from Apple's Push Certificates Portal");
        }
        return topic;
    }

    /** PKCS#12, or PEM with the certificate and its private key (plain, or encrypted with {@code password}). */
    static CertificateAndKey parse(Provider bc, byte[] upload, String password) {
        if (upload == null || upload.length == 0 || upload.length > MAX_UPLOAD_BYTES) {
            throw new ValidationException("certificate", "upload the push certificate and its key (at most " + MAX_UPLOAD_BYTES + " bytes)");
        }
        char[] pass = password == null ? new char[0] : password.toCharArray();
        CertificateAndKey found = new String(upload, 0, Math.min(upload.length, 64), StandardCharsets.US_ASCII).contains("-----BEGIN")
                ? pem(bc, new String(upload, StandardCharsets.US_ASCII), pass) : pkcs12(bc, upload, pass);
        if (found.certificate() == null) {
            throw new ValidationException("certificate", "no certificate found in the upload");
        }
        if (found.key() == null) {
            throw new ValidationException("privateKey", "the private key is missing; a push certificate is only usable with its key");
        }
        if (!matches(bc, found)) {
            throw new ValidationException("privateKey", "the private key does not belong to the certificate");
        }
        return found;
    }

    private static CertificateAndKey pkcs12(Provider bc, byte[] upload, char[] pass) {
        try {
            KeyStore p12 = KeyStore.getInstance("PKCS12", bc);
            p12.load(new ByteArrayInputStream(upload), pass);
            for (String alias : Collections.list(p12.aliases())) {
                if (p12.isKeyEntry(alias)) {
                    return new CertificateAndKey((X509Certificate) p12.getCertificate(alias), (PrivateKey) p12.getKey(alias, pass));
                }
            }
            throw new ValidationException("certificate", "the PKCS#12 file holds no certificate with a private key");
        } catch (ValidationException e) {
            throw e;
        } catch (Exception e) {
            throw new ValidationException("certificate", "the upload is neither PEM nor a PKCS#12 file this password opens");
        }
    }

    private static CertificateAndKey pem(Provider bc, String text, char[] pass) {
        X509Certificate cert = null;
        PrivateKey key = null;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            JcaPEMKeyConverter keys = new JcaPEMKeyConverter().setProvider(bc);
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder h && cert == null) {
                    cert = new JcaX509CertificateConverter().setProvider(bc).getCertificate(h);
                } else if (o instanceof PEMKeyPair kp) {
                    key = keys.getKeyPair(kp).getPrivate();
                } else if (o instanceof PEMEncryptedKeyPair ekp) {
                    key = keys.getKeyPair(ekp.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(bc).build(pass))).getPrivate();
                } else if (o instanceof PrivateKeyInfo info) {
                    key = keys.getPrivateKey(info);
                } else if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                    key = keys.getPrivateKey(enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc).build(pass)));
                }
            }
        } catch (Exception e) {
            throw new ValidationException("certificate", "the PEM upload cannot be read (or its key cannot be decrypted with the password)");
        }
        return new CertificateAndKey(cert, key);
    }

    private static boolean matches(Provider bc, CertificateAndKey pair) {
        try {
            byte[] probe = "mooring push certificate key check".getBytes(StandardCharsets.US_ASCII);
            String algorithm = "EC".equals(pair.key().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            Signature sign = Signature.getInstance(algorithm, bc);
            sign.initSign(pair.key());
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm, bc);
            verify.initVerify(pair.certificate().getPublicKey());
            verify.update(probe);
            return verify.verify(signature);
        } catch (Exception e) {
            return false;
        }
    }
}
