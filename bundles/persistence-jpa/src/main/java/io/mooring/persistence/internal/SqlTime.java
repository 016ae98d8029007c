package io.mooring.persistence.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Instants in and out of {@code TIMESTAMP WITH TIME ZONE} columns as {@link OffsetDateTime}, which both
 * drivers convert directly; {@link java.sql.Timestamp} goes through a {@link java.util.Calendar} in the
 * default time zone on every bind and read, a cost every check-in paid several times.
 */
final class SqlTime {
    private SqlTime() {
    }

    static void set(PreparedStatement p, int index, Instant instant) throws SQLException {
        if (instant == null) {
            p.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            p.setObject(index, value(instant), Types.TIMESTAMP_WITH_TIMEZONE);
        }
    }

    /** The value to bind through {@code setObject} where parameters are passed as objects. */
    static OffsetDateTime value(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant get(ResultSet rs, int index) throws SQLException {
        OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
