package io.mooring.platform.apple.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceId;

/**
 * Whether a device can run a request type, by Apple's schema: its OS family (from the product it
 * reported at Authenticate) and whether it is supervised (from its last DeviceInformation). Unknown
 * facts do not refuse: a device that has not said what it is gets the command, and the device answers.
 */
final class DeviceFit {
    private final CommandSchema schema;
    private final DeviceAttributes attributes;

    DeviceFit(CommandSchema schema, DeviceAttributes attributes) {
        this.schema = schema;
        this.attributes = attributes;
    }

    /** Why the device cannot run the request type, or null. */
    String refusal(DeviceId device, String requestType) {
        return refusal(attributes.all(device, "apple."), requestType);
    }

    /** The same, from the device's Apple values already read. */
    String refusal(java.util.Map<String, byte[]> values, String requestType) {
        Optional<CommandSchema.Command> c = schema.command(requestType);
        Optional<String> os = text(values, AppleProtocol.ATTR_OS);
        if (c.isEmpty() || os.isEmpty()) {
            return null;
        }
        OsFamily family = OsFamily.valueOf(os.get());
        if (!c.get().supports(family)) {
            return requestType + " is not available on " + family.schemaName();
        }
        boolean supervised = text(values, AppleProtocol.ATTR_SUPERVISED).map("true"::equals).orElse(false);
        if (c.get().requiresSupervision(family) && !supervised) {
            return requestType + " needs a supervised device; this " + family.schemaName() + " device is not supervised";
        }
        return null;
    }

    private static Optional<String> text(java.util.Map<String, byte[]> values, String name) {
        return Optional.ofNullable(values.get(name)).map(b -> new String(b, StandardCharsets.UTF_8));
    }
}
