package io.mooring.api.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import io.mooring.api.Actor;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The Apple MDM push certificates of each tenant. A certificate is accepted only with its private key
 * and only if its subject's UID is an MDM topic ({@code com.apple.mgmt.…}); uploading one for a topic
 * that exists replaces it (Apple's renewal keeps the topic).
 */
@ProviderType
public interface PushCertificates {
    /** PKCS#12 ({@code password} opens it) or PEM holding the certificate and its private key. */
    PushCertificate upload(TenantId tenant, byte[] certificateAndKey, String password, Actor actor) throws ValidationException;

    List<PushCertificate> list(TenantId tenant);

    /** The certificate and key a push provider authenticates with for this tenant's topic, if uploaded. */
    Optional<PushCredentials> credentials(TenantId tenant, String topic);

    record PushCredentials(String topic, X509Certificate certificate, PrivateKey key) {
    }
}
