package io.mooring.rest.internal;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.AuditLog;
import io.mooring.api.AuditQuery;
import io.mooring.api.admin.Role;

@Path("v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public final class AuditResource {
    private final AuditLog audit;

    AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    @Allowed(Role.AUDITOR)
    public Views.PageView<Views.AuditView> list(@Context SecurityContext sc, @QueryParam("action") String action, @QueryParam("target") String target,
            @QueryParam("since") String since, @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        AuditQuery query = new AuditQuery(blankToNull(action), blankToNull(target), Params.instant("since", since), Params.page(offset, limit));
        return Views.PageView.of(audit.list(Caller.of(sc).tenant(), query), Views.AuditView::of);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
