package io.mooring.persistence.internal;

import java.util.Map;
import java.util.function.Function;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;

import io.mooring.api.TenantId;
import io.mooring.api.UnavailableException;

/**
 * Transactions over the persistence unit. A tenant's EntityManager carries the tenant as EclipseLink's
 * multitenancy context, so every query of a tenant-scoped entity is filtered by the data layer itself;
 * a global EntityManager cannot touch those entities at all.
 */
final class Jpa {
    static final String TENANT_PROPERTY = "mooring.tenant";

    private final EntityManagerFactory emf;

    Jpa(EntityManagerFactory emf) {
        this.emf = emf;
    }

    <T> T inTenant(TenantId tenant, Function<EntityManager, T> work) {
        return inTransaction(emf.createEntityManager(Map.of(TENANT_PROPERTY, tenant.value())), work);
    }

    <T> T global(Function<EntityManager, T> work) {
        return inTransaction(emf.createEntityManager(), work);
    }

    private static <T> T inTransaction(EntityManager em, Function<EntityManager, T> work) {
        try {
            em.getTransaction().begin();
            T result = work.apply(em);
            em.getTransaction().commit();
            return result;
        } catch (PersistenceException e) {
            throw new UnavailableException("the database did not complete the request", e);
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }
}
