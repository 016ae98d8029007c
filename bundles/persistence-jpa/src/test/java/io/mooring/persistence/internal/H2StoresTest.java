package io.mooring.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.DeviceId;
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
        List<DeviceId> ids = devicesAfterFanOuts("ANALYZE");
        CommandId fresh = freshCommand;

        String complete = plan("EXPLAIN ANALYZE UPDATE command_delivery SET state = 'ACKNOWLEDGED' WHERE "
                + JdbcCommandStore.deliveryKey(false).replaceFirst("\\?", "'" + ids.get(7) + "'").replaceFirst("\\?", "'" + fresh + "'")
                + " AND " + JdbcCommandStore.stillOpen(false));
        // through the primary key's device prefix: the device's own four deliveries, not the command's 300 or every open one
        assertThat(complete).containsPattern("PRIMARY_KEY_\\w+: DEVICE_ID = '[^']+'\\s+\\*/").containsPattern("scanCount: [1-5]\\b");
        assertThat(commands.exchange(ids.get(8), Map.of(fresh, CommandResult.acknowledged(Map.of())), 0, NOW).completions())
                .containsEntry(fresh, io.mooring.api.Completion.RECORDED);
    }
}
