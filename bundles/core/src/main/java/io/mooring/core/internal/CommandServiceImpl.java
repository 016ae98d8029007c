package io.mooring.core.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.mooring.api.Actor;
import io.mooring.api.AuditLog;
import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandService;
import io.mooring.api.CommandTarget;
import io.mooring.api.Completion;
import io.mooring.api.Delivery;
import io.mooring.api.DeliveryState;
import io.mooring.api.DeviceId;
import io.mooring.api.MooringEvents;
import io.mooring.api.NotFoundException;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.api.UnavailableException;
import io.mooring.api.ValidationException;
import io.mooring.api.store.CommandStore;
import io.mooring.api.store.DeviceStore;
import io.mooring.spi.CommandSupport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;

/**
 * Queues commands after every target platform's plugin accepted them, all or nothing, then has the
 * push dispatcher wake the targets. The device plane side (next, complete) is what check-ins call.
 */
@Component(service = CommandService.class)
public final class CommandServiceImpl implements CommandService {
    static final int MAX_BATCH = 100;
    static final int MAX_RESULTS = 1_000;

    private final CommandStore store;
    private final DeviceStore devices;
    private final io.mooring.api.store.GroupStore groups;
    private final PlatformHost host;
    private final PushDispatcher push;
    private final AuditLog audit;
    private final Events events;
    private final Clock clock;
    /** When this node last wrote each device's last-seen time; bounded (cleared when full: the next touches write again). */
    private final java.util.concurrent.ConcurrentHashMap<DeviceId, Instant> recentlySeen = new java.util.concurrent.ConcurrentHashMap<>();
    static final int RECENTLY_SEEN_MAX = 200_000;

    @Activate
    public CommandServiceImpl(@Reference CommandStore store, @Reference DeviceStore devices, @Reference io.mooring.api.store.GroupStore groups,
            @Reference PlatformHost host, @Reference PushDispatcher push, @Reference AuditLog audit, @Reference EventAdmin eventAdmin) {
        this(store, devices, groups, host, push, audit, new Events(eventAdmin), Clock.systemUTC());
    }

    CommandServiceImpl(CommandStore store, DeviceStore devices, io.mooring.api.store.GroupStore groups, PlatformHost host, PushDispatcher push,
            AuditLog audit, Events events, Clock clock) {
        this.store = store;
        this.devices = devices;
        this.groups = groups;
        this.host = host;
        this.push = push;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Command enqueue(TenantId tenant, CommandRequest request, Actor actor) {
        Instant now = clock.instant();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            throw new ValidationException("expiresAt", "expiresAt must be in the future");
        }
        CommandId id = CommandId.random();
        Command command;
        if (request.target() instanceof CommandTarget.Devices named) {
            Map<DeviceId, PlatformId> found = store.enrolledPlatforms(tenant, named.ids());
            if (found.size() != named.ids().size()) {
                List<String> missing = named.ids().stream().filter(d -> !found.containsKey(d)).limit(5).map(DeviceId::toString).toList();
                throw new NotFoundException("no enrolled device " + String.join(", ", missing)
                        + (named.ids().size() - found.size() > missing.size() ? " (and more)" : "") + "; nothing was queued");
            }
            validate(new TreeSet<>(found.values().stream().map(PlatformId::value).toList()), request);
            checkTargets(found, request);
            command = store.insertForDevices(tenant, id, request.type(), request.payload(), actor, now, request.expiresAt(), named.ids());
        } else if (request.target() instanceof CommandTarget.Group group) {
            groups.find(tenant, group.group()).orElseThrow(() -> new NotFoundException("no group " + group.group() + "; nothing was queued"));
            validate(Set.of(group.platform().value()), request);
            command = store.insertForGroup(tenant, id, request.type(), request.payload(), actor, now, request.expiresAt(), group.group(),
                    group.platform());
        } else {
            PlatformId platform = ((CommandTarget.Platform) request.target()).platform();
            validate(Set.of(platform.value()), request);
            command = store.insertForPlatform(tenant, id, request.type(), request.payload(), actor, now, request.expiresAt(), platform);
        }
        long targets = command.deliveries().get(DeliveryState.QUEUED);
        audit.record(tenant, actor, "command.queued", id.toString(), request.type() + " to " + targets + " device(s)");
        events.post(MooringEvents.COMMAND_QUEUED, tenant, MooringEvents.COMMAND, id);
        if (targets > 0) {
            push.wake(id);
        }
        return command;
    }

    /** Each named device's platform may refuse it (the device's OS or supervision); the first refusal queues nothing. */
    private void checkTargets(Map<DeviceId, PlatformId> devices, CommandRequest request) {
        for (Map.Entry<DeviceId, PlatformId> target : devices.entrySet()) {
            HostedPlatform h = host.hosted(target.getValue()).orElse(null);
            if (h != null && h.plugin() instanceof io.mooring.spi.TargetCheck check) {
                host.calls().run(target.getValue(), "checkTarget", () -> check.checkTarget(target.getKey(), request.type(), request.payload()));
            }
        }
    }

