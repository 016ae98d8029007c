package io.mooring.api.store;

import java.time.Instant;

import io.mooring.api.Actor;
import io.mooring.api.AuditEntry;
import io.mooring.api.AuditQuery;
import io.mooring.api.Page;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

@ProviderType
public interface AuditStore {
    void append(TenantId tenant, Instant at, Actor actor, String action, String target, String detail);

    Page<AuditEntry> list(TenantId tenant, AuditQuery query);
}
