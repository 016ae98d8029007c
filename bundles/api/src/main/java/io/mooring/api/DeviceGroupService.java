package io.mooring.api;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Device groups of a tenant. A device may be in any number of groups. Membership changes and setting
 * changes are posted as events ({@link MooringEvents#GROUP_CHANGED}, {@link MooringEvents#GROUP_MEMBERS_ADDED},
 * {@link MooringEvents#GROUP_MEMBERS_REMOVED}), so platforms can bring their devices in line with the
 * group's settings. Every call is scoped to the tenant given.
 */
@ProviderType
public interface DeviceGroupService {
    /** Most devices one call adds or removes. */
    int MAX_MEMBERS_PER_CALL = CommandTarget.MAX_DEVICES;

    /** Creates a group; a name already used in the tenant is a {@link ConflictException}, a setting its platform refuses a {@link ValidationException}. */
    DeviceGroup create(TenantId tenant, GroupSpec spec, Actor actor);

    Optional<DeviceGroup> find(TenantId tenant, GroupId id);

    Page<DeviceGroup> list(TenantId tenant, PageRequest page);

    /** Replaces the group's name, description and settings. */
    DeviceGroup update(TenantId tenant, GroupId id, GroupSpec spec, Actor actor);

    /** Deletes the group and its memberships (its devices stay enrolled; commands already queued through it stay queued). */
    void delete(TenantId tenant, GroupId id, Actor actor);

    /** Adds devices of the tenant (any state); all or nothing: one unknown device adds none. Returns how many were not members yet. */
    int addMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices, Actor actor);

    /** Removes devices from the group; those that were not members are ignored. Returns how many were removed. */
    int removeMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices, Actor actor);

    Page<Device> members(TenantId tenant, GroupId id, PageRequest page);

    /** The groups a device of the tenant is in, by name. */
    List<DeviceGroup> groupsOf(TenantId tenant, DeviceId device);

    /** Device plane: the groups the device is in, whatever its tenant (ids are globally unique). */
    List<DeviceGroup> groupsOfDevice(DeviceId device);
}
