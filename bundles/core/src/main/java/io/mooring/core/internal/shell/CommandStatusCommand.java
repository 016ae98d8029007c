package io.mooring.core.internal.shell;

import java.util.Map;

import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandService;
import io.mooring.api.DeliveryState;
import io.mooring.api.TenantId;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@org.apache.karaf.shell.api.action.Command(scope = "mooring", name = "command", description = "Shows a queued command and how far it got")
public class CommandStatusCommand implements Action {
    @Reference
    CommandService commands;

    @Argument(index = 0, name = "id", required = true, description = "Command id")
    String id;

    @Option(name = "--tenant", description = "Tenant id (default: default)")
    String tenant = TenantId.DEFAULT.value();

    @Override
    public Object execute() {
        Command c = commands.find(new TenantId(tenant), CommandId.parse(id)).orElse(null);
        if (c == null) {
            System.err.println("No command " + id + " in tenant " + tenant);
            return null;
        }
        System.out.println("Command " + c.id() + " " + c.type() + " by " + c.issuedBy() + " at " + c.createdAt()
                + (c.expiresAt() != null ? ", expires " + c.expiresAt() : ""));
        for (Map.Entry<DeliveryState, Long> e : c.deliveries().entrySet()) {
            System.out.printf("  %-13s %d%n", e.getKey(), e.getValue());
        }
        return null;
    }
}
