package io.mooring.api.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import io.mooring.api.Device;
import io.mooring.api.DeviceGroup;
import io.mooring.api.DeviceId;
import io.mooring.api.GroupId;
import io.mooring.api.GroupSpec;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

/** Device groups and their members. A group name already used in the tenant is a {@link io.mooring.api.ConflictException}. */
@ProviderType
public interface GroupStore {
    DeviceGroup insert(TenantId tenant, GroupId id, GroupSpec spec, String createdBy, Instant now);

    Optional<DeviceGroup> find(TenantId tenant, GroupId id);

    Page<DeviceGroup> list(TenantId tenant, PageRequest page);

    Optional<DeviceGroup> update(TenantId tenant, GroupId id, GroupSpec spec, Instant now);

    /** Deletes the group and its memberships in one transaction; the former members, or empty if there was no such group. */
    Optional<List<DeviceId>> delete(TenantId tenant, GroupId id);

    /**
     * Adds the devices in one transaction; a device that is not the tenant's fails the whole call with a
     * {@link io.mooring.api.NotFoundException}. Returns the devices that were not members before.
     */
    List<DeviceId> addMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices, Instant now);

    /** Returns the devices that were members and no longer are. */
    List<DeviceId> removeMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices);

    Page<Device> members(TenantId tenant, GroupId id, PageRequest page);

    /** The groups of a device (device plane: whatever its tenant), ordered by name. */
    List<DeviceGroup> groupsOf(DeviceId device);
}
