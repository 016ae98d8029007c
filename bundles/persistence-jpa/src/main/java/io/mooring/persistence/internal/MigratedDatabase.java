package io.mooring.persistence.internal;

import javax.sql.DataSource;

/**
 * Registered (inside this bundle only) once the schema migrations have run against the DataSource: the
 * stores require it, so none of them is offered to core before the schema is current.
 */
final class MigratedDatabase {
    private final DataSource dataSource;
    private final int schemaVersion;
    private final Jdbc jdbc;

    MigratedDatabase(DataSource dataSource, int schemaVersion) {
        this.dataSource = dataSource;
        this.schemaVersion = schemaVersion;
        this.jdbc = new Jdbc(dataSource);
    }

    DataSource dataSource() {
        return dataSource;
    }

    int schemaVersion() {
        return schemaVersion;
    }

    Jdbc jdbc() {
        return jdbc;
    }
}
