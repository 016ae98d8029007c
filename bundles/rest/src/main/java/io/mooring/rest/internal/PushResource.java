package io.mooring.rest.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.PushStatus;
import io.mooring.api.admin.Role;

/** The push providers and what keeps them from reaching the tenant's devices (an expired push certificate, say). */
@Path("v1/push")
@Produces(MediaType.APPLICATION_JSON)
public final class PushResource {
    private final PushStatus push;

    PushResource(PushStatus push) {
        this.push = push;
    }

    @GET
    @Path("status")
    @Allowed(Role.AUDITOR)
    public List<Map<String, Object>> status(@Context SecurityContext sc) {
        return push.providers(Caller.of(sc).tenant()).stream().map(p -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("provider", p.name());
            view.put("problems", p.problems().stream().map(x -> {
                Map<String, Object> problem = new LinkedHashMap<>();
                problem.put("subject", x.subject());
                problem.put("message", x.message());
                if (x.since() != null) {
                    problem.put("since", x.since().toString());
                }
                return problem;
            }).toList());
            return view;
        }).toList();
    }
}
