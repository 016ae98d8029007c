package io.mooring.api;

import java.util.UUID;

/** A device's identity in Mooring; globally unique, so device-facing calls need no tenant. */
public record DeviceId(UUID value) {
    public DeviceId {
        if (value == null) {
            throw new IllegalArgumentException("device id is required");
        }
    }

    public static DeviceId random() {
        return new DeviceId(UUID.randomUUID());
    }

    /** Parses an id from user input; a malformed one is a {@link ValidationException}, not a crash. */
    public static DeviceId parse(String text) {
        return new DeviceId(Uuids.parse("device id", text));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
