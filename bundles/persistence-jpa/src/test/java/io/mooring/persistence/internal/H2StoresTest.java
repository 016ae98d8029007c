package io.mooring.persistence.internal;

import org.junit.jupiter.api.BeforeAll;

class H2StoresTest extends StoresContract {
    @BeforeAll
    void start() throws Exception {
        open(TestDatabase.create(TestDatabase.Kind.H2));
    }
}
