package io.mooring.rest.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.AuditLog;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.AccountService;
import io.mooring.api.admin.AdminIdentity;
import io.mooring.api.admin.Role;

/** The caller, API tokens, admin accounts and tenants. */
@Path("v1")
@Produces(MediaType.APPLICATION_JSON)
public final class AccountsResource {
    private final AccountService accounts;
    private final AuditLog audit;

    AccountsResource(AccountService accounts, AuditLog audit) {
        this.accounts = accounts;
        this.audit = audit;
    }

    @GET
    @Path("me")
    @Allowed(Role.AUDITOR)
    public Map<String, Object> me(@Context SecurityContext sc) {
        Caller c = Caller.of(sc);
        AdminIdentity who = c.identity();
        return who.tokenName() == null
                ? Map.of("username", who.username(), "tenant", c.tenant().value(), "role", who.role().name())
                : Map.of("username", who.username(), "tenant", c.tenant().value(), "role", who.role().name(), "token", who.tokenName());
    }

    @POST
    @Path("tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.AUDITOR)
    public Response createToken(@Context SecurityContext sc, Requests.TokenRequestBody body) {
        if (body == null) {
            throw new ValidationException("body", "send the token request as a JSON object");
        }
        AdminIdentity who = Caller.of(sc).identity();
        var token = accounts.createToken(who, body.name(), Params.role(body.role()),
                body.validForDays() == null ? null : Duration.ofDays(body.validForDays()));
        audit.record(who.tenant(), who.actor(), "token.created", token.id(), token.name() + " (" + token.role() + ")");
        return Response.status(Response.Status.CREATED).entity(Views.TokenView.of(token)).build();
    }

    @GET
    @Path("tokens")
    @Allowed(Role.AUDITOR)
    public List<Views.TokenView> tokens(@Context SecurityContext sc) {
        return accounts.listTokens(Caller.of(sc).identity()).stream().map(Views.TokenView::of).toList();
    }

    @DELETE
    @Path("tokens/{id}")
    @Allowed(Role.AUDITOR)
    public Response revokeToken(@Context SecurityContext sc, @PathParam("id") String id) {
        AdminIdentity who = Caller.of(sc).identity();
        accounts.revokeToken(who, id);
        audit.record(who.tenant(), who.actor(), "token.revoked", id, null);
        return Response.noContent().build();
    }

    @GET
    @Path("accounts")
    @Allowed(Role.ADMIN)
    public List<Views.AccountView> accounts(@Context SecurityContext sc) {
        return accounts.listAccounts(Caller.of(sc).identity()).stream().map(Views.AccountView::of).toList();
    }

    @POST
    @Path("accounts")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.ADMIN)
    public Response createAccount(@Context SecurityContext sc, Requests.AccountRequestBody body) {
        if (body == null) {
            throw new ValidationException("body", "send the account as a JSON object");
        }
        Caller c = Caller.of(sc);
        Params.require("role", body.role());
        TenantId tenant = body.tenant() == null ? c.tenant() : new TenantId(body.tenant());
        var account = accounts.createAccount(c.identity(), body.username(), body.password(), tenant, Params.role(body.role()));
        audit.record(tenant, c.identity().actor(), "account.created", account.username(), account.role().name());
        return Response.status(Response.Status.CREATED).entity(Views.AccountView.of(account)).build();
    }

    @GET
    @Path("tenants")
    @Allowed(Role.AUDITOR)
    public List<Views.TenantView> tenants(@Context SecurityContext sc) {
        return accounts.listTenants(Caller.of(sc).identity()).stream().map(Views.TenantView::of).toList();
    }

    @POST
    @Path("tenants")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.SYSTEM_ADMIN)
    public Response createTenant(@Context SecurityContext sc, Requests.TenantRequestBody body) {
        if (body == null) {
            throw new ValidationException("body", "send the tenant as a JSON object");
        }
        Params.require("id", body.id());
        AdminIdentity who = Caller.of(sc).identity();
        var tenant = accounts.createTenant(who, new TenantId(body.id()), body.name());
        audit.record(tenant.id(), who.actor(), "tenant.created", tenant.id().value(), tenant.name());
        return Response.status(Response.Status.CREATED).entity(Views.TenantView.of(tenant)).build();
    }
}
