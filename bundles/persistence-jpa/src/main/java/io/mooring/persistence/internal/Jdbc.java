package io.mooring.persistence.internal;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.mooring.api.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Plain JDBC transactions, for the queue's hot paths and bulk writes where JPA would cost a round trip per row. */
final class Jdbc {
    private static final Logger LOG = LoggerFactory.getLogger(Jdbc.class);
    /** More than the pool's connections (16 by default), so a pool of dropped connections is worked through. */
    static final int MAX_ATTEMPTS = 40;

    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    private final boolean postgres;

    Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
        this.postgres = detectPostgres(dataSource);
    }

    boolean postgres() {
        return postgres;
    }

    /**
     * Runs the work in one transaction. A connection the database dropped (a restart, a failover, an idle
     * connection closed on the server's side) shows only when used, since the pool does not test connections
     * as it lends them (a round trip per borrow on every check-in): when the work fails because its connection
     * was lost, the transaction died with it and nothing of it was written, so it runs once more on a fresh
     * connection. A failure during the commit itself is never retried: its outcome is unknown.
     */
    <T> T inTransaction(Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                boolean autoCommit = c.getAutoCommit();
                c.setAutoCommit(false);
                T result;
                try {
                    result = work.apply(c);
                } catch (SQLException e) {
                    rollbackQuietly(c);
                    if (attempt < MAX_ATTEMPTS && connectionLost(e)) {
                        logLost(attempt, e);
                        continue;
                    }
                    throw e;
                } catch (RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
                c.commit();
                c.setAutoCommit(autoCommit);
                return result;
            } catch (SQLException e) {
                throw new UnavailableException("the database did not complete the request", e);
            }
        }
    }

    /**
     * One statement in auto-commit mode: a single round trip, for statements that are atomic on their own
     * and harmless to repeat (reads; a hand-out that only counts one attempt more), so a connection found
     * lost is replaced as in {@link #inTransaction}.
     */
    <T> T single(Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true);
                }
                try {
                    return work.apply(c);
                } catch (SQLException e) {
                    if (attempt < MAX_ATTEMPTS && connectionLost(e)) {
                        logLost(attempt, e);
                        continue;
                    }
                    throw e;
                }
            } catch (SQLException e) {
                throw new UnavailableException("the database did not complete the request", e);
            }
        }
    }

    @FunctionalInterface
    interface Row<T> {
        T map(java.sql.ResultSet rs) throws SQLException;
    }

    /**
     * One page of a listing: the count of {@code countSql} and the rows of {@code selectSql}, which ends in
     * {@code LIMIT ? OFFSET ?}; both take {@code params} first.
     */
    static <T> io.mooring.api.Page<T> page(Connection c, String countSql, String selectSql, io.mooring.api.PageRequest page, Row<T> row,
            String... params) throws SQLException {
        long total;
        try (java.sql.PreparedStatement p = c.prepareStatement(countSql)) {
            for (int i = 0; i < params.length; i++) {
                p.setString(i + 1, params[i]);
            }
            try (java.sql.ResultSet rs = p.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        java.util.List<T> items = new java.util.ArrayList<>();
        try (java.sql.PreparedStatement p = c.prepareStatement(selectSql)) {
            for (int i = 0; i < params.length; i++) {
                p.setString(i + 1, params[i]);
            }
            p.setInt(params.length + 1, page.limit());
            p.setInt(params.length + 2, page.offset());
            try (java.sql.ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    items.add(row.map(rs));
                }
            }
        }
        return new io.mooring.api.Page<>(items, total, page.offset(), page.limit());
    }

    /** SQLSTATE class 08 (connection exception) or 57P01–57P03 (the server shut the session down), anywhere in the chain. */
    static boolean connectionLost(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() != t ? t.getCause() : null) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().matches("57P0[123]"))) {
                return true;
            }
        }
        return false;
    }

    private static void logLost(int attempt, SQLException e) {
        if (attempt == 1) {
            LOG.info("A database connection was lost ({}); trying again on another", e.getMessage());
        } else {
            LOG.debug("Database connection {} in a row lost: {}", attempt, e.getMessage());
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException ignored) {
            // a lost connection cannot roll back; the database already has
        }
    }

    private static boolean detectPostgres(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
        } catch (SQLException e) {
            throw new UnavailableException("cannot reach the database", e);
        }
    }
}
