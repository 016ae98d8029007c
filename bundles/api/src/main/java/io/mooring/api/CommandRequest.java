package io.mooring.api;

import java.time.Instant;
import java.util.Map;

/** What an admin asks for. {@code expiresAt} null means the command waits until delivered or cancelled. */
public record CommandRequest(CommandType type, Map<String, Object> payload, CommandTarget target, Instant expiresAt) {
    public CommandRequest {
        if (type == null) {
            throw new ValidationException("type", "command type is required");
        }
        if (target == null) {
            throw new ValidationException("target", "say which devices or which platform the command goes to");
        }
        payload = Payload.copyOf(payload);
    }
}
