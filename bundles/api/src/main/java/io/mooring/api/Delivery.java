package io.mooring.api;

import java.time.Instant;

/** One command on one device, as its history shows it. {@code result} is null until the device answered. */
public record Delivery(
        CommandId command,
        DeviceId device,
        CommandType type,
        DeliveryState state,
        int attempts,
        Instant queuedAt,
        Instant sentAt,
        Instant completedAt,
        CommandResult result) {
}
