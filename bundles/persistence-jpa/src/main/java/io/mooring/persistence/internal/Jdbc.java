package io.mooring.persistence.internal;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.mooring.api.UnavailableException;

/** Plain JDBC transactions, for the queue's hot paths and bulk writes where JPA would cost a round trip per row. */
final class Jdbc {
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

    <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new UnavailableException("the database did not complete the request", e);
        }
    }

    /** One statement in auto-commit mode: a single round trip, for statements that are atomic on their own. */
    <T> T single(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return work.apply(c);
        } catch (SQLException e) {
            throw new UnavailableException("the database did not complete the request", e);
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
