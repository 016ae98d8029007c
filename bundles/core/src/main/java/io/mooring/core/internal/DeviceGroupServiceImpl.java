package io.mooring.core.internal;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

import io.mooring.api.Actor;
import io.mooring.api.AuditLog;
import io.mooring.api.Device;
import io.mooring.api.DeviceGroup;
import io.mooring.api.DeviceGroupService;
import io.mooring.api.DeviceId;
import io.mooring.api.GroupId;
import io.mooring.api.GroupSpec;
import io.mooring.api.MooringEvents;
import io.mooring.api.NotFoundException;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.api.UnavailableException;
import io.mooring.api.ValidationException;
import io.mooring.api.store.GroupStore;
import io.mooring.spi.GroupSettings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;

/**
 * Device groups: every new or changed setting is checked by the platform that owns it before anything is
 * written; each change is audited and posted as a group event once it is stored.
 */
@Component(service = DeviceGroupService.class)
public final class DeviceGroupServiceImpl implements DeviceGroupService {
    private final GroupStore store;
    private final PlatformHost host;
    private final AuditLog audit;
    private final Events events;
    private final Clock clock;

    @Activate
    public DeviceGroupServiceImpl(@Reference GroupStore store, @Reference PlatformHost host, @Reference AuditLog audit,
            @Reference EventAdmin eventAdmin) {
        this(store, host, audit, new Events(eventAdmin), Clock.systemUTC());
    }

    DeviceGroupServiceImpl(GroupStore store, PlatformHost host, AuditLog audit, Events events, Clock clock) {
        this.store = store;
        this.host = host;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public DeviceGroup create(TenantId tenant, GroupSpec spec, Actor actor) {
        checkSettings(spec.settings(), Map.of());
        DeviceGroup group = store.insert(tenant, GroupId.random(), spec, actor.toString(), clock.instant());
        audit.record(tenant, actor, "group.created", group.id().toString(), group.name());
        events.post(MooringEvents.GROUP_CHANGED, tenant, MooringEvents.GROUP, group.id(), MooringEvents.SETTINGS, new String[0]);
        return group;
    }

    @Override
    public Optional<DeviceGroup> find(TenantId tenant, GroupId id) {
        return store.find(tenant, id);
    }

    @Override
    public Page<DeviceGroup> list(TenantId tenant, PageRequest page) {
        return store.list(tenant, page);
    }

    @Override
    public DeviceGroup update(TenantId tenant, GroupId id, GroupSpec spec, Actor actor) {
        DeviceGroup before = existing(tenant, id);
        checkSettings(spec.settings(), before.settings());
        DeviceGroup after = store.update(tenant, id, spec, clock.instant()).orElseThrow(() -> new NotFoundException("no group " + id));
        audit.record(tenant, actor, "group.updated", id.toString(), after.name() + (before.settings().equals(after.settings()) ? ""
                : "; settings " + after.settings()));
        java.util.Set<String> changed = new java.util.TreeSet<>(before.settings().keySet());
        changed.addAll(after.settings().keySet());
        changed.removeIf(k -> Objects.equals(before.settings().get(k), after.settings().get(k)));
        events.post(MooringEvents.GROUP_CHANGED, tenant, MooringEvents.GROUP, id, MooringEvents.SETTINGS, changed.toArray(String[]::new));
        return after;
    }

    @Override
    public void delete(TenantId tenant, GroupId id, Actor actor) {
        DeviceGroup group = existing(tenant, id);
        List<DeviceId> former = store.delete(tenant, id).orElseThrow(() -> new NotFoundException("no group " + id));
        audit.record(tenant, actor, "group.deleted", id.toString(), group.name() + " (" + former.size() + " members)");
        // its settings no longer apply to its former members
        events.post(MooringEvents.GROUP_CHANGED, tenant, MooringEvents.GROUP, id, MooringEvents.SETTINGS,
                group.settings().keySet().toArray(String[]::new), MooringEvents.DEVICES, ids(former));
    }

    @Override
    public int addMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices, Actor actor) {
        checkCount(devices);
        List<DeviceId> added = store.addMembers(tenant, id, devices, clock.instant());
        if (!added.isEmpty()) {
            audit.record(tenant, actor, "group.members_added", id.toString(), added.size() + " device(s)");
            events.post(MooringEvents.GROUP_MEMBERS_ADDED, tenant, MooringEvents.GROUP, id, MooringEvents.DEVICES, ids(added));
        }
        return added.size();
    }

