package io.mooring.api.admin;

import java.time.Instant;

import io.mooring.api.TenantId;

/** A person who signs in to the admin API. Passwords are stored as salted PBKDF2 hashes only. */
public record AdminAccount(String username, TenantId tenant, Role role, Instant createdAt, boolean enabled) {
}
