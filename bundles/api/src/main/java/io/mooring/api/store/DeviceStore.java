package io.mooring.api.store;

import java.time.Instant;
import java.util.Optional;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceQuery;
import io.mooring.api.Page;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

@ProviderType
public interface DeviceStore {
    Optional<Device> find(TenantId tenant, DeviceId id);

    Page<Device> list(TenantId tenant, DeviceQuery query);

    /** Marks the device unenrolled, drops its credential and cancels its undelivered commands, in one transaction. */
    Optional<Device> unenroll(TenantId tenant, DeviceId id, Instant now);

    Optional<Device> findAnyTenant(DeviceId id);

    Optional<Device> findByCredential(PlatformId platform, String credentialHash);

    void updatePush(DeviceId id, PushRegistration push);

    void updateDescription(DeviceId id, DeviceDescription description);

    /** Records that the device was seen; to the minute (a device seen less than a minute ago is not written again). */
    void touch(DeviceId id, Instant seenAt);

    long countByPlatform(PlatformId platform);
}
