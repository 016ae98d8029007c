package io.mooring.api;

import java.util.List;
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

    /**
     * A device as a plugin reads it on each message: its record, its values under one prefix and, when asked
     * for, its oldest open commands (queued, or handed out and not yet answered) as they stand: read, not
     * handed out (see {@link CommandService#exchange(DeviceId, Map, List, Map)}).
     */
    record Snapshot(Device device, Map<String, byte[]> values, List<PendingCommand> open) {
        public Snapshot {
            values = Map.copyOf(values);
            open = List.copyOf(open);
        }

        public Snapshot(Device device, Map<String, byte[]> values) {
            this(device, values, List.of());
        }
    }

    /**
     * Device plane: the device with this id (whatever its tenant) and its values whose names start with
     * {@code prefix}, read together in one round trip to the database; empty when there is no such device.
     * What a device endpoint calls first on every message.
     */
    Optional<Snapshot> snapshot(DeviceId device, String prefix);

    /**
     * Device plane: {@link #snapshot(DeviceId, String)} with up to {@code open} of the device's open
     * commands, oldest first, leaving out expired ones, in the same round trip; each with the attempt it
     * would be if handed out now. For a platform that picks the commands for its reply before recording
     * anything, then records answers, hand-out and its state in one {@code exchange}.
     */
    default Optional<Snapshot> snapshot(DeviceId device, String prefix, int open) {
        return snapshot(device, prefix);
    }
}
