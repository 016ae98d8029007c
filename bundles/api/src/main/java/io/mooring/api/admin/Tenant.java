package io.mooring.api.admin;

import java.time.Instant;

import io.mooring.api.TenantId;

/** An organization whose devices, admins and settings are kept apart from every other's. */
public record Tenant(TenantId id, String name, Instant createdAt) {
}
