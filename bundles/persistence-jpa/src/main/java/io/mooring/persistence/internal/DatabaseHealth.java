package io.mooring.persistence.internal;

import java.sql.Connection;
import java.sql.SQLException;

import io.mooring.api.SystemHealth;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Readiness: starting until the schema is current, then up while the database answers. */
@Component
public final class DatabaseHealth implements SystemHealth {
    private static final long CACHE_NANOS = 1_000_000_000L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MigratedDatabase database;

    private volatile long checkedAt;
    private volatile Status last = Status.STARTING;

    @Override
    public Status status() {
        MigratedDatabase db = database;
        if (db == null) {
            return Status.STARTING;
        }
        long now = System.nanoTime();
        if (now - checkedAt < CACHE_NANOS) {
            return last;
        }
        Status status;
        try (Connection c = db.dataSource().getConnection()) {
            status = c.isValid(2) ? Status.UP : Status.DATABASE_DOWN;
        } catch (SQLException e) {
            status = Status.DATABASE_DOWN;
        }
        last = status;
        checkedAt = now;
        return status;
    }
}
