package io.mooring.persistence.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.mooring.api.CommandId;
import io.mooring.api.CommandType;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceId;
import io.mooring.api.NotFoundException;
import io.mooring.api.PendingCommand;
import io.mooring.api.ValidationException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Plugin values per device in {@code device_attribute}; an upsert is one statement on either database. */
@Component(service = DeviceAttributes.class)
public final class JdbcDeviceAttributes implements DeviceAttributes {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._:-]{0,99}");

    private final Jdbc jdbc;
    /** Insert or overwrite in one statement (no transaction of its own): nothing is written for a device that does not exist. */
    private final String upsert;
    /** The snapshot: the device, its values and up to a given number of its open commands (none for a plain snapshot). */
    private final String withOpen;

    @Activate
    public JdbcDeviceAttributes(@Reference MigratedDatabase database) {
        this(database.jdbc());
    }

    JdbcDeviceAttributes(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.upsert = upsert(jdbc.postgres());
        int k = DeviceRows.COLUMN_COUNT;
        // one round trip: the device with its values (kind 0), then its oldest open commands (kind 1)
        this.withOpen = "SELECT 0, " + DeviceRows.COLUMNS + ", a.name, a.content, NULL, 0, NULL, NULL, 0 FROM device v "
                + "LEFT JOIN device_attribute a ON a.device_id = v.id AND a.name LIKE ? ESCAPE '\\' WHERE v.id = ? UNION ALL SELECT 1, "
                + String.join(", ", java.util.Collections.nCopies(k + 2, "NULL")) + ", o.command_id, o.attempts, o.type, o.payload, o.command_seq "
                + "FROM (SELECT n.command_id, n.attempts, nc.type, nc.payload, n.command_seq FROM command_delivery n "
                // H2 would walk the device's whole history through the primary key's device_id prefix
                + (jdbc.postgres() ? "" : "USE INDEX (command_delivery_pending) ")
                + "JOIN command nc ON nc.id = n.command_id WHERE n.device_id = ? AND n.state IN ('QUEUED', 'SENT') "
                + "AND (nc.expires_at IS NULL OR nc.expires_at > ?) ORDER BY n.command_seq LIMIT ?) o ORDER BY 1, " + (k + 2) + ", " + (k + 8);
    }

    private static String upsert(boolean postgres) {
        return postgres
                ? "INSERT INTO device_attribute (device_id, name, content, updated_at) SELECT id, ?, ?, ? FROM device WHERE id = ? "
                        + "ON CONFLICT (device_id, name) DO UPDATE SET content = EXCLUDED.content, updated_at = EXCLUDED.updated_at"
                : "MERGE INTO device_attribute (device_id, name, content, updated_at) KEY (device_id, name) SELECT id, ?, ?, ? FROM device WHERE id = ?";
    }

    @Override
    public void put(DeviceId device, String name, byte[] value) {
        check(name, value);
        jdbc.single(c -> write(c, upsert, device, name, value, Instant.now()));
    }

    /** Refuses what {@link #put} refuses, before anything is written. */
    static void check(String name, byte[] value) {
        checkName(name);
        if (value != null && value.length > MAX_VALUE) {
            throw new ValidationException(name, "a device attribute holds at most " + MAX_VALUE + " bytes");
        }
    }

    /** Writes checked values on a connection of the caller's (in its transaction, if it has one). */
    static void write(Connection c, boolean postgres, DeviceId device, Map<String, byte[]> values, Instant now) throws SQLException {
        String upsert = upsert(postgres);
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            write(c, upsert, device, e.getKey(), e.getValue(), now);
        }
    }

    private static int write(Connection c, String upsert, DeviceId device, String name, byte[] value, Instant now) throws SQLException {
        if (value == null) {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM device_attribute WHERE device_id = ? AND name = ?")) {
                p.setString(1, device.toString());
                p.setString(2, name);
                return p.executeUpdate();
            }
        }
        try (PreparedStatement p = c.prepareStatement(upsert)) {
            p.setString(1, name);
            p.setString(2, Base64.getEncoder().encodeToString(value));
            SqlTime.set(p, 3, now);
            p.setString(4, device.toString());
            if (p.executeUpdate() != 1) {
                throw new NotFoundException("device " + device + " does not exist");
            }
            return 1;
        }
    }

    @Override
    public Optional<byte[]> get(DeviceId device, String name) {
        checkName(name);
        return jdbc.single(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT content FROM device_attribute WHERE device_id = ? AND name = ?")) {
                p.setString(1, device.toString());
                p.setString(2, name);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(Base64.getDecoder().decode(rs.getString(1))) : Optional.<byte[]>empty();
                }
            }
        });
    }

    @Override
    public Map<String, byte[]> all(DeviceId device, String prefix) {
        String like = likePrefix(prefix);
        return jdbc.single(c -> {
            Map<String, byte[]> out = new LinkedHashMap<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT name, content FROM device_attribute WHERE device_id = ? AND name LIKE ? ESCAPE '\\' ORDER BY name")) {
                p.setString(1, device.toString());
                p.setString(2, like);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), Base64.getDecoder().decode(rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Optional<Snapshot> snapshot(DeviceId device, String prefix) {
        return snapshot(device, prefix, 0);
    }

    @Override
    public Optional<Snapshot> snapshot(DeviceId device, String prefix, int open) {
        // open = 0: the same query, its commands' branch limited to none
        String like = likePrefix(prefix);
        int k = DeviceRows.COLUMN_COUNT;
        return jdbc.single(c -> {
            try (PreparedStatement p = c.prepareStatement(withOpen)) {
                p.setString(1, like);
                p.setString(2, device.toString());
                p.setString(3, device.toString());
                SqlTime.set(p, 4, Instant.now());
                p.setInt(5, Math.max(0, open));
                try (ResultSet rs = p.executeQuery()) {
                    io.mooring.api.Device found = null;
                    Map<String, byte[]> values = new LinkedHashMap<>();
                    List<PendingCommand> pending = new ArrayList<>();
                    while (rs.next()) {
                        if (rs.getInt(1) == 0) {
                            if (found == null) {
                                found = DeviceRows.map(rs, 1);
                            }
                            String name = rs.getString(k + 2);
                            if (name != null) {
                                values.put(name, Base64.getDecoder().decode(rs.getString(k + 3)));
                            }
                        } else if (found != null) {
                            pending.add(new PendingCommand(new CommandId(UUID.fromString(rs.getString(k + 4))), device,
                                    new CommandType(rs.getString(k + 6)), Json.readMap(rs.getString(k + 7)), rs.getInt(k + 5) + 1));
                        }
                    }
                    return found == null ? Optional.<Snapshot>empty() : Optional.of(new Snapshot(found, values, pending));
                }
            }
        });
    }

    /** LIKE pattern for names starting with {@code prefix} (names are [a-z0-9._:-]; '_' is LIKE's wildcard). */
    private static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ValidationException("name", "an attribute name is lower-case letters, digits and . _ : -, at most 100");
        }
    }
}
