package io.mooring.pki.internal;

import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

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

    @Override
    public PushCertificate upload(TenantId tenant, byte[] upload, String password, Actor actor) {
        KeyMaterial.Parsed parsed = parse(ca.provider(), upload, password);
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

    @Override
    public Optional<PushCredentials> credentials(TenantId tenant, String topic) {
        return store.findPushCertificate(tenant, topic).map(stored -> {
            try (org.bouncycastle.openssl.PEMParser p = new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(stored.certificatePem()))) {
                X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().setProvider(ca.provider())
                        .getCertificate((org.bouncycastle.cert.X509CertificateHolder) p.readObject());
                return new PushCredentials(topic, cert, ca.decrypt(stored.encryptedKeyPem()));
            } catch (Exception e) {
                throw new IllegalStateException("the stored push certificate for " + topic + " cannot be read", e);
            }
        });
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
    static KeyMaterial.Parsed parse(Provider bc, byte[] upload, String password) {
        return KeyMaterial.parse(bc, upload, password, MAX_UPLOAD_BYTES, "push certificate");
    }
}
