package io.mooring.api.admin;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

/** Admin accounts, API tokens and tenants. */
@ProviderType
public interface AccountService {
    Optional<AdminIdentity> authenticatePassword(String username, String password);

    Optional<AdminIdentity> authenticateToken(String bearerToken);

    AdminAccount createAccount(AdminIdentity creator, String username, String password, TenantId tenant, Role role);

    List<AdminAccount> listAccounts(AdminIdentity caller);

    ApiToken createToken(AdminIdentity owner, String name, Role role, Duration validFor);

    List<ApiToken> listTokens(AdminIdentity owner);

    void revokeToken(AdminIdentity owner, String tokenId);

    Tenant createTenant(AdminIdentity caller, TenantId id, String name);

    List<Tenant> listTenants(AdminIdentity caller);
}
