package io.mooring.persistence.internal;

import java.time.Instant;
import java.util.List;

import javax.persistence.EntityManagerFactory;
import javax.persistence.TypedQuery;

import io.mooring.api.Actor;
import io.mooring.api.AuditEntry;
import io.mooring.api.AuditQuery;
import io.mooring.api.Page;
import io.mooring.api.TenantId;
import io.mooring.api.store.AuditStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

@Component(service = AuditStore.class)
public final class JpaAuditStore implements AuditStore {
    private final Jpa jpa;

    @Activate
    public JpaAuditStore(@Reference(target = "(osgi.unit.name=mooring)") EntityManagerFactory emf, @Reference MigratedDatabase database) {
        this(new Jpa(emf));
    }

    JpaAuditStore(Jpa jpa) {
        this.jpa = jpa;
    }

    @Override
    public void append(TenantId tenant, Instant at, Actor actor, String action, String target, String detail) {
        AuditEntity e = new AuditEntity();
        e.at = at;
        e.actorKind = actor.kind().name();
        e.actorName = cut(actor.name(), 255);
        e.action = cut(action, 64);
        e.target = cut(target, 255);
        e.detail = cut(detail, 4000);
        jpa.inTenant(tenant, em -> {
            em.persist(e);
            return e;
        });
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    @Override
    public Page<AuditEntry> list(TenantId tenant, AuditQuery query) {
        return jpa.inTenant(tenant, em -> {
            StringBuilder where = new StringBuilder(" WHERE 1 = 1");
            if (query.action() != null) {
                where.append(" AND a.action = :action");
            }
            if (query.target() != null) {
                where.append(" AND a.target = :target");
            }
            if (query.since() != null) {
                where.append(" AND a.at >= :since");
            }
            TypedQuery<AuditEntity> items = em.createQuery("SELECT a FROM AuditEntity a" + where + " ORDER BY a.at DESC, a.id DESC", AuditEntity.class);
            TypedQuery<Long> count = em.createQuery("SELECT COUNT(a) FROM AuditEntity a" + where, Long.class);
            for (TypedQuery<?> q : List.of(items, count)) {
                if (query.action() != null) {
                    q.setParameter("action", query.action());
                }
                if (query.target() != null) {
                    q.setParameter("target", query.target());
                }
                if (query.since() != null) {
                    q.setParameter("since", query.since());
                }
            }
            List<AuditEntry> entries = items.setFirstResult(query.page().offset()).setMaxResults(query.page().limit()).getResultList().stream()
                    .map(a -> new AuditEntry(a.id, new TenantId(a.tenantId), a.at, new Actor(Actor.Kind.valueOf(a.actorKind), a.actorName),
                            a.action, a.target, a.detail))
                    .toList();
            return new Page<>(entries, count.getSingleResult(), query.page().offset(), query.page().limit());
        });
    }
}
