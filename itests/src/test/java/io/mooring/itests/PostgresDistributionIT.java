package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import javax.inject.Inject;
import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.mooring.testkit.ExampleDevice;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.service.jdbc.DataSourceFactory;

/**
 * The same distribution switched to PostgreSQL the way the README tells admins to: only
 * {@code etc/org.ops4j.datasource-mooring.cfg} changes. The run gets a database of its own, which the
 * test drops when it is done (the test JVM cannot: the forked JVM is ended before its shutdown hooks).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PostgresDistributionIT extends MooringTestSupport {
    static final String PG = System.getenv().getOrDefault("MOORING_TEST_PG", "127.0.0.1:5432");
    static final String DATASOURCE_CFG = "etc/org.ops4j.datasource-mooring.cfg";

    @Inject
    @Filter("(osgi.jndi.service.name=mooring)")
    DataSource dataSource;

    @Inject
    @Filter("(osgi.jdbc.driver.class=org.postgresql.Driver)")
    DataSourceFactory postgres;

    /**
     * Pax Exam asks for the configuration more than once, from more than one class loader: the run's
     * database is created once per JVM, keyed by system properties (which all loaders share).
     */
    private static final String DATABASE_PROPERTY = "mooring.it.pg.database";
    private static final String UNAVAILABLE_PROPERTY = "mooring.it.pg.unavailable";

    @Configuration
    public Option[] config() throws IOException {
        String database;
        String unavailable;
        synchronized (System.getProperties()) {
            database = System.getProperty(DATABASE_PROPERTY);
            if (database == null) {
                database = "mooring_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
                String reason = createDatabase(database);
                System.setProperty(DATABASE_PROPERTY, database);
                if (reason != null) {
                    System.setProperty(UNAVAILABLE_PROPERTY, reason);
                }
            }
            unavailable = System.getProperty(UNAVAILABLE_PROPERTY);
        }
        if (unavailable != null) {
            // the container still boots (on H2); the test method reports the reason, and fails in CI
            return distribution(org.ops4j.pax.exam.CoreOptions.systemProperty("mooring.it.pg.unavailable").value(unavailable));
        }
        return distribution(
                org.ops4j.pax.exam.CoreOptions.systemProperty("mooring.it.pg.database").value(database),
                editConfigurationFilePut(DATASOURCE_CFG, "osgi.jdbc.driver.class", "org.postgresql.Driver"),
                editConfigurationFilePut(DATASOURCE_CFG, "url", "jdbc:postgresql://" + PG + "/" + database + "?reWriteBatchedInserts=true"),
                editConfigurationFilePut(DATASOURCE_CFG, "user", "postgres"),
                editConfigurationFilePut(DATASOURCE_CFG, "password", ""));
    }

    /** Creates the run's database and arranges for it to be dropped; returns why it could not, or null. */
    private static String createDatabase(String name) {
        String admin = "jdbc:postgresql://" + PG + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            return "PostgreSQL at " + PG + " is not reachable (" + e.getMessage() + ")";
        }
        return null;
    }

    @Test
    public void theDistributionRunsOnPostgresql() throws Exception {
        String unavailable = System.getProperty("mooring.it.pg.unavailable");
        if (unavailable != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(unavailable + "; CI must provide PostgreSQL (.ci/run starts it)");
            }
            Assume.assumeTrue(unavailable, false); // outside CI a developer without PostgreSQL gets the reason, not a failure
        }
        try {
            runsOnPostgresql();
        } finally {
            dropDatabase(System.getProperty("mooring.it.pg.database"));
        }
    }

    private void runsOnPostgresql() throws Exception {
        AdminClient admin = admin();
        try (Connection c = dataSource.getConnection()) {
            assertEquals("PostgreSQL", c.getMetaData().getDatabaseProductName());
        }

        List<ExampleDevice> fleet = enrollFleet(admin, "pg", 3);
        JsonNode lock = queue(admin, Map.of("type", "Lock", "platform", "example", "payload", Map.of("message", "on PostgreSQL")));
        JsonNode inventory = queue(admin, Map.of("type", "RequestInventory", "devices", List.of(fleet.get(0).deviceId())));
        for (ExampleDevice d : fleet) {
            d.runOnce();
        }
        assertEquals(3, count(admin, lock.get("id").asText(), "ACKNOWLEDGED"));
        assertEquals(1, count(admin, inventory.get("id").asText(), "ACKNOWLEDGED"));
        assertTrue(admin.get("v1/devices/" + fleet.get(0).deviceId() + "/inventory").json().get("facts").get("locked").asBoolean());
        assertEquals(3, admin.get("v1/devices?platform=example").json().get("total").asLong());

        assertEquals(201, admin.post("v1/tenants", Map.of("id", "globex", "name", "Globex")).status());
        assertEquals(0, admin.inTenant("globex").get("v1/devices").json().get("total").asLong());
        assertEquals(404, admin.inTenant("globex").get("v1/devices/" + fleet.get(1).deviceId()).status());
        assertEquals(200, AdminClient.anonymous(base()).get("/health").status());
    }

    private void dropDatabase(String name) throws SQLException {
        Properties props = new Properties();
        props.setProperty(DataSourceFactory.JDBC_URL, "jdbc:postgresql://" + PG + "/postgres");
        props.setProperty(DataSourceFactory.JDBC_USER, "postgres");
        props.setProperty(DataSourceFactory.JDBC_PASSWORD, "");
        try (Connection c = postgres.createDataSource(props).getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
