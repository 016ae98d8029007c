package io.mooring.example.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mooring.api.CommandType;
import io.mooring.api.Device;
import io.mooring.api.PlatformId;
import io.mooring.spi.CommandSupport;
import io.mooring.spi.DeviceLifecycle;
import io.mooring.spi.PlatformPlugin;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example platform as core sees it. Registered only as {@link PlatformPlugin}: core discovers the
 * capability interfaces on the same object, so the plugin appears and disappears as one unit.
 */
@Component(service = PlatformPlugin.class)
public final class ExamplePlatform implements PlatformPlugin, CommandSupport, DeviceLifecycle {
    static final PlatformId ID = new PlatformId("example");
    static final String DEVICE_PATH = "/agent/example";

    private static final Logger LOG = LoggerFactory.getLogger(ExamplePlatform.class);

    @Override
    public PlatformId id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Example agent";
    }

    @Override
    public List<String> devicePaths() {
        return List.of(DEVICE_PATH);
    }

    @Override
    public Set<CommandType> commandTypes() {
        return ExampleCommands.types();
    }

    @Override
    public void validate(CommandType type, Map<String, Object> payload) {
        ExampleCommands.validate(type, payload);
    }

    /** Core has already revoked the device's credential; the example keeps nothing else per device. */
    @Override
    public void unenrolled(Device device) {
        LOG.info("Example device {} of tenant {} was unenrolled", device.id(), device.tenant());
    }
}
