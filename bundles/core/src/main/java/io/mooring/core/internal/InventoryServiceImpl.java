package io.mooring.core.internal;

import java.util.Optional;

import io.mooring.api.DeviceId;
import io.mooring.api.InventoryService;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.MooringEvents;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import io.mooring.api.store.InventoryStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;

@Component(service = InventoryService.class)
public final class InventoryServiceImpl implements InventoryService {
    private final InventoryStore store;
    private final Events events;

    @Activate
    public InventoryServiceImpl(@Reference InventoryStore store, @Reference EventAdmin eventAdmin) {
        this(store, new Events(eventAdmin));
    }

    InventoryServiceImpl(InventoryStore store, Events events) {
        this.store = store;
        this.events = events;
    }

    @Override
    public void record(DeviceId device, InventorySnapshot snapshot) {
        store.record(device, snapshot);
        events.post(MooringEvents.INVENTORY_UPDATED, null, MooringEvents.DEVICE, device);
    }

    @Override
    public Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device) {
        return store.latest(tenant, device);
    }

    @Override
    public Page<InventorySnapshot> history(TenantId tenant, DeviceId device, PageRequest page) {
        return store.history(tenant, device, page);
    }
}
