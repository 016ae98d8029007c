package io.mooring.rest.internal;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;
import java.util.Optional;

import javax.annotation.Priority;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.ResourceInfo;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.AccountService;
import io.mooring.api.admin.AdminIdentity;
import io.mooring.api.admin.Role;

/**
 * No anonymous access: every request carries a password (HTTP Basic) or an API token (Bearer), and the
 * caller's role must include what the method is {@link Allowed} for. A system admin may act in another
 * tenant by naming it in {@code X-Mooring-Tenant}; anyone else is bound to their own.
 */
@Priority(Priorities.AUTHENTICATION)
final class ApiAuthentication implements ContainerRequestFilter {
    static final String TENANT_HEADER = "X-Mooring-Tenant";
    private static final String CHALLENGE = "Basic realm=\"Mooring\", Bearer realm=\"Mooring\"";

    private final AccountService accounts;

    @Context
    private ResourceInfo resourceInfo;

    ApiAuthentication(AccountService accounts) {
        this.accounts = accounts;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Optional<AdminIdentity> identity = authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (identity.isEmpty()) {
            Response r = Problem.response(Response.Status.UNAUTHORIZED, "sign in with a user name and password (Basic) or an API token (Bearer)");
            request.abortWith(Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE).build());
            return;
        }
        AdminIdentity who = identity.get();
        TenantId tenant = who.tenant();
        String requested = request.getHeaderString(TENANT_HEADER);
        if (requested != null && !requested.equals(tenant.value())) {
            if (who.role() != Role.SYSTEM_ADMIN) {
                request.abortWith(Problem.response(Response.Status.FORBIDDEN, "only system admins act in another tenant"));
                return;
            }
            try {
                tenant = new TenantId(requested);
            } catch (ValidationException e) {
                request.abortWith(Problem.response(400, "Bad Request", e.getMessage(), TENANT_HEADER));
                return;
            }
            TenantId wanted = tenant;
            if (accounts.listTenants(who).stream().noneMatch(t -> t.id().equals(wanted))) {
                request.abortWith(Problem.response(Response.Status.NOT_FOUND, "there is no tenant '" + requested + "'"));
                return;
            }
        }
        Method method = resourceInfo == null ? null : resourceInfo.getResourceMethod();
        Allowed allowed = method == null ? null : method.getAnnotation(Allowed.class);
        Role needed = allowed == null ? Role.SYSTEM_ADMIN : allowed.value();
        if (!who.role().includes(needed)) {
            request.abortWith(Problem.response(Response.Status.FORBIDDEN,
                    "this needs the " + needed.name().toLowerCase() + " role; you are " + who.role().name().toLowerCase()));
            return;
        }
        Caller caller = new Caller(who, tenant);
        boolean secure = request.getSecurityContext() != null && request.getSecurityContext().isSecure();
        request.setSecurityContext(new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return caller;
            }

            @Override
            public boolean isUserInRole(String role) {
                return who.role().includes(Role.valueOf(role));
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return who.tokenName() == null ? SecurityContext.BASIC_AUTH : "Bearer";
            }
        });
    }

    private Optional<AdminIdentity> authenticate(String header) {
        if (header == null) {
            return Optional.empty();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return accounts.authenticateToken(header.substring(7).strip());
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : accounts.authenticatePassword(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        return Optional.empty();
    }
}
