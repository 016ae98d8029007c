package io.mooring.persistence.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.persistence.EntityManagerFactory;
import javax.persistence.TypedQuery;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceQuery;
import io.mooring.api.DeviceState;
import io.mooring.api.Page;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.api.store.DeviceStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Admin-plane reads go through tenant-scoped JPA; device-plane calls (by globally unique id or
 * credential, on every check-in) are single JDBC statements.
 */
@Component(service = DeviceStore.class)
public final class JpaDeviceStore implements DeviceStore {
    private final Jpa jpa;
    private final Jdbc jdbc;

    @Activate
    public JpaDeviceStore(@Reference(target = "(osgi.unit.name=mooring)") EntityManagerFactory emf, @Reference MigratedDatabase database) {
        this(new Jpa(emf), database.jdbc());
    }

    JpaDeviceStore(Jpa jpa, Jdbc jdbc) {
        this.jpa = jpa;
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Device> find(TenantId tenant, DeviceId id) {
        return jpa.inTenant(tenant, em -> em.createQuery("SELECT d FROM DeviceEntity d WHERE d.id = :id", DeviceEntity.class)
                .setParameter("id", id.toString()).getResultList().stream().findFirst().map(DeviceRows::map));
    }

    @Override
    public Page<Device> list(TenantId tenant, DeviceQuery query) {
        return jpa.inTenant(tenant, em -> {
            StringBuilder where = new StringBuilder(" WHERE 1 = 1");
            if (query.platform() != null) {
                where.append(" AND d.platform = :platform");
            }
            if (query.state() != null) {
                where.append(" AND d.state = :state");
            }
            if (query.text() != null) {
                where.append(" AND (LOWER(d.name) LIKE :text OR LOWER(d.serialNumber) LIKE :text OR LOWER(d.model) LIKE :text"
                        + " OR LOWER(d.hardwareId) LIKE :text OR d.id = :exact)");
            }
            TypedQuery<DeviceEntity> items = em.createQuery("SELECT d FROM DeviceEntity d" + where + " ORDER BY d.enrolledAt DESC, d.id", DeviceEntity.class);
            TypedQuery<Long> count = em.createQuery("SELECT COUNT(d) FROM DeviceEntity d" + where, Long.class);
            for (TypedQuery<?> q : List.of(items, count)) {
                if (query.platform() != null) {
                    q.setParameter("platform", query.platform().value());
                }
                if (query.state() != null) {
                    q.setParameter("state", query.state().name());
                }
                if (query.text() != null) {
                    q.setParameter("text", "%" + escapeLike(query.text().toLowerCase(Locale.ROOT)) + "%");
                    q.setParameter("exact", query.text());
                }
            }
            List<Device> devices = items.setFirstResult(query.page().offset()).setMaxResults(query.page().limit())
                    .getResultList().stream().map(DeviceRows::map).toList();
            return new Page<>(devices, count.getSingleResult(), query.page().offset(), query.page().limit());
        });
    }

    private static String escapeLike(String text) {
        // LIKE wildcards typed by an admin are matched literally; JPQL has no portable ESCAPE default, so drop them
        return text.replace("%", "").replace("_", "");
    }

    @Override
    public Optional<Device> unenroll(TenantId tenant, DeviceId id, Instant now) {
        return jpa.inTenant(tenant, em -> {
            Optional<DeviceEntity> found = em.createQuery("SELECT d FROM DeviceEntity d WHERE d.id = :id", DeviceEntity.class)
                    .setParameter("id", id.toString()).getResultList().stream().findFirst();
            found.ifPresent(d -> {
                d.state = DeviceState.UNENROLLED.name();
                d.credentialHash = null;
                d.pushValid = false;
                em.createNativeQuery("UPDATE command_delivery SET state = 'CANCELED', completed_at = ? "
                        + "WHERE device_id = ? AND tenant_id = ? AND state IN ('QUEUED', 'SENT')")
                        .setParameter(1, DeviceRows.timestamp(now)).setParameter(2, id.toString()).setParameter(3, tenant.value())
                        .executeUpdate();
            });
            return found.map(DeviceRows::map);
        });
    }

    @Override
    public Optional<Device> findAnyTenant(DeviceId id) {
        return queryOne("SELECT " + DeviceRows.COLUMNS + " FROM device v WHERE v.id = ?", id.toString(), null);
    }

    @Override
    public Optional<Device> findByCredential(PlatformId platform, String credentialHash) {
        return queryOne("SELECT " + DeviceRows.COLUMNS + " FROM device v WHERE v.credential_hash = ? AND v.platform = ? AND v.state = 'ENROLLED'",
                credentialHash, platform.value());
    }

    private Optional<Device> queryOne(String sql, String first, String second) {
        return jdbc.single(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, first);
                if (second != null) {
                    p.setString(2, second);
                }
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(DeviceRows.map(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void updatePush(DeviceId id, PushRegistration push) {
        update("UPDATE device SET push_provider = ?, push_token = ?, push_topic = ?, push_magic = ?, push_valid = ? WHERE id = ?",
                push.provider(), push.token(), push.topic(), push.magic(), push.valid(), id.toString());
    }

    @Override
    public void updateDescription(DeviceId id, DeviceDescription d) {
        update("UPDATE device SET name = ?, model = ?, os_version = ?, serial_number = ?, hardware_id = ? WHERE id = ?",
                d.name(), d.model(), d.osVersion(), d.serialNumber(), d.hardwareId(), id.toString());
    }

    @Override
    public void touch(DeviceId id, Instant seenAt) {
        // to the minute: a device that checks in again within a minute costs a lookup, not a row write
        update("UPDATE device SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)", DeviceRows.timestamp(seenAt),
                id.toString(), DeviceRows.timestamp(seenAt.minusSeconds(60)));
    }

    /** One statement, atomic on its own. */
    private void update(String sql, Object... values) {
        jdbc.single(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    p.setObject(i + 1, values[i]);
                }
                return p.executeUpdate();
            }
        });
    }

    @Override
    public long countByPlatform(PlatformId platform) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM device WHERE platform = ? AND state = 'ENROLLED'")) {
                p.setString(1, platform.value());
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
