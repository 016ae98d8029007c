package io.mooring.api;

import java.time.Instant;

/** A managed device as core stores it. {@code push} is null for devices that are only polled. */
public record Device(
        DeviceId id,
        TenantId tenant,
        PlatformId platform,
        DeviceState state,
        DeviceDescription description,
        Instant enrolledAt,
        Instant lastSeenAt,
        PushRegistration push) {
}
