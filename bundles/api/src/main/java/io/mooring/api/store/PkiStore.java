package io.mooring.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.mooring.api.DeviceId;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import io.mooring.api.pki.IssuedCertificate;
import io.mooring.api.pki.PushCertificate;
import org.osgi.annotation.versioning.ProviderType;

/** SCEP challenges and the issued-certificate inventory. */
@ProviderType
public interface PkiStore {
    enum Redemption { REDEEMED, UNKNOWN, USED, EXPIRED }

    /** {@code purpose} is what the challenge was issued for; {@code subject:<DN>} binds it to that certificate subject. */
    record RedeemedChallenge(Redemption outcome, TenantId tenant, String purpose) {
    }

    void createChallenge(TenantId tenant, String secretHash, String purpose, Instant expiresAt, Instant now);

    /** Marks the challenge used, atomically: of two requests presenting it, one is REDEEMED and one USED. */
    RedeemedChallenge redeemChallenge(String secretHash, Instant now);

    void recordCertificate(IssuedCertificate certificate);

    Page<IssuedCertificate> listCertificates(TenantId tenant, PageRequest page);

    Optional<IssuedCertificate> findCertificate(String serial);

    record Revoked(String serial, Instant revokedAt) {
    }

    /** Records that a device holds this certificate (the platform saw it authenticate with it). */
    boolean bindCertificate(String serial, DeviceId device);

    /** Revokes every valid certificate the device holds; returns their serials. */
    List<String> revokeForDevice(DeviceId device, Instant now);

    /** Revokes one valid certificate; false when there is none of that serial or it is revoked already. */
    boolean revoke(String serial, Instant now);

    List<Revoked> revoked();

    /** Stores the push certificate with its encrypted key, replacing the tenant's certificate for the same topic. */
    void savePushCertificate(PushCertificate certificate, String certificatePem, String encryptedKeyPem);

    List<PushCertificate> listPushCertificates(TenantId tenant);

    /** The stored certificate PEM and encrypted key PEM of a tenant's topic. */
    Optional<StoredPushCertificate> findPushCertificate(TenantId tenant, String topic);

    record StoredPushCertificate(String certificatePem, String encryptedKeyPem) {
    }

    /** Every tenant's push certificates, for expiry checks. */
    List<PushCertificate> listAllPushCertificates();
}
