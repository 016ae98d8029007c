package io.mooring.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;

import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandType;
import io.mooring.api.Completion;
import io.mooring.api.Device;
import io.mooring.api.PendingCommand;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    /**
     * The pool does not test connections as it lends them: after PostgreSQL ends every session (a restart, a
     * failover), the first use of each pooled connection fails, and the call runs again on a new one instead
     * of failing a device's request.
     */
    @Test
    void callsCarryOnWhenTheDatabaseHasDroppedEveryPooledConnection() throws Exception {
        Device d = enroll(newTenant(), newPlatform(), "dropped");
        io.mooring.api.DeviceAttributes attributes = stores.attributes;
        CommandId first = commands.insertForDevices(d.tenant(), CommandId.random(), new CommandType("One"), Map.of(), ADMIN, NOW, null,
                List.of(d.id())).id();
        CommandId second = commands.insertForDevices(d.tenant(), CommandId.random(), new CommandType("Two"), Map.of(), ADMIN, NOW, null,
                List.of(d.id())).id();

        db.dropConnections();
        assertThat(commands.nextFor(d.id(), 1, NOW)).extracting(PendingCommand::id).containsExactly(first);
        db.dropConnections();
        var exchange = commands.exchange(d.id(), Map.of(first, CommandResult.acknowledged(Map.of())), 1, NOW);
        assertThat(exchange.completions()).containsEntry(first, Completion.RECORDED);
        assertThat(exchange.next()).extracting(PendingCommand::id).containsExactly(second);
        db.dropConnections();
        devices.touch(d.id(), NOW.plusSeconds(3600));
        db.dropConnections();
        assertThat(devices.findAnyTenant(d.id()).orElseThrow().lastSeenAt()).isEqualTo(NOW.plusSeconds(3600));
        db.dropConnections();
        attributes.put(d.id(), "test.kept", new byte[] {1, 2});
        db.dropConnections();
        assertThat(attributes.all(d.id(), "test.")).containsOnlyKeys("test.kept");
        assertThat(attributes.all(d.id(), "test_")).isEmpty();
    }

    /**
     * Right after a fan-out the planner's statistics know nothing of the new command; a single delivery
     * (device and command given) must still be found by an index on both, not by reading every
     * delivery of the command, and a device's next command without walking its history.
     */
    @Test
    void singleDeliveriesAreFoundByTheirKeyRightAfterAFanOut() throws Exception {
        List<io.mooring.api.DeviceId> ids = devicesAfterFanOuts("ANALYZE command_delivery");
        CommandId fresh = freshCommand;

        String complete = plan("EXPLAIN UPDATE command_delivery SET state = 'ACKNOWLEDGED' WHERE device_id = '" + ids.get(7)
                + "' AND command_id = '" + fresh + "' AND state IN ('QUEUED', 'SENT')");
        // whichever index: both columns are its condition, so exactly one row is read
        assertThat(complete).containsPattern("Index Cond: \\(\\(\\(?(device_id|command_id)\\)?::text = '[^']+'::text\\) AND \\(\\(?(device_id|command_id)");
        String next = plan("EXPLAIN SELECT command_id FROM command_delivery WHERE device_id = '" + ids.get(7)
                + "' AND state IN ('QUEUED', 'SENT') ORDER BY command_seq LIMIT 1");
        assertThat(next).contains("command_delivery_pending");

        // the exchange's one statement: the answer's row by both key columns, the hand-out through the pending index
        String sql = JdbcCommandStore.exchangePostgres(1, true);
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            numbered.append(ch == '?' ? "$" + ++n : String.valueOf(ch));
        }
        String device = "'" + ids.get(9) + "'";
        String exchange = plan("PREPARE exchange_plan AS " + numbered + "; EXPLAIN EXECUTE exchange_plan('" + fresh
                + "', 'ACKNOWLEDGED', 'ACKNOWLEDGED', '{}', NULL, now(), " + device + ", now(), " + device + ", " + device + ", now(), 1)");
        assertThat(exchange).containsPattern("Index Cond: \\(\\(\\(?(device_id|command_id)\\)?::text = '[^']+'::text\\) AND \\(\\(?(device_id|command_id)")
                .contains("command_delivery_pending").doesNotContain("Seq Scan on command_delivery");
    }
}
