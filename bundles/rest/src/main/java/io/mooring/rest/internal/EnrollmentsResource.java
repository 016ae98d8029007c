package io.mooring.rest.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.ws.rs.Consumes;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.EnrollmentService;
import io.mooring.api.EnrollmentToken;
import io.mooring.api.PlatformId;
import io.mooring.api.PlatformRegistry;
import io.mooring.api.UnavailableException;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.Role;

/** Enrollment tokens: what an admin hands to devices (in a QR code, a profile, a provisioning payload). */
@Path("v1/enrollments")
@Produces(MediaType.APPLICATION_JSON)
public final class EnrollmentsResource {
    static final long DEFAULT_VALIDITY_SECONDS = 7 * 24 * 3600;

    private final EnrollmentService enrollment;
    private final PlatformRegistry platforms;

    EnrollmentsResource(EnrollmentService enrollment, PlatformRegistry platforms) {
        this.enrollment = enrollment;
        this.platforms = platforms;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OPERATOR)
    public Response create(@Context SecurityContext sc, Requests.EnrollmentRequestBody body) {
        if (body == null) {
            throw new ValidationException("body", "send the enrollment as a JSON object");
        }
        Params.require("platform", body.platform());
        PlatformId platform = new PlatformId(body.platform());
        if (platforms.installed().stream().noneMatch(p -> p.id().equals(platform))) {
            throw new UnavailableException("platform '" + platform + "' is not installed, so its devices cannot enroll");
        }
        Caller caller = Caller.of(sc);
        EnrollmentToken t = enrollment.issueToken(caller.tenant(), platform,
                Duration.ofSeconds(body.validForSeconds() == null ? DEFAULT_VALIDITY_SECONDS : body.validForSeconds()),
                body.maxUses() == null ? 1 : body.maxUses(), body.group() == null ? null : io.mooring.api.GroupId.parse(body.group()),
                caller.identity().actor());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", t.id());
        view.put("platform", platform.value());
        view.put("tenant", t.tenant().value());
        view.put("token", t.secret());
        view.put("expiresAt", t.expiresAt().toString());
        view.put("maxUses", t.maxUses());
        if (t.group() != null) {
            view.put("group", t.group().toString());
        }
        // platforms whose devices enroll by opening a link (Apple) say where, and give its QR code
        platforms.enrollmentLinks(platform, t.secret()).ifPresent(view::putAll);
        return Response.status(Response.Status.CREATED).entity(view).build();
    }
}
