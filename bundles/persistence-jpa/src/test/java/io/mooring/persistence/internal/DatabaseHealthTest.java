package io.mooring.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.mooring.api.SystemHealth.Status;
import org.junit.jupiter.api.Test;

class DatabaseHealthTest {
    /** A real database whose network can be cut, as when the database server goes away under a running node. */
    static final class Outage implements DataSource {
        final DataSource real;
        volatile boolean down;

        Outage(DataSource real) {
            this.real = real;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (down) {
                throw new SQLException("Connection refused");
            }
            return real.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    @Test
    void startingUntilMigratedThenUpWhileTheDatabaseAnswers() throws Exception {
        DatabaseHealth health = new DatabaseHealth(0);
        assertThat(health.status()).isEqualTo(Status.STARTING);

        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2)) {
            db.migrate();
            Outage network = new Outage(db.dataSource());
            MigratedDatabase migrated = new MigratedDatabase(network, 1);
            health.bindDatabase(migrated);
            assertThat(health.status()).isEqualTo(Status.UP);

            network.down = true;
            assertThat(health.status()).isEqualTo(Status.DATABASE_DOWN);
            network.down = false;
            assertThat(health.status()).isEqualTo(Status.UP);

            health.unbindDatabase(migrated);
            assertThat(health.status()).isEqualTo(Status.STARTING);
        }
    }
}
