package io.mooring.persistence.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned SQL migrations under {@code db/migration/} (listed in its {@code index}) that the
 * database has not seen yet, each in its own transaction, and refuses to start on a database whose
 * applied migrations were edited afterwards. On PostgreSQL an advisory lock keeps two nodes starting
 * together from migrating at once. Where the two databases need different SQL (PostgreSQL's partial
 * indexes), a migration has an H2 variant beside it, {@code V<version>__<description>.h2.sql}, which H2 runs
 * instead; the index lists the migration once.
 */
final class SchemaMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);
    private static final Pattern NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");
    private static final long ADVISORY_LOCK_KEY = 0x4D6F6F72696E67L; // "Mooring"

    record Migration(int version, String description, String sql, long checksum) {
    }

    private final ClassLoader resources;

    SchemaMigrator(ClassLoader resources) {
        this.resources = resources;
    }

    /** Returns the schema version the database is at after migrating. */
    int migrate(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
            List<Migration> migrations = load(postgres);
            if (postgres) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_lock(" + ADVISORY_LOCK_KEY + ")");
                }
            }
            try {
                return apply(c, migrations);
            } finally {
                if (postgres) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT pg_advisory_unlock(" + ADVISORY_LOCK_KEY + ")");
                    }
                }
            }
        }
    }

    private int apply(Connection c, List<Migration> migrations) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER NOT NULL PRIMARY KEY, "
                    + "description VARCHAR(200) NOT NULL, checksum BIGINT NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
        Map<Integer, Long> applied = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version, checksum FROM schema_migration")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getLong(2));
            }
        }
        int current = 0;
        for (Migration m : migrations) {
            Long checksum = applied.get(m.version());
            if (checksum != null) {
                if (checksum != m.checksum()) {
                    throw new SQLException("migration V" + m.version() + " (" + m.description()
                            + ") was changed after it was applied to this database; migrations must never be edited");
                }
            } else {
                run(c, m);
            }
            current = m.version();
        }
        int newest = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (newest > current) {
            throw new SQLException("the database is at schema version " + newest + ", newer than this Mooring (" + current + ")");
        }
        return current;
    }

    private static void run(Connection c, Migration m) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String statement : statements(m.sql())) {
                s.execute(statement);
            }
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO schema_migration (version, description, checksum, applied_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP)")) {
                p.setInt(1, m.version());
                p.setString(2, m.description());
                p.setLong(3, m.checksum());
                p.executeUpdate();
            }
            c.commit();
            LOG.info("Applied schema migration V{} {}", m.version(), m.description());
        } catch (SQLException e) {
            c.rollback();
            throw new SQLException("schema migration V" + m.version() + " failed: " + e.getMessage(), e);
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** Splits on semicolons that end a line; comments are dropped. Migrations hold no procedural code. */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                out.add(statement.substring(0, statement.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    List<Migration> load(boolean postgres) {
        List<Migration> out = new ArrayList<>();
        for (String file : read("db/migration/index").lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList())) {
            Matcher m = NAME.matcher(file);
            if (!m.matches()) {
                throw new IllegalStateException("migration file name " + file + " does not follow V<version>__<description>.sql");
            }
            String h2 = "db/migration/" + file.substring(0, file.length() - ".sql".length()) + ".h2.sql";
            String sql = read(!postgres && exists(h2) ? h2 : "db/migration/" + file);
            CRC32 crc = new CRC32();
            crc.update(sql.getBytes(StandardCharsets.UTF_8));
            out.add(new Migration(Integer.parseInt(m.group(1)), m.group(2), sql, crc.getValue()));
        }
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).version() <= out.get(i - 1).version()) {
                throw new IllegalStateException("migrations are not listed in increasing version order");
            }
        }
        return out;
    }

    private boolean exists(String name) {
        return resources.getResource(name) != null;
    }

    private String read(String name) {
        try (InputStream in = resources.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + name);
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                return r.lines().collect(Collectors.joining("\n"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }
}
