package io.mooring.core.internal.shell;

import io.mooring.api.PlatformInfo;
import io.mooring.api.PlatformRegistry;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "mooring", name = "platforms", description = "Lists the installed platform plugins")
public class PlatformsCommand implements Action {
    @Reference
    PlatformRegistry platforms;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Platform");
        table.column("Name");
        table.column("Version");
        table.column("State");
        table.column("Commands");
        table.column("Device paths");
        for (PlatformInfo p : platforms.installed()) {
            table.addRow().addContent(p.id(), p.displayName(), p.version(), p.state(), p.commandTypes().size(), String.join(" ", p.devicePaths()));
        }
        table.print(System.out);
        return null;
    }
}
