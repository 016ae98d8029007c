package io.mooring.api;

/** Who did something, as the audit log records it. */
public record Actor(Kind kind, String name) {
    public enum Kind { ADMIN, API_TOKEN, DEVICE, SYSTEM }

    public static final Actor SYSTEM = new Actor(Kind.SYSTEM, "system");

    public Actor {
        if (kind == null || name == null || name.isBlank()) {
            throw new IllegalArgumentException("an actor needs a kind and a name");
        }
    }

    public static Actor device(DeviceId id) {
        return new Actor(Kind.DEVICE, id.toString());
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
    }
}
