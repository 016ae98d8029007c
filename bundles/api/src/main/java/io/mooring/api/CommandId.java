package io.mooring.api;

import java.util.UUID;

/** A command's identity; results are idempotent by it. */
public record CommandId(UUID value) {
    public CommandId {
        if (value == null) {
            throw new IllegalArgumentException("command id is required");
        }
    }

    public static CommandId random() {
        return new CommandId(UUID.randomUUID());
    }

    public static CommandId parse(String text) {
        return new CommandId(Uuids.parse("command id", text));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
