package io.mooring.core.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.mooring.api.ConflictException;
import io.mooring.api.NotFoundException;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.AccountService;
import io.mooring.api.admin.AdminAccount;
import io.mooring.api.admin.AdminIdentity;
import io.mooring.api.admin.ApiToken;
import io.mooring.api.admin.ForbiddenException;
import io.mooring.api.admin.Role;
import io.mooring.api.admin.Tenant;
import io.mooring.api.store.AccountStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Admin accounts and API tokens. Passwords are checked with PBKDF2, which is deliberately slow; since
 * scripts send Basic credentials on every request, a verified password is remembered (as a digest, for
 * five minutes) so only the first request of a burst pays for it.
 */
@Component(service = {AccountService.class, AccountServiceImpl.class})
public final class AccountServiceImpl implements AccountService {
    static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{3,100}");
    static final int MIN_PASSWORD = 12;
    static final int MAX_PASSWORD = 200;
    static final Duration DEFAULT_TOKEN_VALIDITY = Duration.ofDays(90);
    static final Duration MAX_TOKEN_VALIDITY = Duration.ofDays(730);
    private static final Duration VERIFIED_CACHE = Duration.ofMinutes(5);
    private static final String DUMMY_HASH = PasswordHashing.hash("not-a-real-password");

    private record Verified(String passwordDigest, String storedHash, Instant until) {
    }

    private final AccountStore store;
    private final Clock clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    @Activate
    public AccountServiceImpl(@Reference AccountStore store) {
        this(store, Clock.systemUTC());
    }

    AccountServiceImpl(AccountStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public Optional<AdminIdentity> authenticatePassword(String username, String password) {
        if (username == null || password == null || !USERNAME.matcher(username).matches() || password.length() > MAX_PASSWORD) {
            return Optional.empty();
        }
        Optional<AccountStore.StoredAccount> found = store.findAccount(username);
        if (found.isEmpty() || !found.get().account().enabled()) {
            PasswordHashing.verify(password, DUMMY_HASH); // same cost as a real check: no user enumeration by timing
            return Optional.empty();
        }
        AccountStore.StoredAccount account = found.get();
        String digest = Secrets.digest(username + "\0" + password);
        Instant now = clock.instant();
        Verified cached = verified.get(username);
        boolean ok = cached != null && cached.until().isAfter(now) && cached.storedHash().equals(account.passwordHash())
                && java.security.MessageDigest.isEqual(cached.passwordDigest().getBytes(), digest.getBytes());
        if (!ok) {
            ok = PasswordHashing.verify(password, account.passwordHash());
            if (ok) {
                verified.put(username, new Verified(digest, account.passwordHash(), now.plus(VERIFIED_CACHE)));
            }
        }
        AdminAccount a = account.account();
        return ok ? Optional.of(new AdminIdentity(a.username(), a.tenant(), a.role(), null)) : Optional.empty();
    }

    @Override
    public Optional<AdminIdentity> authenticateToken(String bearerToken) {
        if (bearerToken == null || bearerToken.length() > 200) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return store.findTokenByHash(Secrets.digest(bearerToken))
                .filter(t -> !t.revoked())
                .map(AccountStore.StoredToken::token)
                .filter(t -> t.expiresAt() == null || t.expiresAt().isAfter(now))
                .filter(t -> store.findAccount(t.owner()).map(a -> a.account().enabled()).orElse(false))
                .map(t -> new AdminIdentity(t.owner(), t.tenant(), t.role(), t.name()));
    }

    @Override
    public AdminAccount createAccount(AdminIdentity creator, String username, String password, TenantId tenant, Role role) {
        if (creator.role() != Role.SYSTEM_ADMIN) {
            if (creator.role() != Role.ADMIN) {
                throw new ForbiddenException("only admins create accounts");
            }
            if (!creator.tenant().equals(tenant) || role == Role.SYSTEM_ADMIN) {
                throw new ForbiddenException("an admin creates accounts in its own tenant, with at most the admin role");
            }
        }
        return createAccount(username, password, tenant, role);
    }

    /** Creates an account without a creator: the first admin of a fresh install. */
    AdminAccount createAccount(String username, String password, TenantId tenant, Role role) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new ValidationException("username", "user names are 3 to 100 letters, digits, '.', '_', '@' or '-'");
        }
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw new ValidationException("password", "passwords are " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters long");
        }
        if (role == null) {
            throw new ValidationException("role", "role is required");
        }
        store.findTenant(tenant).orElseThrow(() -> new NotFoundException("no tenant " + tenant));
        if (store.findAccount(username).isPresent()) {
            throw new ConflictException("an account named " + username + " already exists");
        }
        return store.createAccount(username, tenant, role, PasswordHashing.hash(password), clock.instant());
    }

    long countAccounts() {
        return store.countAccounts();
    }

    @Override
    public List<AdminAccount> listAccounts(AdminIdentity caller) {
        return switch (caller.role()) {
            case SYSTEM_ADMIN -> store.listAccounts(null);
            case ADMIN -> store.listAccounts(caller.tenant());
            default -> throw new ForbiddenException("only admins list accounts");
        };
    }

    @Override
    public ApiToken createToken(AdminIdentity owner, String name, Role role, Duration validFor) {
        if (owner.tokenName() != null) {
            throw new ForbiddenException("API tokens cannot create further tokens; sign in with a password");
        }
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new ValidationException("name", "a token needs a name of at most 100 characters");
        }
        Role granted = role == null ? owner.role() : role;
        if (!owner.role().includes(granted)) {
            throw new ForbiddenException("a token cannot have more rights than its owner (" + owner.role() + ")");
        }
        Duration validity = validFor == null ? DEFAULT_TOKEN_VALIDITY : validFor;
        if (validity.isNegative() || validity.isZero() || validity.compareTo(MAX_TOKEN_VALIDITY) > 0) {
            throw new ValidationException("validForDays", "a token is valid for at most " + MAX_TOKEN_VALIDITY.toDays() + " days");
        }
        String secret = Secrets.newSecret("mrt_");
        Instant now = clock.instant();
        ApiToken stored = store.createToken(UUID.randomUUID().toString(), owner.username(), owner.tenant(), name.strip(), granted,
                Secrets.digest(secret), now, now.plus(validity));
        return new ApiToken(stored.id(), stored.name(), stored.owner(), stored.tenant(), stored.role(), stored.createdAt(), stored.expiresAt(), secret);
    }

    @Override
    public List<ApiToken> listTokens(AdminIdentity owner) {
        return store.listTokens(owner.username());
    }

    @Override
    public void revokeToken(AdminIdentity owner, String tokenId) {
        if (!store.revokeToken(owner.username(), tokenId)) {
            throw new NotFoundException("no active token " + tokenId);
        }
    }

    @Override
    public Tenant createTenant(AdminIdentity caller, TenantId id, String name) {
        if (caller.role() != Role.SYSTEM_ADMIN) {
            throw new ForbiddenException("only system admins create tenants");
        }
        if (name == null || name.isBlank() || name.length() > 255) {
            throw new ValidationException("name", "a tenant needs a name of at most 255 characters");
        }
        if (store.findTenant(id).isPresent()) {
            throw new ConflictException("tenant " + id + " already exists");
        }
        return store.createTenant(id, name.strip(), clock.instant());
    }

    @Override
    public List<Tenant> listTenants(AdminIdentity caller) {
        if (caller.role() == Role.SYSTEM_ADMIN) {
            return store.listTenants();
        }
        return store.findTenant(caller.tenant()).map(List::of).orElse(List.of());
    }
}
