package io.mooring.api;

/** The organization a record belongs to. A fresh install has exactly one, {@link #DEFAULT}. */
public record TenantId(String value) {
    public static final TenantId DEFAULT = new TenantId("default");

    public TenantId {
        Identifiers.slug("tenant", value);
    }

    @Override
    public String toString() {
        return value;
    }
}
