package io.mooring.rest.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
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
import io.mooring.api.ValidationException;
import io.mooring.api.admin.Role;
import io.mooring.api.pki.CertificateInventory;
import io.mooring.api.pki.PkiStatus;
import io.mooring.api.pki.PushCertificate;
import io.mooring.api.pki.PushCertificates;
import io.mooring.api.pki.ScepChallenge;
import io.mooring.api.pki.ScepChallenges;

/** SCEP challenges for enrolling by hand, the certificates the CA issued, and the tenant's APNs push certificates. */
@Path("v1")
@Produces(MediaType.APPLICATION_JSON)
public final class PkiResource {
    static final long DEFAULT_CHALLENGE_SECONDS = 3600;

    private final ScepChallenges challenges;
    private final CertificateInventory certificates;
    private final AuditLog audit;
    private final PushCertificates push;
    private final PkiStatus status;

    PkiResource(ScepChallenges challenges, CertificateInventory certificates, AuditLog audit, PushCertificates push, PkiStatus status) {
        this.status = status;
        this.challenges = challenges;
        this.certificates = certificates;
        this.audit = audit;
        this.push = push;
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

    @POST
    @Path("push-certificates")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.ADMIN)
    public Response uploadPushCertificate(@Context SecurityContext sc, Requests.PushCertificateRequestBody body) {
        if (body == null || (body.pkcs12() == null) == (body.pem() == null)) {
            throw new ValidationException("pkcs12", "send either 'pkcs12' (base64 of the .p12 file, with 'password') or 'pem' (certificate and key)");
        }
        byte[] upload;
        if (body.pkcs12() != null) {
            try {
                upload = Base64.getMimeDecoder().decode(body.pkcs12());
            } catch (IllegalArgumentException e) {
                throw new ValidationException("pkcs12", "'pkcs12' must be base64");
            }
        } else {
            upload = body.pem().getBytes(StandardCharsets.US_ASCII);
        }
        Caller caller = Caller.of(sc);
        PushCertificate cert = push.upload(caller.tenant(), upload, body.password(), caller.identity().actor());
        return Response.status(Response.Status.CREATED).entity(Views.PushCertificateView.of(cert, Instant.now())).build();
    }

    @GET
    @Path("push-certificates")
    @Allowed(Role.AUDITOR)
    public List<Views.PushCertificateView> pushCertificates(@Context SecurityContext sc) {
        Instant now = Instant.now();
        return push.list(Caller.of(sc).tenant()).stream().map(c -> Views.PushCertificateView.of(c, now)).toList();
    }

    @GET
    @Path("pki/status")
    @Allowed(Role.AUDITOR)
    public List<Map<String, Object>> status(@Context SecurityContext sc) {
        return status.expiries(Caller.of(sc).tenant()).stream().map(e -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("kind", e.kind());
            view.put("name", e.name());
            if (e.notAfter() != null) {
                view.put("notAfter", e.notAfter().toString());
                view.put("daysLeft", e.daysLeft());
            }
            if (e.warning() != null) {
                view.put("warning", e.warning());
            }
            return view;
        }).toList();
    }

    @GET
    @Path("certificates")
    @Allowed(Role.AUDITOR)
    public Views.PageView<Views.CertificateView> certificates(@Context SecurityContext sc, @QueryParam("offset") Integer offset,
            @QueryParam("limit") Integer limit) {
        return Views.PageView.of(certificates.list(Caller.of(sc).tenant(), Params.page(offset, limit)), Views.CertificateView::of);
    }
}
