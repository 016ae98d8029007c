package io.mooring.platform.apple.internal;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.mooring.api.CommandType;
import io.mooring.api.Device;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceId;
import io.mooring.api.PlatformId;
import io.mooring.api.ValidationException;
import io.mooring.spi.CommandSupport;
import io.mooring.spi.DeviceLifecycle;
import io.mooring.spi.EnrollmentLinks;
import io.mooring.spi.PlatformPlugin;
import io.mooring.spi.TargetCheck;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apple devices (iOS, iPadOS, macOS, and the others Apple's MDM protocol reaches) as core sees them. The
 * command types are Apple's request types, every one of Apple's schema; a payload is checked against the
 * schema's key names, types, required keys and allowed values before it is queued.
 */
@Component(service = PlatformPlugin.class, configurationPid = "io.mooring.platform.apple")
public final class ApplePlatform implements PlatformPlugin, CommandSupport, DeviceLifecycle, EnrollmentLinks, TargetCheck {
    static final PlatformId ID = new PlatformId("apple");
    static final String DEVICE_PATH = "/mdm/apple";
    static final String CLEAR_PASSCODE = "ClearPasscode";

    private static final Logger LOG = LoggerFactory.getLogger(ApplePlatform.class);

    private final CommandSchema schema = CommandSchema.load();
    private final String serverUrl;

    private final DeviceFit fit;

    @Activate
    public ApplePlatform(@Reference DeviceAttributes attributes, MdmServlet.Config config) {
        this.fit = new DeviceFit(schema, attributes);
        this.serverUrl = config.server_url();
    }
    private final Set<CommandType> types = schema.requestTypes().stream().map(CommandType::new).collect(Collectors.toUnmodifiableSet());

    @Override
    public PlatformId id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Apple (iOS, iPadOS, macOS)";
    }

    @Override
    public List<String> devicePaths() {
        return List.of(DEVICE_PATH);
    }

    @Override
    public Set<CommandType> commandTypes() {
        return types;
    }

    @Override
    public void validate(CommandType type, Map<String, Object> payload) {
        // keys Mooring fills in itself when the admin leaves them out
        Map<String, Object> checked = payload == null ? new java.util.HashMap<>() : new java.util.HashMap<>(payload);
        if (CLEAR_PASSCODE.equals(type.name())) {
            checked.putIfAbsent("UnlockToken", "AA==");
        } else if ("DeviceInformation".equals(type.name())) {
            checked.putIfAbsent("Queries", AppleCommands.DEFAULT_QUERIES);
        }
        schema.validate(type.name(), checked);
    }

    @Override
    public void checkTarget(DeviceId device, CommandType type, Map<String, Object> payload) {
        String refusal = fit.refusal(device, type.name());
        if (refusal != null) {
            throw new ValidationException("devices", "device " + device + ": " + refusal + "; nothing was queued");
        }
    }

    /** The profile download, and its QR code for a phone's camera. */
    @Override
    public Optional<Links> linksFor(String tokenSecret) {
        String enroll = EnrollmentProfile.enrollmentUrl(serverUrl, tokenSecret);
        return Optional.of(new Links(URI.create(enroll), URI.create(enroll + "/qr.png")));
    }

    /** Core has revoked the device's identity certificate; the device learns it on its next check-in (401). */
    @Override
    public void unenrolled(Device device) {
        LOG.info("Apple device {} of tenant {} was unenrolled", device.id(), device.tenant());
    }
}
