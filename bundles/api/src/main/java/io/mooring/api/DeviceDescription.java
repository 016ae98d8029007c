package io.mooring.api;

/**
 * What a device says about itself at enrollment or in an inventory report. Every field may be null when
 * the device did not report it; lengths are bounded so a device cannot bloat its record.
 */
public record DeviceDescription(String name, String model, String osVersion, String serialNumber, String hardwareId) {
    static final int MAX = 255;

    public DeviceDescription {
        name = bounded("name", name);
        model = bounded("model", model);
        osVersion = bounded("osVersion", osVersion);
        serialNumber = bounded("serialNumber", serialNumber);
        hardwareId = bounded("hardwareId", hardwareId);
    }

    public static final DeviceDescription EMPTY = new DeviceDescription(null, null, null, null, null);

    private static String bounded(String field, String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.length() > MAX) {
            throw new ValidationException(field, field + " is longer than " + MAX + " characters");
        }
        if (trimmed.chars().anyMatch(c -> c < 0x20)) {
            throw new ValidationException(field, field + " contains control characters");
        }
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** This description with the other one's non-null fields laid over it. */
    public DeviceDescription updatedBy(DeviceDescription newer) {
        return new DeviceDescription(
                newer.name != null ? newer.name : name,
                newer.model != null ? newer.model : model,
                newer.osVersion != null ? newer.osVersion : osVersion,
                newer.serialNumber != null ? newer.serialNumber : serialNumber,
                newer.hardwareId != null ? newer.hardwareId : hardwareId);
    }
}
