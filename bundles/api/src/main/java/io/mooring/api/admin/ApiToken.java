package io.mooring.api.admin;

import java.time.Instant;

import io.mooring.api.TenantId;

/**
 * A bearer token for scripts, acting as its owner with at most the owner's role. {@code secret} is only
 * present when the token is created; Mooring keeps only its hash.
 */
public record ApiToken(String id, String name, String owner, TenantId tenant, Role role, Instant createdAt, Instant expiresAt, String secret) {
}
