package io.mooring.api.admin;

/**
 * What an admin may do. {@code SYSTEM_ADMIN} manages tenants and acts in any tenant; {@code ADMIN} does
 * everything within its tenant; {@code OPERATOR} manages devices and commands; {@code AUDITOR} reads.
 */
public enum Role {
    SYSTEM_ADMIN, ADMIN, OPERATOR, AUDITOR;

    /** Whether this role includes everything {@code other} may do. */
    public boolean includes(Role other) {
        return ordinal() <= other.ordinal();
    }
}
