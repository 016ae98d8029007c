package io.mooring.rest.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.AuditLog;
import io.mooring.api.admin.Role;
import io.mooring.api.pki.CertificateInventory;
import io.mooring.api.pki.ScepChallenge;
import io.mooring.api.pki.ScepChallenges;

/** SCEP challenges for enrolling by hand, and the certificates the CA issued. */
@Path("v1")
@Produces(MediaType.APPLICATION_JSON)
public final class PkiResource {
    static final long DEFAULT_CHALLENGE_SECONDS = 3600;

    private final ScepChallenges challenges;
    private final CertificateInventory certificates;
    private final AuditLog audit;

    PkiResource(ScepChallenges challenges, CertificateInventory certificates, AuditLog audit) {
        this.challenges = challenges;
        this.certificates = certificates;
        this.audit = audit;
    }

    @POST
    @Path("scep/challenges")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OPERATOR)
    public Response challenge(@Context SecurityContext sc, Requests.ChallengeRequestBody body) {
        Caller caller = Caller.of(sc);
        String purpose = body == null || body.purpose() == null ? "manual enrollment" : body.purpose();
        long seconds = body == null || body.validForSeconds() == null ? DEFAULT_CHALLENGE_SECONDS : body.validForSeconds();
        ScepChallenge c = challenges.issue(caller.tenant(), purpose, Duration.ofSeconds(seconds));
        audit.record(caller.tenant(), caller.identity().actor(), "scep.challenge_issued", null, purpose + ", until " + c.expiresAt());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("challenge", c.secret());
        view.put("expiresAt", c.expiresAt().toString());
        view.put("scepUrl", c.scepUrl());
        return Response.status(Response.Status.CREATED).entity(view).build();
    }

    @GET
    @Path("certificates")
    @Allowed(Role.AUDITOR)
    public Views.PageView<Views.CertificateView> certificates(@Context SecurityContext sc, @QueryParam("offset") Integer offset,
            @QueryParam("limit") Integer limit) {
        return Views.PageView.of(certificates.list(Caller.of(sc).tenant(), Params.page(offset, limit)), Views.CertificateView::of);
    }
}
