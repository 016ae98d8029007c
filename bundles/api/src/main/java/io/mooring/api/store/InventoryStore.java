package io.mooring.api.store;

import java.util.Optional;

import io.mooring.api.DeviceId;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

@ProviderType
public interface InventoryStore {
    /** Stores the snapshot and lays its summary over the device record, in one transaction. */
    void record(DeviceId device, InventorySnapshot snapshot);

    Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device);

    Page<InventorySnapshot> history(TenantId tenant, DeviceId device, PageRequest page);
}
