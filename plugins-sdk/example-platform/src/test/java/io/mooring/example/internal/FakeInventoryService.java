package io.mooring.example.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.mooring.api.DeviceId;
import io.mooring.api.InventoryService;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;

/** Records the reports the endpoint stores. */
final class FakeInventoryService implements InventoryService {
    record Recorded(DeviceId device, InventorySnapshot snapshot) {
    }

    final List<Recorded> recorded = new ArrayList<>();

    @Override
    public void record(DeviceId device, InventorySnapshot snapshot) {
        recorded.add(new Recorded(device, snapshot));
    }

    @Override
    public Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device) {
        throw new UnsupportedOperationException("not part of the device plane");
    }

    @Override
    public Page<InventorySnapshot> history(TenantId tenant, DeviceId device, PageRequest page) {
        throw new UnsupportedOperationException("not part of the device plane");
    }
}
