package io.mooring.core.internal.shell;

import io.mooring.api.Device;
import io.mooring.api.DeviceQuery;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.DeviceState;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "mooring", name = "devices", description = "Lists the devices of a tenant")
public class DevicesCommand implements Action {
    @Reference
    DeviceRegistry devices;

    @Option(name = "--tenant", description = "Tenant id (default: default)")
    String tenant = TenantId.DEFAULT.value();

    @Option(name = "--platform", description = "Only devices of this platform")
    String platform;

    @Option(name = "--state", description = "ENROLLED or UNENROLLED")
    DeviceState state;

    @Option(name = "--text", description = "Matches name, serial number, model or hardware id")
    String text;

    @Option(name = "--limit", description = "At most this many rows (default 50)")
    int limit = 50;

    @Override
    public Object execute() {
        Page<Device> page = devices.list(new TenantId(tenant),
                new DeviceQuery(platform == null ? null : new PlatformId(platform), state, text, new PageRequest(0, limit)));
        ShellTable table = new ShellTable();
        table.column("Id");
        table.column("Platform");
        table.column("State");
        table.column("Name");
        table.column("Model");
        table.column("OS");
        table.column("Last seen");
        for (Device d : page.items()) {
            table.addRow().addContent(d.id(), d.platform(), d.state(), d.description().name(), d.description().model(),
                    d.description().osVersion(), d.lastSeenAt());
        }
        table.print(System.out);
        System.out.println(page.items().size() + " of " + page.total() + " device(s)");
        return null;
    }
}
