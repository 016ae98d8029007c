package io.mooring.api.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import io.mooring.api.Actor;
import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandType;
import io.mooring.api.Completion;
import io.mooring.api.Delivery;
import io.mooring.api.Device;
import io.mooring.api.DeviceId;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

/** The command queue: one row per command, one small row per (device, command). */
@ProviderType
public interface CommandStore {
    /** The platform of each of these devices that is enrolled in the tenant; unknown or unenrolled ids are absent. */
    Map<DeviceId, PlatformId> enrolledPlatforms(TenantId tenant, Collection<DeviceId> ids);

    /** Stores the command and one delivery row per device, in batches, in one transaction. */
    Command insertForDevices(TenantId tenant, CommandId id, CommandType type, Map<String, Object> payload, Actor actor,
            Instant now, Instant expiresAt, Collection<DeviceId> devices);

    /** Stores the command and one delivery row per enrolled device of the platform, in one statement. */
    Command insertForPlatform(TenantId tenant, CommandId id, CommandType type, Map<String, Object> payload, Actor actor,
            Instant now, Instant expiresAt, PlatformId platform);

    /** Stores the command and one delivery row per enrolled device of the platform in the group, in one statement. */
    Command insertForGroup(TenantId tenant, CommandId id, CommandType type, Map<String, Object> payload, Actor actor,
            Instant now, Instant expiresAt, io.mooring.api.GroupId group, PlatformId platform);

    Optional<Command> find(TenantId tenant, CommandId id);

    long cancel(TenantId tenant, CommandId id, Instant now);

    Page<Delivery> history(TenantId tenant, DeviceId device, PageRequest page);

    List<PendingCommand> nextFor(DeviceId device, int max, Instant now);

    Completion complete(DeviceId device, CommandId command, CommandResult result, Instant now);

    /** Records the answers and hands out up to {@code max} commands, in one transaction (see {@link io.mooring.api.CommandService#exchange}). */
    default io.mooring.api.CommandService.Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max, Instant now) {
        return exchange(device, results, max, now, null);
    }

    /**
     * As {@link #exchange(DeviceId, Map, int, Instant)}; with {@code keep} (may be null), also writes the
     * device values it computes from the hand-out, in the same transaction (see the CommandService method
     * of the same name). A value name or size DeviceAttributes would refuse fails the whole exchange.
     */
    io.mooring.api.CommandService.Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max, Instant now,
            java.util.function.Function<List<PendingCommand>, Map<String, byte[]>> keep);

    /** Records the answers, hands out the listed commands and writes the values if all were open (see the CommandService method). */
    io.mooring.api.CommandService.Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, List<CommandId> handOut,
            Map<String, byte[]> keep, Instant now);

    /** Hands commands that were {@code SENT} to devices of the platform back to {@code QUEUED} (plugin swapped). */
    long requeueSent(PlatformId platform);

    long expire(Instant now);

    /** What one housekeeping run did; {@code ran} is false when another node holds the housekeeping lock. */
    record Housekeeping(boolean ran, long expired, long pruned) {
    }

    /**
     * Expires and prunes in one run that only one node of a cluster performs at a time (on PostgreSQL a
     * transaction-scoped advisory lock; the others skip the run).
     */
    Housekeeping housekeep(Instant now, Instant pruneBefore);

    /** Deletes finished delivery rows completed before {@code before}, and commands left with none. */
    long prune(Instant before);

    /** Streams the devices of a command that are still queued and have a valid push registration, in batches. */
    void forEachPushTarget(CommandId command, int batchSize, Consumer<List<Device>> batch);
}
