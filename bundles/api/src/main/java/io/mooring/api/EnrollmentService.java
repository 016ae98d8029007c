package io.mooring.api;

import java.time.Duration;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Admits devices. An admin issues a token; the platform plugin hands the token the device presented to
 * {@link #enroll}; core creates the device record in the token's tenant and returns a device credential.
 * Platforms whose devices prove themselves with a certificate (Apple, Windows) bind the certificate's
 * identity instead of using the returned credential.
 */
@ProviderType
public interface EnrollmentService {
    default EnrollmentToken issueToken(TenantId tenant, PlatformId platform, Duration validFor, int maxUses, Actor actor) {
        return issueToken(tenant, platform, validFor, maxUses, null, actor);
    }

    /**
     * A token whose devices also join {@code group} (null: none) as they enroll, in the same transaction, so
     * the platform reads the group's settings while it enrolls them. Such a join is not posted as
     * {@link MooringEvents#GROUP_MEMBERS_ADDED}: the platform applies the group's settings as part of the
     * enrollment ({@link MooringEvents#DEVICE_ENROLLED} follows). A group of another tenant is a {@link NotFoundException}.
     */
    EnrollmentToken issueToken(TenantId tenant, PlatformId platform, Duration validFor, int maxUses, GroupId group, Actor actor);

    /** Device plane. Atomic: a token's last use cannot be spent twice, and a refused enrollment writes nothing. */
    EnrolledDevice enroll(PlatformId platform, String tokenSecret, DeviceDescription description) throws EnrollmentException;

    /** Device plane: the enrolled device that holds this credential on this platform. */
    Optional<Device> authenticate(PlatformId platform, String credential);
}
