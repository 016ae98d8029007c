package io.mooring.rest.internal;

import java.io.IOException;
import java.io.InputStream;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import io.mooring.api.admin.Role;

/**
 * The API's OpenAPI 3 document, written with the resources ({@code src/build/openapi.py} produces it;
 * run it after changing the API). A test checks that every resource method is described and nothing else.
 */
@Path("openapi.json")
public final class OpenApiResource {
    private final byte[] document;

    OpenApiResource() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream("openapi.json")) {
            document = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the bundle lacks its openapi.json", e);
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(Role.AUDITOR)
    public byte[] get() {
        return document.clone();
    }
}
