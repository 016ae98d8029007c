package io.mooring.rest.internal;

import java.util.List;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import io.mooring.api.PlatformRegistry;
import io.mooring.api.admin.Role;

@Path("v1/platforms")
@Produces(MediaType.APPLICATION_JSON)
public final class PlatformsResource {
    private final PlatformRegistry platforms;

    PlatformsResource(PlatformRegistry platforms) {
        this.platforms = platforms;
    }

    @GET
    @Allowed(Role.AUDITOR)
    public List<Views.PlatformView> list() {
        return platforms.installed().stream().map(Views.PlatformView::of).toList();
    }
}
