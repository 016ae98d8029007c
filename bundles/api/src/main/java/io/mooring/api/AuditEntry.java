package io.mooring.api;

import java.time.Instant;

/** One line of the audit log: who did what to which record, when. */
public record AuditEntry(long id, TenantId tenant, Instant at, Actor actor, String action, String target, String detail) {
}
