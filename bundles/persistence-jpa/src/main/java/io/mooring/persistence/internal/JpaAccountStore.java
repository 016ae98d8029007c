package io.mooring.persistence.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.persistence.EntityManagerFactory;

import io.mooring.api.TenantId;
import io.mooring.api.admin.AdminAccount;
import io.mooring.api.admin.ApiToken;
import io.mooring.api.admin.Role;
import io.mooring.api.admin.Tenant;
import io.mooring.api.store.AccountStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

@Component(service = AccountStore.class)
public final class JpaAccountStore implements AccountStore {
    private final Jpa jpa;

    @Activate
    public JpaAccountStore(@Reference(target = "(osgi.unit.name=mooring)") EntityManagerFactory emf, @Reference MigratedDatabase database) {
        this(new Jpa(emf));
    }

    JpaAccountStore(Jpa jpa) {
        this.jpa = jpa;
    }

    @Override
    public Optional<StoredAccount> findAccount(String username) {
        return jpa.global(em -> Optional.ofNullable(em.find(AccountEntity.class, username)).map(a -> new StoredAccount(account(a), a.passwordHash)));
    }

    @Override
    public long countAccounts() {
        return jpa.global(em -> em.createQuery("SELECT COUNT(a) FROM AccountEntity a", Long.class).getSingleResult());
    }

    @Override
    public AdminAccount createAccount(String username, TenantId tenant, Role role, String passwordHash, Instant now) {
        AccountEntity a = new AccountEntity();
        a.username = username;
        a.tenantId = tenant.value();
        a.role = role.name();
        a.passwordHash = passwordHash;
        a.enabled = true;
        a.createdAt = now;
        return jpa.global(em -> {
            em.persist(a);
            return account(a);
        });
    }

    @Override
    public List<AdminAccount> listAccounts(TenantId tenantOrNull) {
        return jpa.global(em -> (tenantOrNull == null
                ? em.createQuery("SELECT a FROM AccountEntity a ORDER BY a.username", AccountEntity.class)
                : em.createQuery("SELECT a FROM AccountEntity a WHERE a.tenantId = :t ORDER BY a.username", AccountEntity.class)
                        .setParameter("t", tenantOrNull.value()))
                .getResultList().stream().map(JpaAccountStore::account).toList());
    }

    private static AdminAccount account(AccountEntity a) {
        return new AdminAccount(a.username, new TenantId(a.tenantId), Role.valueOf(a.role), a.createdAt, a.enabled);
    }

    @Override
    public ApiToken createToken(String id, String owner, TenantId tenant, String name, Role role, String secretHash, Instant now, Instant expiresAt) {
        ApiTokenEntity t = new ApiTokenEntity();
        t.id = id;
        t.owner = owner;
        t.tenantId = tenant.value();
        t.name = name;
        t.role = role.name();
        t.secretHash = secretHash;
        t.createdAt = now;
        t.expiresAt = expiresAt;
        t.revoked = false;
        return jpa.global(em -> {
            em.persist(t);
            return token(t);
        });
    }

    @Override
    public Optional<StoredToken> findTokenByHash(String secretHash) {
        return jpa.global(em -> em.createQuery("SELECT t FROM ApiTokenEntity t WHERE t.secretHash = :h", ApiTokenEntity.class)
                .setParameter("h", secretHash).getResultList().stream().findFirst().map(t -> new StoredToken(token(t), t.revoked)));
    }

    @Override
    public List<ApiToken> listTokens(String owner) {
        return jpa.global(em -> em.createQuery("SELECT t FROM ApiTokenEntity t WHERE t.owner = :o AND t.revoked = FALSE ORDER BY t.createdAt",
                ApiTokenEntity.class).setParameter("o", owner).getResultList().stream().map(JpaAccountStore::token).toList());
    }

    @Override
    public boolean revokeToken(String owner, String tokenId) {
        return jpa.global(em -> em.createQuery("UPDATE ApiTokenEntity t SET t.revoked = TRUE WHERE t.owner = :o AND t.id = :id AND t.revoked = FALSE")
                .setParameter("o", owner).setParameter("id", tokenId).executeUpdate() == 1);
    }

    private static ApiToken token(ApiTokenEntity t) {
        return new ApiToken(t.id, t.name, t.owner, new TenantId(t.tenantId), Role.valueOf(t.role), t.createdAt, t.expiresAt, null);
    }

    @Override
    public Optional<Tenant> findTenant(TenantId id) {
        return jpa.global(em -> Optional.ofNullable(em.find(TenantEntity.class, id.value())).map(JpaAccountStore::tenant));
    }

    @Override
    public Tenant createTenant(TenantId id, String name, Instant now) {
        TenantEntity t = new TenantEntity();
        t.id = id.value();
        t.name = name;
        t.createdAt = now;
        return jpa.global(em -> {
            em.persist(t);
            return tenant(t);
        });
    }

    @Override
    public List<Tenant> listTenants() {
        return jpa.global(em -> em.createQuery("SELECT t FROM TenantEntity t ORDER BY t.id", TenantEntity.class).getResultList().stream()
                .map(JpaAccountStore::tenant).toList());
    }

    private static Tenant tenant(TenantEntity t) {
        return new Tenant(new TenantId(t.id), t.name, t.createdAt);
    }
}
