package io.mooring.api;

import java.util.Map;

/**
 * What the device answered. {@code NOT_NOW} (Apple's NotNow, a busy agent) returns the command to the
 * queue; {@code data} carries the result's structured content, {@code error} a device-reported message.
 */
public record CommandResult(Outcome outcome, Map<String, Object> data, String error) {
    public enum Outcome { ACKNOWLEDGED, ERROR, NOT_NOW }

    public CommandResult {
        if (outcome == null) {
            throw new ValidationException("status", "result status is required");
        }
        data = Payload.copyOf(data);
        if (error != null && error.length() > 4000) {
            error = error.substring(0, 4000);
        }
    }

    public static CommandResult acknowledged(Map<String, Object> data) {
        return new CommandResult(Outcome.ACKNOWLEDGED, data, null);
    }

    public static CommandResult error(String message, Map<String, Object> data) {
        return new CommandResult(Outcome.ERROR, data, message);
    }

    public static CommandResult notNow() {
        return new CommandResult(Outcome.NOT_NOW, Map.of(), null);
    }
}
