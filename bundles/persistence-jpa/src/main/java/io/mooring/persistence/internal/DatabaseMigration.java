package io.mooring.persistence.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema up to date on its own thread once the DataSource appears, retrying while the
 * database is unreachable, then offers {@link MigratedDatabase} so the stores can start.
 */
@Component(service = {})
// registered by hand once migrated, so the resolver is told here that this bundle provides it
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.mooring.persistence.internal.MigratedDatabase")
public final class DatabaseMigration {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigration.class);
    private static final long RETRY_SECONDS = 5;

    private final DataSource dataSource;
    private final BundleContext context;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mooring-schema-migration");
        t.setDaemon(true);
        return t;
    });
    private volatile ServiceRegistration<MigratedDatabase> registration;

    @Activate
    public DatabaseMigration(@Reference(target = "(osgi.jndi.service.name=mooring)") DataSource dataSource, BundleContext context) {
        this.dataSource = dataSource;
        this.context = context;
        executor.execute(this::migrate);
    }

    private void migrate() {
        try {
            int version = new SchemaMigrator(getClass().getClassLoader()).migrate(dataSource);
            registration = context.registerService(MigratedDatabase.class, new MigratedDatabase(dataSource, version), null);
            LOG.info("Database schema is at version {}", version);
        } catch (Exception e) {
            LOG.error("Database not ready ({}); retrying in {} s", e.getMessage(), RETRY_SECONDS);
            if (!executor.isShutdown()) {
                executor.schedule(this::migrate, RETRY_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
        ServiceRegistration<MigratedDatabase> r = registration;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and the framework unregistered it first
            }
        }
    }
}
