package io.mooring.core.internal.shell;

import java.util.List;

import io.mooring.api.Command;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandService;
import io.mooring.api.CommandTarget;
import io.mooring.api.CommandType;
import io.mooring.api.DeviceId;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@org.apache.karaf.shell.api.action.Command(scope = "mooring", name = "send",
        description = "Queues a command to devices by id, or to every device of a platform")
public class SendCommand implements Action {
    @Reference
    CommandService commands;

    @Argument(index = 0, name = "type", required = true, description = "Command type, e.g. Lock")
    String type;

    @Option(name = "--device", multiValued = true, description = "Target device id (repeatable)")
    List<String> deviceIds;

    @Option(name = "--platform", description = "Target every enrolled device of this platform")
    String platform;

    @Option(name = "--tenant", description = "Tenant id (default: default)")
    String tenant = TenantId.DEFAULT.value();

    @Option(name = "-p", aliases = "--payload", multiValued = true, description = "Payload entry key=value (repeatable)")
    List<String> payload;

    @Override
    public Object execute() {
        if ((deviceIds == null || deviceIds.isEmpty()) == (platform == null)) {
            System.err.println("Give either --device (one or more) or --platform");
            return null;
        }
        CommandTarget target = platform != null ? new CommandTarget.Platform(new PlatformId(platform))
                : new CommandTarget.Devices(deviceIds.stream().map(DeviceId::parse).toList());
        Command c = commands.enqueue(new TenantId(tenant), new CommandRequest(new CommandType(type), ShellSupport.payload(payload), target, null),
                ShellSupport.SHELL);
        System.out.println("Queued command " + c.id() + " (" + c.type() + ") for " + c.deliveries().values().stream().mapToLong(Long::longValue).sum()
                + " device(s)");
        return null;
    }
}
