package io.mooring.persistence.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.persistence.EntityManagerFactory;

import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.NotFoundException;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import io.mooring.api.store.DeviceStore;
import io.mooring.api.store.InventoryStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

@Component(service = InventoryStore.class)
public final class JpaInventoryStore implements InventoryStore {
    private final Jpa jpa;
    private final DeviceStore devices;

    @Activate
    public JpaInventoryStore(@Reference(target = "(osgi.unit.name=mooring)") EntityManagerFactory emf, @Reference DeviceStore devices) {
        this(new Jpa(emf), devices);
    }

    JpaInventoryStore(Jpa jpa, DeviceStore devices) {
        this.jpa = jpa;
        this.devices = devices;
    }

    @Override
    public void record(DeviceId device, InventorySnapshot snapshot) {
        TenantId tenant = devices.findAnyTenant(device).orElseThrow(() -> new NotFoundException("unknown device " + device)).tenant();
        jpa.inTenant(tenant, em -> {
            DeviceEntity d = em.createQuery("SELECT d FROM DeviceEntity d WHERE d.id = :id", DeviceEntity.class)
                    .setParameter("id", device.toString()).getSingleResult();
            DeviceRows.describe(d, DeviceRows.map(d).description().updatedBy(snapshot.summary()));
            if (d.lastSeenAt == null || snapshot.reportedAt().isAfter(d.lastSeenAt)) {
                d.lastSeenAt = snapshot.reportedAt();
            }
            InventoryEntity e = new InventoryEntity();
            e.deviceId = device.toString();
            e.reportedAt = snapshot.reportedAt();
            e.summary = Json.write(summary(snapshot.summary()));
            e.facts = Json.write(snapshot.facts());
            em.persist(e);
            return e;
        });
    }

    private static Map<String, Object> summary(DeviceDescription d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("model", d.model());
        m.put("osVersion", d.osVersion());
        m.put("serialNumber", d.serialNumber());
        m.put("hardwareId", d.hardwareId());
        return m;
    }

    @Override
    public Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device) {
        return jpa.inTenant(tenant, em -> em.createQuery("SELECT i FROM InventoryEntity i WHERE i.deviceId = :d ORDER BY i.reportedAt DESC, i.id DESC",
                InventoryEntity.class).setParameter("d", device.toString()).setMaxResults(1).getResultList().stream().findFirst().map(JpaInventoryStore::map));
    }

    @Override
    public Page<InventorySnapshot> history(TenantId tenant, DeviceId device, PageRequest page) {
        return jpa.inTenant(tenant, em -> {
            long total = em.createQuery("SELECT COUNT(i) FROM InventoryEntity i WHERE i.deviceId = :d", Long.class)
                    .setParameter("d", device.toString()).getSingleResult();
            var items = em.createQuery("SELECT i FROM InventoryEntity i WHERE i.deviceId = :d ORDER BY i.reportedAt DESC, i.id DESC", InventoryEntity.class)
                    .setParameter("d", device.toString()).setFirstResult(page.offset()).setMaxResults(page.limit())
                    .getResultList().stream().map(JpaInventoryStore::map).toList();
            return new Page<>(items, total, page.offset(), page.limit());
        });
    }

    private static InventorySnapshot map(InventoryEntity e) {
        return new InventorySnapshot(e.reportedAt, Json.readDescription(e.summary), Json.readMap(e.facts));
    }
}
