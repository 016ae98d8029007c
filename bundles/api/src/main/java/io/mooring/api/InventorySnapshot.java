package io.mooring.api;

import java.time.Instant;
import java.util.Map;

/**
 * What a device reported about itself at one moment. {@code summary} holds the facts every platform has
 * (model, OS version, serial) and updates the device record; {@code facts} holds the platform's full report.
 */
public record InventorySnapshot(Instant reportedAt, DeviceDescription summary, Map<String, Object> facts) {
    public InventorySnapshot {
        if (reportedAt == null) {
            throw new ValidationException("reportedAt", "inventory needs the time it was taken");
        }
        summary = summary == null ? DeviceDescription.EMPTY : summary;
        facts = Payload.copyOf(facts);
    }
}
