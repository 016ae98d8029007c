package io.mooring.api;

import java.time.Instant;

/**
 * A one-time (or few-times) secret that admits devices to a tenant on a platform, and into a group of it
 * when {@code group} is set. {@code secret} is only present in the answer to {@link EnrollmentService#issueToken};
 * Mooring keeps only its hash.
 */
public record EnrollmentToken(String id, TenantId tenant, PlatformId platform, Instant expiresAt, int maxUses, int uses, String secret,
        GroupId group) {
    /** A token that puts its devices in no group. */
    public EnrollmentToken(String id, TenantId tenant, PlatformId platform, Instant expiresAt, int maxUses, int uses, String secret) {
        this(id, tenant, platform, expiresAt, maxUses, uses, secret, null);
    }
}