    private void validate(Collection<String> platforms, CommandRequest request) {
        for (String name : platforms) {
            PlatformId platform = new PlatformId(name);
            HostedPlatform h = host.hosted(platform).orElseThrow(() -> new UnavailableException(
                    "platform '" + platform + "' is not installed right now, so the command cannot be checked; nothing was queued"));
            if (!(h.plugin() instanceof CommandSupport support) || !h.commandTypes().contains(request.type())) {
                throw new ValidationException("type", "platform '" + platform + "' does not support command type '" + request.type()
                        + "'; it supports: " + String.join(", ", new TreeSet<>(h.commandTypes().stream().map(Object::toString).toList())));
            }
            host.calls().run(platform, "validate", () -> support.validate(request.type(), request.payload()));
        }
    }

    @Override
    public Optional<Command> find(TenantId tenant, CommandId id) {
        return store.find(tenant, id);
    }

    @Override
    public long cancel(TenantId tenant, CommandId id, Actor actor) {
        store.find(tenant, id).orElseThrow(() -> new NotFoundException("no command " + id));
        long canceled = store.cancel(tenant, id, clock.instant());
        audit.record(tenant, actor, "command.canceled", id.toString(), canceled + " undelivered");
        events.post(MooringEvents.COMMAND_CANCELED, tenant, MooringEvents.COMMAND, id);
        return canceled;
    }

    @Override
    public Page<Delivery> history(TenantId tenant, DeviceId device, PageRequest page) {
        devices.find(tenant, device).orElseThrow(() -> new NotFoundException("no device " + device));
        return store.history(tenant, device, page);
    }

    @Override
    public List<PendingCommand> nextFor(DeviceId device, int max) {
        if (max < 1 || max > MAX_BATCH) {
            throw new ValidationException("max", "a device may take between 1 and " + MAX_BATCH + " commands at once");
        }
        Instant now = clock.instant();
        touch(device, now);
        return new ArrayList<>(store.nextFor(device, max, now));
    }

    /**
     * Last-seen is kept to the minute: a device this node recorded within the minute costs nothing more (not
     * even the round trip of a conditional UPDATE that would change nothing). Other nodes keep their own
     * record, so a device seen anywhere is written at most once a minute per node.
     */
    private void touch(DeviceId device, Instant now) {
        Instant written = recentlySeen.get(device);
        if (written != null && written.isAfter(now.minusSeconds(60))) {
            return;
        }
        devices.touch(device, now);
        if (recentlySeen.size() >= RECENTLY_SEEN_MAX) {
            recentlySeen.clear();
        }
        recentlySeen.put(device, now);
    }

    @Override
    public Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max) {
        return exchange(device, results, max, null);
    }

    @Override
    public Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max,
            java.util.function.Function<List<PendingCommand>, Map<String, byte[]>> keep) {
        if (max < 0 || max > MAX_BATCH) {
            throw new ValidationException("max", "a device may take between 0 and " + MAX_BATCH + " commands at once");
        }
        Instant now = checkedNow(device, results);
        return posted(device, results, store.exchange(device, results, max, now, keep));
    }

    @Override
    public Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, List<CommandId> handOut, Map<String, byte[]> keep) {
        if (handOut.size() > MAX_BATCH) {
            throw new ValidationException("handOut", "a device may take at most " + MAX_BATCH + " commands at once");
        }
        if (handOut.stream().anyMatch(results::containsKey) || Set.copyOf(handOut).size() != handOut.size()) {
            throw new ValidationException("handOut", "a command is handed out once, and not while it is being answered");
        }
        Instant now = checkedNow(device, results);
        return posted(device, results, store.exchange(device, results, handOut, keep, now));
    }

    private Instant checkedNow(DeviceId device, Map<CommandId, CommandResult> results) {
        if (results.size() > MAX_RESULTS) {
            throw new ValidationException("results", "at most " + MAX_RESULTS + " answers at once");
        }
        Instant now = clock.instant();
        touch(device, now);
        return now;
    }

    private Exchange posted(DeviceId device, Map<CommandId, CommandResult> results, Exchange done) {
        done.completions().forEach((command, completion) -> {
            if (completion == Completion.RECORDED) {
                events.post(MooringEvents.COMMAND_COMPLETED, null, MooringEvents.COMMAND, command, MooringEvents.DEVICE, device,
                        MooringEvents.STATE, results.get(command).outcome());
            }
        });
        return done;
    }

    @Override
    public Completion complete(DeviceId device, CommandId command, CommandResult result) {
        Completion completion = store.complete(device, command, result, clock.instant());
        if (completion == Completion.RECORDED) {
            events.post(MooringEvents.COMMAND_COMPLETED, null, MooringEvents.COMMAND, command, MooringEvents.DEVICE, device,
                    MooringEvents.STATE, result.outcome());
        }
        return completion;
    }
}
