package io.mooring.core.internal;

import java.time.Clock;
import java.util.Optional;

import io.mooring.api.Actor;
import io.mooring.api.AuditLog;
import io.mooring.api.Device;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceQuery;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.DeviceState;
import io.mooring.api.MooringEvents;
import io.mooring.api.NotFoundException;
import io.mooring.api.Page;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.api.store.DeviceStore;
import io.mooring.spi.DeviceLifecycle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Component(service = DeviceRegistry.class)
public final class DeviceRegistryImpl implements DeviceRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistryImpl.class);

    private final DeviceStore store;
    private final AuditLog audit;
    private final PlatformHost host;
    private final Events events;
    private final Clock clock;

    @Activate
    public DeviceRegistryImpl(@Reference DeviceStore store, @Reference AuditLog audit, @Reference PlatformHost host, @Reference EventAdmin eventAdmin) {
        this(store, audit, host, new Events(eventAdmin), Clock.systemUTC());
    }

    DeviceRegistryImpl(DeviceStore store, AuditLog audit, PlatformHost host, Events events, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.host = host;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Optional<Device> find(TenantId tenant, DeviceId id) {
        return store.find(tenant, id);
    }

    @Override
    public Page<Device> list(TenantId tenant, DeviceQuery query) {
        return store.list(tenant, query);
    }

    @Override
    public Device unenroll(TenantId tenant, DeviceId id, Actor actor) {
        Device current = store.find(tenant, id).orElseThrow(() -> new NotFoundException("no device " + id));
        if (current.state() == DeviceState.UNENROLLED) {
            return current;
        }
        Device device = store.unenroll(tenant, id, clock.instant()).orElseThrow(() -> new NotFoundException("no device " + id));
        audit.record(tenant, actor, "device.unenrolled", id.toString(), device.platform().value());
        events.post(MooringEvents.DEVICE_UNENROLLED, tenant, MooringEvents.DEVICE, id, MooringEvents.PLATFORM, device.platform());
        host.hosted(device.platform()).ifPresent(h -> {
            if (h.plugin() instanceof DeviceLifecycle lifecycle) {
                try {
                    host.calls().run(h.id(), "unenrolled", () -> lifecycle.unenrolled(device));
                } catch (RuntimeException e) {
                    // the device is unenrolled in core either way; the plugin's cleanup is best effort
                    LOG.warn("Platform {} could not release device {}: {}", h.id(), id, e.getMessage());
                }
            }
        });
        return device;
    }

    @Override
    public Optional<Device> findForDevicePlane(DeviceId id) {
        return store.findAnyTenant(id);
    }

    @Override
    public void updatePush(DeviceId id, PushRegistration push) {
        store.updatePush(id, push);
    }

    @Override
    public void invalidatePush(DeviceId id, String reason) {
        store.findAnyTenant(id).filter(d -> d.push() != null && d.push().valid()).ifPresent(d -> {
            store.updatePush(id, d.push().invalidated());
            audit.record(d.tenant(), Actor.SYSTEM, "device.push_invalid", id.toString(), reason);
            events.post(MooringEvents.DEVICE_PUSH_INVALID, d.tenant(), MooringEvents.DEVICE, id, MooringEvents.PLATFORM, d.platform());
        });
    }
}
