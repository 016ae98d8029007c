package io.mooring.api;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The devices of a tenant. Every call is scoped to the tenant given; other tenants' devices do not exist here. */
@ProviderType
public interface DeviceRegistry {
    Optional<Device> find(TenantId tenant, DeviceId id);

    Page<Device> list(TenantId tenant, DeviceQuery query);

    /**
     * Ends management of a device: it receives no further commands, its queued commands are cancelled,
     * its credential stops working, and the platform plugin is told so it can release what it holds.
     */
    Device unenroll(TenantId tenant, DeviceId id, Actor actor);

    /** Device plane: the device with this id, whatever its tenant (ids are globally unique). */
    Optional<Device> findForDevicePlane(DeviceId id);

    /** Device plane: the platform reports a new push address (Apple TokenUpdate, FCM token refresh). */
    void updatePush(DeviceId id, PushRegistration push);

    /** Device plane: the push provider reported the device's token dead; no more pushes until it renews. */
    void invalidatePush(DeviceId id, String reason);
}
