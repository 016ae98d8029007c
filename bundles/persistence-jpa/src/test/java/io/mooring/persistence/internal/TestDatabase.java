package io.mooring.persistence.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import javax.persistence.EntityManagerFactory;
import javax.sql.DataSource;

import org.eclipse.persistence.config.PersistenceUnitProperties;
import org.eclipse.persistence.jpa.PersistenceProvider;
import org.h2.jdbcx.JdbcDataSource;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * A database of its own for one test class: a named in-memory H2 database, or a PostgreSQL database
 * created on the server at {@code MOORING_TEST_PG} (default 127.0.0.1:5432, user postgres) and dropped
 * afterwards, so runs never see each other's rows.
 */
public final class TestDatabase implements AutoCloseable {
    public enum Kind { H2, POSTGRES }

    private static final String PG_HOST = System.getenv().getOrDefault("MOORING_TEST_PG", "127.0.0.1:5432");

    private final Kind kind;
    private final String name;
    private final DataSource dataSource;
    private Connection keepAlive;

    private TestDatabase(Kind kind) throws SQLException {
        this.kind = kind;
        this.name = "mooring_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        if (kind == Kind.H2) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
            dataSource = h2;
            keepAlive = h2.getConnection();
        } else {
            try (Connection admin = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + "/postgres", "postgres", "");
                    Statement s = admin.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            BasicDataSource pool = new BasicDataSource();
            pool.setDriverClassName("org.postgresql.Driver");
            pool.setUrl("jdbc:postgresql://" + PG_HOST + "/" + name + "?reWriteBatchedInserts=true");
            pool.setUsername("postgres");
            pool.setMaxTotal(16);
            pool.setMaxIdle(16);
            // as the distribution's pool (etc/org.ops4j.datasource-mooring.cfg): connections are not tested as they are lent
            pool.setTestOnBorrow(false);
            pool.setTestWhileIdle(true);
            pool.setFastFailValidation(true);
            dataSource = pool;
        }
    }

    public static TestDatabase create(Kind kind) throws SQLException {
        return new TestDatabase(kind);
    }

    /** Whether PostgreSQL answers; CI must have it, elsewhere its tests may skip with this reason. */
    public static String postgresUnavailableReason() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + "/postgres", "postgres", "")) {
            return null;
        } catch (SQLException e) {
            return "PostgreSQL at " + PG_HOST + " is not reachable (" + e.getMessage() + ")";
        }
    }

    /** Ends every server session of this database, as a PostgreSQL restart or failover does (PostgreSQL only). */
    void dropConnections() throws SQLException, InterruptedException {
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + "/postgres", "postgres", "")) {
            try (java.sql.PreparedStatement p = admin.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?")) {
                p.setString(1, name.toLowerCase(Locale.ROOT));
                p.execute();
            }
            for (int i = 0; i < 100; i++) {
                try (java.sql.PreparedStatement p = admin.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ?")) {
                    p.setString(1, name.toLowerCase(Locale.ROOT));
                    try (java.sql.ResultSet rs = p.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) == 0) {
                            return;
                        }
                    }
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("the sessions of " + name + " did not end");
        }
    }

    public Kind kind() {
        return kind;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Migrates the schema and returns a {@link MigratedDatabase} as the bundle would register it. */
    MigratedDatabase migrate() throws SQLException {
        int version = new SchemaMigrator(TestDatabase.class.getClassLoader()).migrate(dataSource);
        return new MigratedDatabase(dataSource, version);
    }

    public EntityManagerFactory entityManagerFactory() {
        Map<String, Object> props = new HashMap<>();
        props.put(PersistenceUnitProperties.NON_JTA_DATASOURCE, dataSource);
        props.put(PersistenceUnitProperties.TRANSACTION_TYPE, "RESOURCE_LOCAL");
        return new PersistenceProvider().createEntityManagerFactory("mooring", props);
    }

    @Override
    public void close() throws SQLException {
        if (kind == Kind.H2) {
            try (Statement s = keepAlive.createStatement()) {
                s.execute("SHUTDOWN");
            }
            keepAlive.close();
        } else {
            ((BasicDataSource) dataSource).close();
            try (Connection admin = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + "/postgres", "postgres", "");
                    Statement s = admin.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name.toLowerCase(Locale.ROOT) + " WITH (FORCE)");
            }
        }
    }
}
