package io.mooring.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.mooring.api.TenantId;
import io.mooring.api.admin.AdminAccount;
import io.mooring.api.admin.ApiToken;
import io.mooring.api.admin.Role;
import io.mooring.api.admin.Tenant;
import org.osgi.annotation.versioning.ProviderType;

@ProviderType
public interface AccountStore {
    record StoredAccount(AdminAccount account, String passwordHash) {
    }

    record StoredToken(ApiToken token, boolean revoked) {
    }

    Optional<StoredAccount> findAccount(String username);

    long countAccounts();

    AdminAccount createAccount(String username, TenantId tenant, Role role, String passwordHash, Instant now);

    List<AdminAccount> listAccounts(TenantId tenantOrNull);

    ApiToken createToken(String id, String owner, TenantId tenant, String name, Role role, String secretHash, Instant now, Instant expiresAt);

    Optional<StoredToken> findTokenByHash(String secretHash);

    List<ApiToken> listTokens(String owner);

    boolean revokeToken(String owner, String tokenId);

    Optional<Tenant> findTenant(TenantId id);

    Tenant createTenant(TenantId id, String name, Instant now);

    List<Tenant> listTenants();
}
