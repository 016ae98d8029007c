package io.mooring.api;

/** Names a device platform (e.g. {@code apple}, {@code android}, {@code windows}); plugins choose it. */
public record PlatformId(String value) {
    public PlatformId {
        Identifiers.slug("platform", value);
    }

    @Override
    public String toString() {
        return value;
    }
}
