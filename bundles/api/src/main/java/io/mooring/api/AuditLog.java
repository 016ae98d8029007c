package io.mooring.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Who did what, when: admin actions and device state changes. Actions are dotted names such as
 * {@code device.enrolled}, {@code command.queued}; {@code target} names the record acted on.
 */
@ProviderType
public interface AuditLog {
    void record(TenantId tenant, Actor actor, String action, String target, String detail);

    Page<AuditEntry> list(TenantId tenant, AuditQuery query);
}
