package io.mooring.persistence.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import javax.persistence.EntityManagerFactory;
import javax.persistence.LockModeType;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceState;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentToken;
import io.mooring.api.GroupId;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.api.store.EnrollmentStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

@Component(service = EnrollmentStore.class)
public final class JpaEnrollmentStore implements EnrollmentStore {
    private final Jpa jpa;

    @Activate
    public JpaEnrollmentStore(@Reference(target = "(osgi.unit.name=mooring)") EntityManagerFactory emf, @Reference MigratedDatabase database) {
        this(new Jpa(emf));
    }

    JpaEnrollmentStore(Jpa jpa) {
        this.jpa = jpa;
    }

    @Override
    public EnrollmentToken createToken(TenantId tenant, PlatformId platform, String secretHash, Instant expiresAt, int maxUses, GroupId group,
            String createdBy, Instant now) {
        EnrollmentTokenEntity e = new EnrollmentTokenEntity();
        e.id = UUID.randomUUID().toString();
        e.tenantId = tenant.value();
        e.platform = platform.value();
        e.secretHash = secretHash;
        e.expiresAt = expiresAt;
        e.maxUses = maxUses;
        e.uses = 0;
        e.groupId = group == null ? null : group.toString();
        e.createdBy = createdBy;
        e.createdAt = now;
        jpa.global(em -> {
            em.persist(e);
            return e;
        });
        return new EnrollmentToken(e.id, tenant, platform, expiresAt, maxUses, 0, null, group);
    }

    @Override
    public Device enroll(String tokenHash, PlatformId platform, DeviceDescription description, String credentialHash, Instant now) {
        // The token decides the tenant; the device is then created through that tenant's EntityManager in
        // the same transaction that spends the token, with the token row locked against a parallel use.
        TenantId tenant = jpa.global(em -> em.createQuery("SELECT t.tenantId FROM EnrollmentTokenEntity t WHERE t.secretHash = :h", String.class)
                .setParameter("h", tokenHash).getResultList().stream().findFirst())
                .map(TenantId::new)
                .orElseThrow(() -> new EnrollmentException("the enrollment token is not valid"));
        return jpa.inTenant(tenant, em -> {
            Optional<EnrollmentTokenEntity> found = em.createQuery("SELECT t FROM EnrollmentTokenEntity t WHERE t.secretHash = :h", EnrollmentTokenEntity.class)
                    .setParameter("h", tokenHash).setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList().stream().findFirst();
            EnrollmentTokenEntity token = found.orElseThrow(() -> new EnrollmentException("the enrollment token is not valid"));
            if (!token.platform.equals(platform.value())) {
                throw new EnrollmentException("the enrollment token is for another platform");
            }
            if (!token.expiresAt.isAfter(now)) {
                throw new EnrollmentException("the enrollment token has expired");
            }
            if (token.uses >= token.maxUses) {
                throw new EnrollmentException("the enrollment token has been used up");
            }
            token.uses++;
            DeviceEntity d = new DeviceEntity();
            d.id = UUID.randomUUID().toString();
            d.platform = platform.value();
            d.state = DeviceState.ENROLLED.name();
            DeviceRows.describe(d, description);
            d.credentialHash = credentialHash;
            d.pushValid = false;
            d.enrolledAt = now;
            d.lastSeenAt = now;
            em.persist(d);
            d.tenantId = tenant.value();
            if (token.groupId != null) {
                // the device row first: the membership refers to it
                em.flush();
                em.createNativeQuery("INSERT INTO device_group_member (group_id, tenant_id, device_id, added_at) SELECT g.id, g.tenant_id, ?1, ?2 "
                        + "FROM device_group g WHERE g.id = ?3 AND g.tenant_id = ?4").setParameter(1, d.id).setParameter(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                        .setParameter(3, token.groupId).setParameter(4, tenant.value()).executeUpdate();
            }
            return DeviceRows.map(d);
        });
    }
}
