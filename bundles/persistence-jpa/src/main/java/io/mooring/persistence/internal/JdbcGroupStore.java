package io.mooring.persistence.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.mooring.api.ConflictException;
import io.mooring.api.Device;
import io.mooring.api.DeviceGroup;
import io.mooring.api.DeviceId;
import io.mooring.api.GroupId;
import io.mooring.api.GroupSpec;
import io.mooring.api.NotFoundException;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import io.mooring.api.store.GroupStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Device groups over plain JDBC: memberships are added and removed in chunks of ids, like the command queue's fan-outs. */
@Component(service = GroupStore.class)
public final class JdbcGroupStore implements GroupStore {
    private static final String GROUP_COLUMNS = "g.id, g.tenant_id, g.name, g.description, g.settings, g.created_at, "
            + "(SELECT COUNT(*) FROM device_group_member c WHERE c.group_id = g.id)";
    private static final String UNIQUE_VIOLATION = "23505";

    private final Jdbc jdbc;

    @Activate
    public JdbcGroupStore(@Reference MigratedDatabase database) {
        this(database.jdbc());
    }

    JdbcGroupStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public DeviceGroup insert(TenantId tenant, GroupId id, GroupSpec spec, String createdBy, Instant now) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO device_group (id, tenant_id, name, description, settings, created_by, "
                    + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, id.toString());
                p.setString(2, tenant.value());
                p.setString(3, spec.name());
                p.setString(4, spec.description());
                p.setString(5, Json.write(spec.settings()));
                p.setString(6, createdBy);
                SqlTime.set(p, 7, now);
                SqlTime.set(p, 8, now);
                p.executeUpdate();
            } catch (SQLException e) {
                throw nameTaken(e, spec);
            }
            return find(c, tenant, id).orElseThrow();
        });
    }

    @Override
    public Optional<DeviceGroup> find(TenantId tenant, GroupId id) {
        return jdbc.single(c -> find(c, tenant, id));
    }

    private static Optional<DeviceGroup> find(Connection c, TenantId tenant, GroupId id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + GROUP_COLUMNS + " FROM device_group g WHERE g.id = ? AND g.tenant_id = ?")) {
            p.setString(1, id.toString());
            p.setString(2, tenant.value());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public Page<DeviceGroup> list(TenantId tenant, PageRequest page) {
        return jdbc.single(c -> Jdbc.page(c, "SELECT COUNT(*) FROM device_group WHERE tenant_id = ?",
                "SELECT " + GROUP_COLUMNS + " FROM device_group g WHERE g.tenant_id = ? ORDER BY g.name, g.id LIMIT ? OFFSET ?",
                page, JdbcGroupStore::map, tenant.value()));
    }

    @Override
    public Optional<DeviceGroup> update(TenantId tenant, GroupId id, GroupSpec spec, Instant now) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE device_group SET name = ?, description = ?, settings = ?, updated_at = ? "
                    + "WHERE id = ? AND tenant_id = ?")) {
                p.setString(1, spec.name());
                p.setString(2, spec.description());
                p.setString(3, Json.write(spec.settings()));
                SqlTime.set(p, 4, now);
                p.setString(5, id.toString());
                p.setString(6, tenant.value());
                if (p.executeUpdate() == 0) {
                    return Optional.empty();
                }
            } catch (SQLException e) {
                throw nameTaken(e, spec);
            }
            return find(c, tenant, id);
        });
    }

    @Override
    public Optional<List<DeviceId>> delete(TenantId tenant, GroupId id) {
        return jdbc.inTransaction(c -> {
            // tokens into the group first, then the group's row: an enrollment spending such a token locks them in the same order
            // (the token, then the group its device joins), so the two wait for each other instead of deadlocking
            try (PreparedStatement p = c.prepareStatement("UPDATE enrollment_token SET group_id = NULL WHERE group_id = ? AND tenant_id = ?")) {
                p.setString(1, id.toString());
                p.setString(2, tenant.value());
                p.executeUpdate();
            }
            // the row lock, so a membership added meanwhile is either in the list or refused
            if (!locked(c, tenant, id)) {
                return Optional.empty();
            }
            List<DeviceId> members = memberIds(c, id);
            // the memberships go with it (ON DELETE CASCADE)
            try (PreparedStatement p = c.prepareStatement("DELETE FROM device_group WHERE id = ?")) {
                p.setString(1, id.toString());
                p.executeUpdate();
            }
            return Optional.of(members);
        });
    }

    @Override
    public List<DeviceId> addMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices, Instant now) {
        Set<DeviceId> wanted = new LinkedHashSet<>(devices);
        return jdbc.inTransaction(c -> {
            requireLocked(c, tenant, id);
            Set<DeviceId> known = new HashSet<>();
            Set<DeviceId> already = new HashSet<>();
            for (List<DeviceId> chunk : JdbcCommandStore.chunks(wanted)) {
                try (PreparedStatement p = c.prepareStatement("SELECT v.id, m.device_id FROM device v LEFT JOIN device_group_member m "
                        + "ON m.device_id = v.id AND m.group_id = ? WHERE v.tenant_id = ? AND v.id IN (" + JdbcCommandStore.placeholders(chunk.size()) + ")")) {
                    p.setString(1, id.toString());
                    p.setString(2, tenant.value());
                    JdbcCommandStore.bindIds(p, 3, chunk);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            DeviceId d = new DeviceId(UUID.fromString(rs.getString(1)));
                            known.add(d);
                            if (rs.getString(2) != null) {
                                already.add(d);
                            }
                        }
                    }
                }
            }
            List<String> missing = wanted.stream().filter(d -> !known.contains(d)).limit(5).map(DeviceId::toString).toList();
            if (!missing.isEmpty()) {
                throw new NotFoundException("no device " + String.join(", ", missing)
                        + (wanted.size() - known.size() > missing.size() ? " (and more)" : "") + "; no device was added");
            }
            List<DeviceId> added = wanted.stream().filter(d -> !already.contains(d)).toList();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO device_group_member (group_id, tenant_id, device_id, added_at) VALUES (?, ?, ?, ?)")) {
                for (DeviceId d : added) {
                    p.setString(1, id.toString());
                    p.setString(2, tenant.value());
                    p.setString(3, d.toString());
                    SqlTime.set(p, 4, now);
                    p.addBatch();
                }
                p.executeBatch();
            } catch (SQLException e) {
                if (isUniqueViolation(e)) {
                    throw new ConflictException("the group's members were changed at the same time; nothing was added, try again");
                }
                throw e;
            }
            return added;
        });
    }

    @Override
    public List<DeviceId> removeMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices) {
        Set<DeviceId> wanted = new LinkedHashSet<>(devices);
        return jdbc.inTransaction(c -> {
            requireLocked(c, tenant, id);
            List<DeviceId> removed = new ArrayList<>();
            for (List<DeviceId> chunk : JdbcCommandStore.chunks(wanted)) {
                String in = "(" + JdbcCommandStore.placeholders(chunk.size()) + ")";
                try (PreparedStatement p = c.prepareStatement("SELECT device_id FROM device_group_member WHERE group_id = ? AND tenant_id = ? AND device_id IN "
                        + in)) {
                    p.setString(1, id.toString());
                    p.setString(2, tenant.value());
                    JdbcCommandStore.bindIds(p, 3, chunk);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            removed.add(new DeviceId(UUID.fromString(rs.getString(1))));
                        }
                    }
                }
                try (PreparedStatement p = c.prepareStatement("DELETE FROM device_group_member WHERE group_id = ? AND tenant_id = ? AND device_id IN " + in)) {
                    p.setString(1, id.toString());
                    p.setString(2, tenant.value());
                    JdbcCommandStore.bindIds(p, 3, chunk);
                    p.executeUpdate();
                }
            }
            return removed;
        });
    }

    @Override
    public Page<Device> members(TenantId tenant, GroupId id, PageRequest page) {
        String from = " FROM device v JOIN device_group_member m ON m.device_id = v.id WHERE m.group_id = ? AND m.tenant_id = ?";
        return jdbc.single(c -> Jdbc.page(c, "SELECT COUNT(*)" + from, "SELECT " + DeviceRows.COLUMNS + from + " ORDER BY v.enrolled_at, v.id LIMIT ? OFFSET ?",
                page, DeviceRows::map, id.toString(), tenant.value()));
    }

    @Override
    public List<DeviceGroup> groupsOf(DeviceId device) {
        return jdbc.single(c -> {
            List<DeviceGroup> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT " + GROUP_COLUMNS + " FROM device_group g JOIN device_group_member m "
                    + "ON m.group_id = g.id WHERE m.device_id = ? ORDER BY g.name, g.id")) {
                p.setString(1, device.toString());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(map(rs));
                    }
                }
            }
            return out;
        });
    }

    /** Locks the group's row for a membership change or the deletion (each waits for the other); false if the tenant has no such group. */
    private static boolean locked(Connection c, TenantId tenant, GroupId id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM device_group WHERE id = ? AND tenant_id = ? FOR UPDATE")) {
            p.setString(1, id.toString());
            p.setString(2, tenant.value());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void requireLocked(Connection c, TenantId tenant, GroupId id) throws SQLException {
        if (!locked(c, tenant, id)) {
            throw new NotFoundException("no group " + id);
        }
    }

    private static List<DeviceId> memberIds(Connection c, GroupId id) throws SQLException {
        List<DeviceId> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT device_id FROM device_group_member WHERE group_id = ? ORDER BY device_id")) {
            p.setString(1, id.toString());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeviceId(UUID.fromString(rs.getString(1))));
                }
            }
        }
        return out;
    }

    private static DeviceGroup map(ResultSet rs) throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        Json.readMap(rs.getString(5)).forEach((k, v) -> settings.put(k, String.valueOf(v)));
        return new DeviceGroup(new GroupId(UUID.fromString(rs.getString(1))), new TenantId(rs.getString(2)), rs.getString(3), rs.getString(4),
                settings, rs.getLong(7), SqlTime.get(rs, 6));
    }

    private static boolean isUniqueViolation(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if (UNIQUE_VIOLATION.equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** A unique-name violation as the admin's conflict; anything else as it was. */
    private static RuntimeException nameTaken(SQLException e, GroupSpec spec) throws SQLException {
        if (isUniqueViolation(e)) {
            return new ConflictException("a group named '" + spec.name() + "' already exists");
        }
        throw e;
    }
}
