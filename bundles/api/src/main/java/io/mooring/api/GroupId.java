package io.mooring.api;

import java.util.UUID;

/** A device group's identity in Mooring. */
public record GroupId(UUID value) {
    public GroupId {
        if (value == null) {
            throw new IllegalArgumentException("group id is required");
        }
    }

    public static GroupId random() {
        return new GroupId(UUID.randomUUID());
    }

    /** Parses an id from user input; a malformed one is a {@link ValidationException}, not a crash. */
    public static GroupId parse(String text) {
        return new GroupId(Uuids.parse("group id", text));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
