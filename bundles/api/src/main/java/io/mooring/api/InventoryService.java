package io.mooring.api;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Device inventory: every report is kept as a snapshot; the latest one is what the console shows. */
@ProviderType
public interface InventoryService {
    /** Device plane: store a report and lay its summary over the device record. */
    void record(DeviceId device, InventorySnapshot snapshot);

    Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device);

    Page<InventorySnapshot> history(TenantId tenant, DeviceId device, PageRequest page);
}
