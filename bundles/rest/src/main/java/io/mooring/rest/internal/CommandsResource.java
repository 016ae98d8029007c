package io.mooring.rest.internal;

import java.net.URI;
import java.util.Map;

import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandService;
import io.mooring.api.CommandTarget;
import io.mooring.api.CommandType;
import io.mooring.api.DeviceId;
import io.mooring.api.GroupId;
import io.mooring.api.NotFoundException;
import io.mooring.api.PlatformId;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.Role;

@Path("v1/commands")
@Produces(MediaType.APPLICATION_JSON)
public final class CommandsResource {
    private final CommandService commands;

    CommandsResource(CommandService commands) {
        this.commands = commands;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OPERATOR)
    public Response enqueue(@Context SecurityContext sc, Requests.CommandRequestBody body) {
        if (body == null) {
            throw new ValidationException("body", "send the command as a JSON object");
        }
        Params.require("type", body.type());
        boolean byDevices = body.devices() != null;
        boolean byPlatform = body.platform() != null;
        if (byDevices == byPlatform) {
            throw new ValidationException("devices", "give either 'devices' (a list of device ids) or 'platform' (with 'group' for a group's "
                    + "devices of that platform), not both");
        }
        if (body.group() != null && !byPlatform) {
            throw new ValidationException("platform", "a command to a group names the platform it is for in 'platform'");
        }
        CommandTarget target = byDevices ? new CommandTarget.Devices(body.devices().stream().map(DeviceId::parse).toList())
                : body.group() != null ? new CommandTarget.Group(GroupId.parse(body.group()), new PlatformId(body.platform()))
                : new CommandTarget.Platform(new PlatformId(body.platform()));
        Caller caller = Caller.of(sc);
        Command c = commands.enqueue(caller.tenant(), new CommandRequest(new CommandType(body.type()), body.payload(), target,
                Params.instant("expiresAt", body.expiresAt())), caller.identity().actor());
        return Response.created(URI.create("v1/commands/" + c.id())).entity(Views.CommandView.of(c)).build();
    }

    @GET
    @Path("{id}")
    @Allowed(Role.AUDITOR)
    public Views.CommandView get(@Context SecurityContext sc, @PathParam("id") String id) {
        return commands.find(Caller.of(sc).tenant(), CommandId.parse(id)).map(Views.CommandView::of)
                .orElseThrow(() -> new NotFoundException("no command " + id));
    }

    @DELETE
    @Path("{id}")
    @Allowed(Role.OPERATOR)
    public Map<String, Object> cancel(@Context SecurityContext sc, @PathParam("id") String id) {
        Caller caller = Caller.of(sc);
        long canceled = commands.cancel(caller.tenant(), CommandId.parse(id), caller.identity().actor());
        return Map.of("id", id, "canceled", canceled);
    }
}
