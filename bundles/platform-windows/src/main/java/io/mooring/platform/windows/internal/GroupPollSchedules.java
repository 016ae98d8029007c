package io.mooring.platform.windows.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.mooring.api.Actor;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandService;
import io.mooring.api.CommandTarget;
import io.mooring.api.CommandType;
import io.mooring.api.Device;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceGroup;
import io.mooring.api.DeviceGroupService;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.DeviceState;
import io.mooring.api.GroupId;
import io.mooring.api.MooringEvents;
import io.mooring.api.MooringException;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll interval of a group's PCs ({@code windows.poll.minutes}, a group setting): when PCs join or leave
 * a group, or a group's interval changes or a group that set one is deleted, each Windows PC concerned gets
 * {@code SetPollSchedule} with the shortest interval of its groups (the configured {@code poll.minutes} when
 * none sets one), unless it already polls at that interval (recorded at enrollment and with each change). An
 * admin's own {@code SetPollSchedule} to a PC holds until its groups' interval next changes. The work runs on
 * a thread of its own, in the order the events came; the events are the node's own, so two changes made on
 * two nodes at once may be applied in either order.
 */
@Component(service = EventHandler.class, configurationPid = "io.mooring.platform.windows",
        property = EventConstants.EVENT_TOPIC + "=io/mooring/group/*")
public final class GroupPollSchedules implements EventHandler {
    static final String NAME = "poll.minutes";
    static final String SETTING = WindowsPlatform.ID.value() + "." + NAME;
    /** The interval the PC was given at enrollment or by its groups since (decimal minutes); absent for PCs enrolled before groups. */
    static final String ATTR_APPLIED = "windows.poll-minutes";
    static final int MAX_MINUTES = 1440 * 7;
    private static final int PAGE = 500;

    private static final Logger LOG = LoggerFactory.getLogger(GroupPollSchedules.class);

