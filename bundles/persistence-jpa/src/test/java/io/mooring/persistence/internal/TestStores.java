package io.mooring.persistence.internal;

import javax.persistence.EntityManagerFactory;

import io.mooring.api.store.AccountStore;
import io.mooring.api.store.AuditStore;
import io.mooring.api.store.CommandStore;
import io.mooring.api.store.DeviceStore;
import io.mooring.api.store.EnrollmentStore;
import io.mooring.api.store.InventoryStore;
import io.mooring.api.store.PkiStore;
import io.mooring.api.store.PlatformStore;

/** The real stores over a migrated {@link TestDatabase}, for tests and benchmarks of other modules. */
public final class TestStores implements AutoCloseable {
    public final TestDatabase database;
    public final DeviceStore devices;
    public final EnrollmentStore enrollment;
    public final CommandStore commands;
    public final InventoryStore inventory;
    public final AuditStore audit;
    public final AccountStore accounts;
    public final PlatformStore platforms;
    public final PkiStore pki;
    public final io.mooring.api.DeviceAttributes attributes;
    public final io.mooring.api.store.GroupStore groups;
    private final EntityManagerFactory emf;

    public TestStores(TestDatabase database) throws Exception {
        this.database = database;
        MigratedDatabase migrated = database.migrate();
        emf = database.entityManagerFactory();
        Jpa jpa = new Jpa(emf);
        JpaDeviceStore deviceStore = new JpaDeviceStore(jpa, migrated.jdbc());
        devices = deviceStore;
        enrollment = new JpaEnrollmentStore(jpa);
        commands = new JdbcCommandStore(migrated.jdbc());
        inventory = new JpaInventoryStore(jpa, deviceStore);
        audit = new JpaAuditStore(jpa);
        accounts = new JpaAccountStore(jpa);
        platforms = new JpaPlatformStore(jpa);
        pki = new JdbcPkiStore(migrated.jdbc());
        attributes = new JdbcDeviceAttributes(migrated.jdbc());
        groups = new JdbcGroupStore(migrated.jdbc());
    }

    @Override
    public void close() throws Exception {
        emf.close();
        database.close();
    }
}
