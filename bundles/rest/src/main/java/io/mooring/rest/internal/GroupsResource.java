package io.mooring.rest.internal;

import java.net.URI;
import java.util.List;
import java.util.Map;

import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.DeviceGroup;
import io.mooring.api.DeviceGroupService;
import io.mooring.api.DeviceId;
import io.mooring.api.GroupId;
import io.mooring.api.GroupSpec;
import io.mooring.api.NotFoundException;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.Role;

@Path("v1/groups")
@Produces(MediaType.APPLICATION_JSON)
public final class GroupsResource {
    private final DeviceGroupService groups;

    GroupsResource(DeviceGroupService groups) {
        this.groups = groups;
    }

    @GET
    @Allowed(Role.AUDITOR)
    public Views.PageView<Views.GroupView> list(@Context SecurityContext sc, @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        return Views.PageView.of(groups.list(Caller.of(sc).tenant(), Params.page(offset, limit)), Views.GroupView::of);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OPERATOR)
    public Response create(@Context SecurityContext sc, Requests.GroupRequestBody body) {
        Caller caller = Caller.of(sc);
        DeviceGroup group = groups.create(caller.tenant(), spec(body), caller.identity().actor());
        return Response.created(URI.create("v1/groups/" + group.id())).entity(Views.GroupView.of(group)).build();
    }

    @GET
    @Path("{id}")
    @Allowed(Role.AUDITOR)
    public Views.GroupView get(@Context SecurityContext sc, @PathParam("id") String id) {
        return groups.find(Caller.of(sc).tenant(), GroupId.parse(id)).map(Views.GroupView::of).orElseThrow(() -> new NotFoundException("no group " + id));
    }

    /** Replaces name, description and settings: a setting left out is removed. */
    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OPERATOR)
    public Views.GroupView update(@Context SecurityContext sc, @PathParam("id") String id, Requests.GroupRequestBody body) {
        Caller caller = Caller.of(sc);
        GroupId group = GroupId.parse(id);
        return Views.GroupView.of(groups.update(caller.tenant(), group, spec(body), caller.identity().actor()));
    }

    @DELETE
    @Path("{id}")
    @Allowed(Role.OPERATOR)
    public Response delete(@Context SecurityContext sc, @PathParam("id") String id) {
        Caller caller = Caller.of(sc);
        groups.delete(caller.tenant(), GroupId.parse(id), caller.identity().actor());
        return Response.noContent().build();
    }

    @GET
    @Path("{id}/devices")
    @Allowed(Role.AUDITOR)
    public Views.PageView<Views.DeviceView> members(@Context SecurityContext sc, @PathParam("id") String id, @QueryParam("offset") Integer offset,
            @QueryParam("limit") Integer limit) {
        return Views.PageView.of(groups.members(Caller.of(sc).tenant(), GroupId.parse(id), Params.page(offset, limit)), Views.DeviceView::of);
    }

    /** Adds devices, all or nothing. */
    @POST
    @Path("{id}/devices")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OPERATOR)
    public Map<String, Object> add(@Context SecurityContext sc, @PathParam("id") String id, Requests.MembersRequestBody body) {
        Caller caller = Caller.of(sc);
        GroupId group = GroupId.parse(id);
        return Map.of("group", id, "added", groups.addMembers(caller.tenant(), group, devices(body), caller.identity().actor()));
    }

    /** Removes devices; those that are not members are ignored. */
    @POST
    @Path("{id}/devices/remove")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.OPERATOR)
    public Map<String, Object> remove(@Context SecurityContext sc, @PathParam("id") String id, Requests.MembersRequestBody body) {
        Caller caller = Caller.of(sc);
        GroupId group = GroupId.parse(id);
        return Map.of("group", id, "removed", groups.removeMembers(caller.tenant(), group, devices(body), caller.identity().actor()));
    }

    @DELETE
    @Path("{id}/devices/{device}")
    @Allowed(Role.OPERATOR)
    public Response removeOne(@Context SecurityContext sc, @PathParam("id") String id, @PathParam("device") String device) {
        Caller caller = Caller.of(sc);
        GroupId group = GroupId.parse(id);
        if (groups.removeMembers(caller.tenant(), group, List.of(DeviceId.parse(device)), caller.identity().actor()) == 0) {
            throw new NotFoundException("device " + device + " is not in group " + id);
        }
        return Response.noContent().build();
    }

    private static GroupSpec spec(Requests.GroupRequestBody body) {
        if (body == null) {
            throw new ValidationException("body", "send the group as a JSON object");
        }
        return new GroupSpec(body.name(), body.description(), body.settings());
    }

    /** The ids named (the service checks how many). */
    private static List<DeviceId> devices(Requests.MembersRequestBody body) {
        if (body == null || body.devices() == null || body.devices().isEmpty()) {
            throw new ValidationException("devices", "name at least one device id in 'devices'");
        }
        return body.devices().stream().map(DeviceId::parse).toList();
    }
}