    private final DeviceGroupService groups;
    private final DeviceRegistry devices;
    private final CommandService commands;
    private final DeviceAttributes attributes;
    private final int defaultMinutes;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mooring-windows-group-polls");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public GroupPollSchedules(@Reference DeviceGroupService groups, @Reference DeviceRegistry devices, @Reference CommandService commands,
            @Reference DeviceAttributes attributes, WindowsConfig config) {
        this(groups, devices, commands, attributes, Math.max(1, config.poll_minutes()));
    }

    GroupPollSchedules(DeviceGroupService groups, DeviceRegistry devices, CommandService commands, DeviceAttributes attributes, int defaultMinutes) {
        this.groups = groups;
        this.devices = devices;
        this.commands = commands;
        this.attributes = attributes;
        this.defaultMinutes = defaultMinutes;
    }

    /** The check core asks for before a group's {@code windows.poll.minutes} is saved. */
    static void check(String value) {
        int minutes = parse(value);
        if (minutes < 1 || minutes > MAX_MINUTES) {
            throw new ValidationException(NAME, "poll.minutes must be a whole number of minutes from 1 to " + MAX_MINUTES);
        }
    }

    @Override
    public void handleEvent(Event event) {
        try {
            worker.execute(() -> {
                try {
                    apply(event);
                } catch (RuntimeException e) {
                    LOG.warn("Could not bring the poll schedules of group {} in line: {}", event.getProperty(MooringEvents.GROUP), e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Stopping: group event {} not applied", event.getTopic());
        }
    }

    void apply(Event event) {
        Object tenant = event.getProperty(MooringEvents.TENANT);
        Object group = event.getProperty(MooringEvents.GROUP);
        if (tenant == null || group == null) {
            return;
        }
        boolean changed = event.getTopic().equals(MooringEvents.GROUP_CHANGED);
        if (changed && !(event.getProperty(MooringEvents.SETTINGS) instanceof String[] settings && List.of(settings).contains(SETTING))) {
            return; // renamed, described, or another setting: the interval of no PC changes
        }
        Set<DeviceId> concerned = new LinkedHashSet<>();
        if (event.getProperty(MooringEvents.DEVICES) instanceof String[] ids) {
            for (String id : ids) {
                concerned.add(DeviceId.parse(id));
            }
        }
        apply(new TenantId(tenant.toString()), GroupId.parse(group.toString()), changed, concerned);
    }

    /** Brings the named PCs, and with {@code wholeGroup} every current member, to their groups' interval; returns the commands queued. */
    int apply(TenantId tenant, GroupId group, boolean wholeGroup, Collection<DeviceId> named) {
        Set<DeviceId> concerned = new LinkedHashSet<>(named);
        if (wholeGroup && groups.find(tenant, group).isPresent()) {
            for (int offset = 0;; offset += PAGE) {
                Page<Device> page = groups.members(tenant, group, new PageRequest(offset, PAGE));
                page.items().forEach(d -> concerned.add(d.id()));
                if (page.items().size() < PAGE) {
                    break;
                }
            }
        }
        Map<Integer, List<DeviceId>> byInterval = new TreeMap<>();
        for (DeviceId id : concerned) {
            // the PC as it is now, with the interval it polls at, in one read
            Optional<DeviceAttributes.Snapshot> pc = attributes.snapshot(id, ATTR_APPLIED).filter(s -> s.device().tenant().equals(tenant)
                    && s.device().platform().equals(WindowsPlatform.ID) && s.device().state() == DeviceState.ENROLLED);
            if (pc.isEmpty()) {
                continue;
            }
            int wanted = interval(groups.groupsOfDevice(id), defaultMinutes);
            if (wanted != minutes(pc.get().values().get(ATTR_APPLIED), defaultMinutes)) {
                byInterval.computeIfAbsent(wanted, k -> new ArrayList<>()).add(id);
            }
        }
        int queued = 0;
        for (Map.Entry<Integer, List<DeviceId>> e : byInterval.entrySet()) {
            List<DeviceId> ids = e.getValue();
            for (int from = 0; from < ids.size(); from += CommandTarget.MAX_DEVICES) {
                List<DeviceId> chunk = ids.subList(from, Math.min(ids.size(), from + CommandTarget.MAX_DEVICES));
                if (!queue(tenant, e.getKey(), chunk)) {
                    // one was unenrolled meanwhile (the queue takes all or none): once more without the unenrolled ones
                    chunk = chunk.stream().filter(id -> devices.findForDevicePlane(id).filter(d -> d.state() == DeviceState.ENROLLED).isPresent())
                            .toList();
                    if (chunk.isEmpty() || !queue(tenant, e.getKey(), chunk)) {
                        LOG.warn("Could not queue SetPollSchedule ({} minutes) to {} PCs of group {}; they keep their interval until the group "
                                + "changes again", e.getKey(), chunk.size(), group);
                        continue;
                    }
                }
                queued++;
                byte[] value = Integer.toString(e.getKey()).getBytes(StandardCharsets.US_ASCII);
                chunk.forEach(id -> attributes.put(id, ATTR_APPLIED, value));
                LOG.info("Group {} of tenant {}: {} Windows PCs poll every {} minutes from their next session", group, tenant, chunk.size(), e.getKey());
            }
        }
        return queued;
    }

    private boolean queue(TenantId tenant, int minutes, List<DeviceId> pcs) {
        try {
            commands.enqueue(tenant, new CommandRequest(new CommandType("SetPollSchedule"), Map.of("minutes", minutes), new CommandTarget.Devices(pcs),
                    null), Actor.SYSTEM);
            return true;
        } catch (MooringException e) {
            LOG.debug("SetPollSchedule ({} minutes) to {} PCs not queued: {}", minutes, pcs.size(), e.getMessage());
            return false;
        }
    }

    /** The shortest interval any of the groups sets, or {@code defaultMinutes}. */
    static int interval(List<DeviceGroup> of, int defaultMinutes) {
        return of.stream().map(g -> g.setting(SETTING)).filter(java.util.Objects::nonNull).map(GroupPollSchedules::parse)
                .filter(m -> m > 0).min(Integer::compare).orElse(defaultMinutes);
    }

    /** The interval recorded in {@link #ATTR_APPLIED} (absent for PCs enrolled before it was recorded: {@code otherwise}). */
    static int minutes(byte[] recorded, int otherwise) {
        int minutes = recorded == null ? -1 : parse(new String(recorded, StandardCharsets.US_ASCII));
        return minutes > 0 ? minutes : otherwise;
    }

    private static int parse(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        // group changes not applied yet are dropped with the plugin: nothing of it may run on released services
        worker.shutdownNow();
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }
}
