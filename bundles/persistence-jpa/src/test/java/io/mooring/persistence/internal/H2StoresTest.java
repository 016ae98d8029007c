package io.mooring.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandType;
import io.mooring.api.DeviceId;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class H2StoresTest extends StoresContract {
    @BeforeAll
    void start() throws Exception {
        open(TestDatabase.create(TestDatabase.Kind.H2));
    }

    /**
     * After fan-outs and an ANALYZE, a new command is unknown to H2's statistics; a single delivery must still
     * be found among the device's own deliveries, not through the command_id index (every device of the
     * command) or the state index (every open delivery).
     */
    @Test
    void singleDeliveriesAreFoundByTheirKeyRightAfterAFanOut() throws Exception {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        List<DeviceId> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(enroll(tenant, platform, "plan-" + i).id());
        }
        for (int round = 0; round < 3; round++) {
            CommandId old = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Old"), Map.of(), ADMIN, NOW, null, platform).id();
            for (DeviceId id : ids) {
                commands.exchange(id, Map.of(old, CommandResult.acknowledged(Map.of())), 0, NOW);
            }
        }
        try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("ANALYZE");
        }
        CommandId fresh = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("New"), Map.of(), ADMIN, NOW, null, platform).id();

        String complete = plan("EXPLAIN ANALYZE UPDATE command_delivery SET state = 'ACKNOWLEDGED' WHERE "
                + JdbcCommandStore.deliveryKey(false).replaceFirst("\\?", "'" + ids.get(7) + "'").replaceFirst("\\?", "'" + fresh + "'")
                + " AND " + JdbcCommandStore.stillOpen(false));
        // through the primary key's device prefix: the device's own four deliveries, not the command's 300 or every open one
        assertThat(complete).containsPattern("PRIMARY_KEY_\\w+: DEVICE_ID = '[^']+'\\s+\\*/").containsPattern("scanCount: [1-5]\\b");
        assertThat(commands.exchange(ids.get(8), Map.of(fresh, CommandResult.acknowledged(Map.of())), 0, NOW).completions())
                .containsEntry(fresh, io.mooring.api.Completion.RECORDED);
    }

    private String plan(String explain) throws Exception {
        StringBuilder out = new StringBuilder();
        try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery(explain)) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('\n');
            }
        }
        return out.toString();
    }
}