    @Override
    public int removeMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices, Actor actor) {
        checkCount(devices);
        List<DeviceId> removed = store.removeMembers(tenant, id, devices);
        if (!removed.isEmpty()) {
            audit.record(tenant, actor, "group.members_removed", id.toString(), removed.size() + " device(s)");
            events.post(MooringEvents.GROUP_MEMBERS_REMOVED, tenant, MooringEvents.GROUP, id, MooringEvents.DEVICES, ids(removed));
        }
        return removed.size();
    }

    @Override
    public Page<Device> members(TenantId tenant, GroupId id, PageRequest page) {
        existing(tenant, id);
        return store.members(tenant, id, page);
    }

    @Override
    public List<DeviceGroup> groupsOf(TenantId tenant, DeviceId device) {
        return store.groupsOf(device).stream().filter(g -> g.tenant().equals(tenant)).toList();
    }

    @Override
    public List<DeviceGroup> groupsOfDevice(DeviceId device) {
        return store.groupsOf(device);
    }

    private DeviceGroup existing(TenantId tenant, GroupId id) {
        return store.find(tenant, id).orElseThrow(() -> new NotFoundException("no group " + id));
    }

    private static void checkCount(Collection<DeviceId> devices) {
        if (devices == null || devices.isEmpty()) {
            throw new ValidationException("devices", "name at least one device");
        }
        if (devices.size() > MAX_MEMBERS_PER_CALL) {
            throw new ValidationException("devices", "at most " + MAX_MEMBERS_PER_CALL + " devices per call");
        }
    }

    private static String[] ids(List<DeviceId> devices) {
        return devices.stream().map(DeviceId::toString).toArray(String[]::new);
    }

    /**
     * Each new or changed setting is checked by the platform it names; one it does not know, or a platform not
     * installed now, refuses the whole change. Unchanged settings are not checked again, so a group keeps
     * being editable while a platform is being updated.
     */
    private void checkSettings(Map<String, String> settings, Map<String, String> before) {
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            if (Objects.equals(before.get(setting.getKey()), setting.getValue())) {
                continue;
            }
            PlatformId platform = GroupSpec.platformOf(setting.getKey());
            String name = setting.getKey().substring(platform.value().length() + 1);
            HostedPlatform h = host.hosted(platform).orElseThrow(() -> new UnavailableException("platform '" + platform
                    + "' is not installed right now, so its setting '" + setting.getKey() + "' cannot be checked; nothing was saved"));
            Map<String, String> known = h.plugin() instanceof GroupSettings gs
                    ? Objects.requireNonNullElse(host.calls().call(platform, "groupSettings", gs::groupSettings), Map.of()) : Map.of();
            if (!known.containsKey(name)) {
                throw new ValidationException("settings." + setting.getKey(), "platform '" + platform + "' has no group setting '" + name + "'"
                        + (known.isEmpty() ? "" : "; it has: " + String.join(", ", new TreeSet<>(known.keySet()))));
            }
            GroupSettings gs = (GroupSettings) h.plugin();
            try {
                host.calls().run(platform, "checkGroupSetting", () -> gs.checkGroupSetting(name, setting.getValue()));
            } catch (ValidationException e) {
                throw new ValidationException("settings." + setting.getKey(), e.getMessage());
            }
        }
    }
}
