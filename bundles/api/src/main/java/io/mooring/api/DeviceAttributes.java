package io.mooring.api;

import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Small values a platform plugin keeps per device, beside the device record: what its protocol hands
 * over once and needs later (Apple's UnlockToken and escrowed bootstrap token, the serial of the
 * certificate a device proves itself with). Names are the plugin's own ({@code apple.unlock-token});
 * values are at most 16 KiB. Device plane: keyed by the globally unique device id. Unenrolling a
 * device does not remove them; deleting the device record does.
 */
@ProviderType
public interface DeviceAttributes {
    int MAX_VALUE = 16 * 1024;

    /** Sets ({@code value} non-null) or removes ({@code value} null) one value. */
    void put(DeviceId device, String name, byte[] value);

    Optional<byte[]> get(DeviceId device, String name);

    /** Every value of the device whose name starts with {@code prefix}. */
    Map<String, byte[]> all(DeviceId device, String prefix);

    /** A device as a plugin reads it on each message: its record and its values under one prefix. */
    record Snapshot(Device device, Map<String, byte[]> values) {
        public Snapshot {
            values = Map.copyOf(values);
        }
    }

    /**
     * Device plane: the device with this id (whatever its tenant) and its values whose names start with
     * {@code prefix}, read together in one round trip to the database; empty when there is no such device.
     * What a device endpoint calls first on every message.
     */
    Optional<Snapshot> snapshot(DeviceId device, String prefix);
}
