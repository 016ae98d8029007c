package io.mooring.rest.internal;

import java.security.Principal;

import javax.ws.rs.core.SecurityContext;

import io.mooring.api.TenantId;
import io.mooring.api.admin.AdminIdentity;

/** The authenticated caller of a request, and the tenant it acts in. */
record Caller(AdminIdentity identity, TenantId tenant) implements Principal {
    @Override
    public String getName() {
        return identity.username();
    }

    static Caller of(SecurityContext context) {
        return (Caller) context.getUserPrincipal();
    }
}
