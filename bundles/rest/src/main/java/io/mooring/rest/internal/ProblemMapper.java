package io.mooring.rest.internal;

import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.mooring.api.ConflictException;
import io.mooring.api.EnrollmentException;
import io.mooring.api.MooringException;
import io.mooring.api.NotFoundException;
import io.mooring.api.UnavailableException;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.ForbiddenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure of the admin API leaves as {@code application/problem+json} with a human sentence;
 * nothing unexpected leaks a stack trace (it is logged, and the caller gets a generic 500).
 */
final class ProblemMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        Throwable t = cause(e);
        if (t instanceof ValidationException v) {
            return Problem.response(400, "Bad Request", v.getMessage(), v.field());
        }
        if (t instanceof EnrollmentException) {
            return Problem.response(400, "Bad Request", t.getMessage(), null);
        }
        if (t instanceof NotFoundException) {
            return Problem.response(Response.Status.NOT_FOUND, t.getMessage());
        }
        if (t instanceof ConflictException) {
            return Problem.response(Response.Status.CONFLICT, t.getMessage());
        }
        if (t instanceof ForbiddenException) {
            return Problem.response(Response.Status.FORBIDDEN, t.getMessage());
        }
        if (t instanceof UnavailableException) {
            return Response.fromResponse(Problem.response(Response.Status.SERVICE_UNAVAILABLE, t.getMessage())).header("Retry-After", "5").build();
        }
        if (t instanceof BodyLimit.TooLarge) {
            return Problem.response(Response.Status.REQUEST_ENTITY_TOO_LARGE, t.getMessage());
        }
        if (t instanceof UnrecognizedPropertyException u) {
            return Problem.response(400, "Bad Request", "unknown field '" + u.getPropertyName() + "'", u.getPropertyName());
        }
        if (t instanceof MismatchedInputException m) {
            String field = m.getPath().isEmpty() ? null : m.getPath().get(m.getPath().size() - 1).getFieldName();
            return Problem.response(400, "Bad Request", field == null ? "the request body does not have the expected shape"
                    : "field '" + field + "' has the wrong type", field);
        }
        if (t instanceof JsonProcessingException) {
            return Problem.response(400, "Bad Request", "the request body is not valid JSON", null);
        }
        if (t instanceof WebApplicationException w) {
            Response.StatusType s = w.getResponse().getStatusInfo();
            return Problem.response(s.getStatusCode(), s.getReasonPhrase(), describe(s.getStatusCode()), null);
        }
        LOG.error("Unexpected failure in the admin API", e);
        return Problem.response(Response.Status.INTERNAL_SERVER_ERROR, "the server failed to handle the request; the error is in its log");
    }

    /** CXF and Jackson wrap the cause that matters (a too-large body or bad JSON met while reading the entity). */
    private static Throwable cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MooringException || t instanceof BodyLimit.TooLarge || t instanceof JsonProcessingException) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return e;
    }

    private static String describe(int status) {
        return switch (status) {
            case 404 -> "there is no such resource in the admin API; see /api/openapi.json";
            case 405 -> "this resource does not support that method";
            case 406 -> "the admin API answers in application/json";
            case 415 -> "send the request body as application/json";
            case 400 -> "the request is malformed";
            default -> "the request could not be handled";
        };
    }
}
