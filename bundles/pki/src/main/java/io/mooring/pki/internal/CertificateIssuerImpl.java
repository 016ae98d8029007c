package io.mooring.pki.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

import io.mooring.api.Device;
import io.mooring.api.UnavailableException;
import io.mooring.api.ValidationException;
import io.mooring.api.pki.CertificateIssuer;
import io.mooring.api.pki.IssuedCertificate;
import io.mooring.api.store.PkiStore;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Device identities from a request the platform's own enrollment protocol carried, under the same policy as SCEP. */
@Component(service = CertificateIssuer.class, configurationPid = "io.mooring.pki")
public final class CertificateIssuerImpl implements CertificateIssuer {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateIssuerImpl.class);

    private final LocalCa ca;
    private final PkiStore store;
    private final ScepPolicy policy;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    @Activate
    public CertificateIssuerImpl(@Reference LocalCa ca, @Reference PkiStore store, PkiConfig config) {
        this(ca, store, new ScepPolicy(Arrays.stream(config.scep_rsa_key_sizes()).boxed().collect(Collectors.toUnmodifiableSet()),
                Duration.ofDays(config.scep_certificate_validity_days()), config.scep_max_request_bytes(), config.crl_url()), Clock.systemUTC());
    }

    CertificateIssuerImpl(LocalCa ca, PkiStore store, ScepPolicy policy, Clock clock) {
        this.ca = ca;
        this.store = store;
        this.policy = policy;
        this.clock = clock;
    }

    @Override
    public Policy policy() {
        return new Policy(policy.rsaKeySizes(), policy.certificateValidity());
    }

    @Override
    public void check(byte[] pkcs10) {
        provenKey(pkcs10);
    }

    @Override
    public X509Certificate issueForDevice(Device device, byte[] pkcs10, String organization) {
        PublicKey key = provenKey(pkcs10);
        CaMaterial material = ca.material(Duration.ofSeconds(10));
        if (material == null) {
            throw new UnavailableException("the certificate authority is not ready");
        }
        // most significant first, so the name reads CN=<device>,O=<organization> (RFC 4514 writes it in reverse)
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        if (organization != null && !organization.isBlank()) {
            subject.addRDN(BCStyle.O, organization.strip());
        }
        subject.addRDN(BCStyle.CN, device.id().toString());
        X509Certificate issued;
        try {
            issued = ClientIdentities.sign(material, ca.provider(), policy, clock.instant(), random, subject.build(), key, null);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new UnavailableException("the certificate authority could not sign: " + e.getMessage(), e);
        }
        String serial = issued.getSerialNumber().toString(16);
        store.recordCertificate(new IssuedCertificate(serial, device.tenant(), issued.getSubjectX500Principal().getName(),
                issued.getNotBefore().toInstant(), issued.getNotAfter().toInstant(), IssuedCertificate.Status.VALID, clock.instant(), Pem.of(issued)));
        store.bindCertificate(serial, device.id());
        LOG.info("Issued certificate {} to device {} of tenant {}", serial, device.id(), device.tenant());
        return issued;
    }

    private PublicKey provenKey(byte[] pkcs10) {
        if (pkcs10 == null || pkcs10.length == 0 || pkcs10.length > policy.maxRequestBytes()) {
            throw new ValidationException("pkcs10", "the certificate request is empty or larger than " + policy.maxRequestBytes() + " bytes");
        }
        try {
            PKCS10CertificationRequest csr = ClientIdentities.parse(pkcs10);
            return ClientIdentities.provenKey(csr, ca.provider(), policy);
        } catch (ClientIdentities.BadRequest e) {
            throw new ValidationException("pkcs10", e.getMessage());
        }
    }
}
