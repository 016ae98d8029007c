package io.mooring.api.admin;

import io.mooring.api.Actor;
import io.mooring.api.TenantId;

/** An authenticated admin (by password) or script (by API token), scoped to one tenant. */
public record AdminIdentity(String username, TenantId tenant, Role role, String tokenName) {
    public Actor actor() {
        return tokenName == null ? new Actor(Actor.Kind.ADMIN, username) : new Actor(Actor.Kind.API_TOKEN, username + "/" + tokenName);
    }
}
