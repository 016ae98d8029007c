package io.mooring.persistence.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceState;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;

/** Mapping between device rows and {@link Device}, for JDBC reads on the device plane and for entities. */
final class DeviceRows {
    static final String COLUMNS = "v.id, v.tenant_id, v.platform, v.state, v.name, v.model, v.os_version, v.serial_number, "
            + "v.hardware_id, v.push_provider, v.push_token, v.push_topic, v.push_magic, v.push_valid, v.enrolled_at, v.last_seen_at";
    static final int COLUMN_COUNT = 16;

    private DeviceRows() {
    }

    static Device map(ResultSet rs) throws SQLException {
        return map(rs, 0);
    }

    /** The device of a row whose COLUMNS follow {@code skip} other columns. */
    static Device map(ResultSet rs, int skip) throws SQLException {
        String provider = rs.getString(skip + 10);
        String token = rs.getString(skip + 11);
        PushRegistration push = provider == null || token == null ? null
                : new PushRegistration(provider, token, rs.getString(skip + 12), rs.getString(skip + 13), rs.getBoolean(skip + 14));
        return new Device(new DeviceId(UUID.fromString(rs.getString(skip + 1))), new TenantId(rs.getString(skip + 2)),
                new PlatformId(rs.getString(skip + 3)), DeviceState.valueOf(rs.getString(skip + 4)),
                new DeviceDescription(rs.getString(skip + 5), rs.getString(skip + 6), rs.getString(skip + 7), rs.getString(skip + 8),
                        rs.getString(skip + 9)),
                SqlTime.get(rs, skip + 15), SqlTime.get(rs, skip + 16), push);
    }

    static Device map(DeviceEntity e) {
        PushRegistration push = e.pushProvider == null || e.pushToken == null ? null
                : new PushRegistration(e.pushProvider, e.pushToken, e.pushTopic, e.pushMagic, e.pushValid);
        return new Device(new DeviceId(UUID.fromString(e.id)), new TenantId(e.tenantId), new PlatformId(e.platform), DeviceState.valueOf(e.state),
                new DeviceDescription(e.name, e.model, e.osVersion, e.serialNumber, e.hardwareId), e.enrolledAt, e.lastSeenAt, push);
    }

    static void describe(DeviceEntity e, DeviceDescription d) {
        e.name = d.name();
        e.model = d.model();
        e.osVersion = d.osVersion();
        e.serialNumber = d.serialNumber();
        e.hardwareId = d.hardwareId();
    }

    /** For parameters of the JPA stores' native queries, which EclipseLink binds as JDBC timestamps. */
    static java.sql.Timestamp timestamp(Instant i) {
        return i == null ? null : java.sql.Timestamp.from(i);
    }
}
