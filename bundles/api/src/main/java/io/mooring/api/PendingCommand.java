package io.mooring.api;

import java.util.Map;

/** A command handed to a platform plugin to translate into its wire format; {@code attempt} counts from 1. */
public record PendingCommand(CommandId id, DeviceId device, CommandType type, Map<String, Object> payload, int attempt) {
}
