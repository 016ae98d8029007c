package io.mooring.core.internal;

import java.time.Clock;

import io.mooring.api.Actor;
import io.mooring.api.AuditEntry;
import io.mooring.api.AuditLog;
import io.mooring.api.AuditQuery;
import io.mooring.api.Page;
import io.mooring.api.TenantId;
import io.mooring.api.store.AuditStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

@Component(service = AuditLog.class)
public final class AuditLogImpl implements AuditLog {
    private final AuditStore store;
    private final Clock clock;

    @Activate
    public AuditLogImpl(@Reference AuditStore store) {
        this(store, Clock.systemUTC());
    }

    AuditLogImpl(AuditStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void record(TenantId tenant, Actor actor, String action, String target, String detail) {
        store.append(tenant, clock.instant(), actor, action, target, detail);
    }

    @Override
    public Page<AuditEntry> list(TenantId tenant, AuditQuery query) {
        return store.list(tenant, query);
    }
}
