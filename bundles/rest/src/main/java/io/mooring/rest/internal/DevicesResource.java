package io.mooring.rest.internal;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;

import io.mooring.api.CommandService;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceQuery;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.DeviceState;
import io.mooring.api.InventoryService;
import io.mooring.api.NotFoundException;
import io.mooring.api.PlatformId;
import io.mooring.api.admin.Role;

@Path("v1/devices")
@Produces(MediaType.APPLICATION_JSON)
public final class DevicesResource {
    private final DeviceRegistry devices;
    private final CommandService commands;
    private final InventoryService inventory;
    private final io.mooring.api.DeviceGroupService groups;

    DevicesResource(DeviceRegistry devices, CommandService commands, InventoryService inventory, io.mooring.api.DeviceGroupService groups) {
        this.devices = devices;
        this.commands = commands;
        this.inventory = inventory;
        this.groups = groups;
    }

    @GET
    @Allowed(Role.AUDITOR)
    public Views.PageView<Views.DeviceView> list(@Context SecurityContext sc, @QueryParam("platform") String platform,
            @QueryParam("state") String state, @QueryParam("q") String text, @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        DeviceQuery query = new DeviceQuery(platform == null || platform.isBlank() ? null : new PlatformId(platform),
                Params.enumValue(DeviceState.class, "state", state), text, Params.page(offset, limit));
        return Views.PageView.of(devices.list(Caller.of(sc).tenant(), query), Views.DeviceView::of);
    }

    @GET
    @Path("{id}")
    @Allowed(Role.AUDITOR)
    public Views.DeviceView get(@Context SecurityContext sc, @PathParam("id") String id) {
        DeviceId device = DeviceId.parse(id);
        return devices.find(Caller.of(sc).tenant(), device).map(Views.DeviceView::of).orElseThrow(() -> new NotFoundException("no device " + id));
    }

    @DELETE
    @Path("{id}")
    @Allowed(Role.OPERATOR)
    public Views.DeviceView unenroll(@Context SecurityContext sc, @PathParam("id") String id) {
        Caller caller = Caller.of(sc);
        return Views.DeviceView.of(devices.unenroll(caller.tenant(), DeviceId.parse(id), caller.identity().actor()));
    }

    @GET
    @Path("{id}/commands")
    @Allowed(Role.AUDITOR)
    public Views.PageView<Views.DeliveryView> commands(@Context SecurityContext sc, @PathParam("id") String id,
            @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        return Views.PageView.of(commands.history(Caller.of(sc).tenant(), DeviceId.parse(id), Params.page(offset, limit)), Views.DeliveryView::of);
    }

    @GET
    @Path("{id}/inventory")
    @Allowed(Role.AUDITOR)
    public Views.InventoryView inventory(@Context SecurityContext sc, @PathParam("id") String id) {
        DeviceId device = DeviceId.parse(id);
        var tenant = Caller.of(sc).tenant();
        devices.find(tenant, device).orElseThrow(() -> new NotFoundException("no device " + id));
        return inventory.latest(tenant, device).map(s -> Views.InventoryView.of(id, s))
                .orElseThrow(() -> new NotFoundException("device " + id + " has not reported any inventory yet"));
    }

    @GET
    @Path("{id}/groups")
    @Allowed(Role.AUDITOR)
    public java.util.List<Views.GroupView> groups(@Context SecurityContext sc, @PathParam("id") String id) {
        DeviceId device = DeviceId.parse(id);
        var tenant = Caller.of(sc).tenant();
        devices.find(tenant, device).orElseThrow(() -> new NotFoundException("no device " + id));
        return groups.groupsOf(tenant, device).stream().map(Views.GroupView::of).toList();
    }
}
