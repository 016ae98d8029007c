package io.mooring.persistence.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

import javax.persistence.AttributeConverter;
import javax.persistence.Converter;

/**
 * JPA 2.2 has no {@link Instant}. Written as a {@link Timestamp} (an instant, stored exactly in TIMESTAMP
 * WITH TIME ZONE columns whatever the JVM's zone); read back from whatever the driver returns for such
 * a column (H2 gives {@link OffsetDateTime}, PostgreSQL {@link Timestamp}).
 */
@Converter(autoApply = true)
public class InstantConverter implements AttributeConverter<Instant, Object> {
    @Override
    public Object convertToDatabaseColumn(Instant value) {
        return value == null ? null : Timestamp.from(value);
    }

    @Override
    public Instant convertToEntityAttribute(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (value instanceof java.util.Date d) {
            return d.toInstant();
        }
        throw new IllegalArgumentException("unexpected time value of type " + value.getClass().getName());
    }
}
