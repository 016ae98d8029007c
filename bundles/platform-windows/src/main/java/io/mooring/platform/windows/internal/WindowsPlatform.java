package io.mooring.platform.windows.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.mooring.api.CommandType;
import io.mooring.api.Device;
import io.mooring.api.PlatformId;
import io.mooring.spi.CommandSupport;
import io.mooring.spi.DeviceLifecycle;
import io.mooring.spi.PlatformPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Windows 10/11 PCs as core sees them: enrolled through MS-MDE2 ({@code /EnrollmentServer}), managed over
 * OMA-DM ({@code /ManagementServer}). The command types are Mooring's typed Windows operations and the raw
 * OMA-DM verbs; a payload is checked by building the OMA-DM commands it would become.
 */
@Component(service = PlatformPlugin.class, configurationPid = "io.mooring.platform.windows")
@Designate(ocd = WindowsConfig.class)
public final class WindowsPlatform implements PlatformPlugin, CommandSupport, DeviceLifecycle, io.mooring.spi.GroupSettings {
    static final PlatformId ID = new PlatformId("windows");
    static final List<String> DEVICE_PATHS = List.of("/EnrollmentServer", "/ManagementServer");

    private static final Logger LOG = LoggerFactory.getLogger(WindowsPlatform.class);
    private static final Set<CommandType> TYPES = WindowsCommands.TYPES.stream().map(CommandType::new).collect(Collectors.toUnmodifiableSet());

    private final WindowsCommands commands;

    @Activate
    public WindowsPlatform(WindowsConfig config) {
        this(config.provider_id());
    }

    WindowsPlatform(String providerId) {
        this.commands = new WindowsCommands(providerId);
    }

    @Override
    public PlatformId id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Windows (10, 11)";
    }

    @Override
    public List<String> devicePaths() {
        return DEVICE_PATHS;
    }

    @Override
    public Set<CommandType> commandTypes() {
        return TYPES;
    }

    @Override
    public void validate(CommandType type, Map<String, Object> payload) {
        commands.validate(type.name(), payload);
    }

    /** Core has revoked the PC's identity certificate; its next OMA-DM session is refused (403 on its SyncHdr). */
    @Override
    public void unenrolled(Device device) {
        LOG.info("Windows PC {} of tenant {} was unenrolled", device.id(), device.tenant());
    }

    @Override
    public Map<String, String> groupSettings() {
        return Map.of(GroupPollSchedules.NAME, "minutes between the polls of the group's PCs, 1 to " + GroupPollSchedules.MAX_MINUTES
                + " (a PC in several groups polls at the shortest); PCs get it as SetPollSchedule when they join or the value changes");
    }

    @Override
    public void checkGroupSetting(String name, String value) {
        if (name.equals(GroupPollSchedules.NAME)) {
            GroupPollSchedules.check(value);
        }
    }
}
