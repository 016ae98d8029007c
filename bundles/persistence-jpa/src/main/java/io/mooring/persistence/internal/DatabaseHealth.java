package io.mooring.persistence.internal;

import java.sql.Connection;
import java.sql.SQLException;

import io.mooring.api.SystemHealth;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Readiness: starting until the schema is current, then up while the database answers. The answer is
 * kept for a second, so a load balancer polling hard costs at most one connection check per second.
 */
@Component(property = "mooring.health.part=database")
public final class DatabaseHealth implements SystemHealth {
    private final long cacheNanos;
    private volatile MigratedDatabase database;
    private volatile long checkedAt;
    private volatile Status last = Status.STARTING;

    public DatabaseHealth() {
        this(1_000_000_000L);
    }

    DatabaseHealth(long cacheNanos) {
        this.cacheNanos = cacheNanos;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindDatabase(MigratedDatabase db) {
        database = db;
        checkedAt = 0;
    }

    void unbindDatabase(MigratedDatabase db) {
        if (database == db) {
            database = null;
        }
    }

    @Override
    public Status status() {
        MigratedDatabase db = database;
        if (db == null) {
            return Status.STARTING;
        }
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < cacheNanos) {
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
