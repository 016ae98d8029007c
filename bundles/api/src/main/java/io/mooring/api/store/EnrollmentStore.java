package io.mooring.api.store;

import java.time.Instant;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentToken;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

@ProviderType
public interface EnrollmentStore {
    default EnrollmentToken createToken(TenantId tenant, PlatformId platform, String secretHash, Instant expiresAt, int maxUses, String createdBy,
            Instant now) {
        return createToken(tenant, platform, secretHash, expiresAt, maxUses, null, createdBy, now);
    }

    /** A token whose devices join {@code group} (null: none) as they enroll; a group deleted meanwhile is dropped from the token. */
    EnrollmentToken createToken(TenantId tenant, PlatformId platform, String secretHash, Instant expiresAt, int maxUses, io.mooring.api.GroupId group,
            String createdBy, Instant now);

    /**
     * Spends one use of the token and creates the device in the token's tenant (and the token's group), atomically; throws and
     * writes nothing if the token is unknown, expired, used up or for another platform.
     */
    Device enroll(String tokenHash, PlatformId platform, DeviceDescription description, String credentialHash, Instant now) throws EnrollmentException;
}
