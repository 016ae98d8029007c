package io.mooring.rest.internal;

import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem detail: what went wrong, in a sentence a human understands. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Problem(String type, String title, int status, String detail, String field) {
    static final MediaType PROBLEM_JSON = new MediaType("application", "problem+json");

    static Response response(Response.Status status, String detail) {
        return response(status.getStatusCode(), status.getReasonPhrase(), detail, null);
    }

    static Response response(int status, String title, String detail, String field) {
        return Response.status(status).type(PROBLEM_JSON).entity(new Problem("about:blank", title, status, detail, field)).build();
    }
}
