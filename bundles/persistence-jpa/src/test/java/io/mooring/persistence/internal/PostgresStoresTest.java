package io.mooring.persistence.internal;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

class PostgresStoresTest extends StoresContract {
    @BeforeAll
    void start() throws Exception {
        String unavailable = TestDatabase.postgresUnavailableReason();
        if (unavailable != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(unavailable + "; CI must provide PostgreSQL (.ci/run starts it)");
            }
            // Outside CI a developer without a local PostgreSQL still gets the H2 run; the reason is reported.
            Assumptions.abort(unavailable);
        }
        open(TestDatabase.create(TestDatabase.Kind.POSTGRES));
    }
}
