package io.mooring.api;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The persistent command queue. A command is stored once with one small row per target device, so a
 * fan-out to a whole fleet costs one command row and batched device rows. Delivery is at-least-once:
 * a command handed out but never answered is handed out again on the device's next check-in.
 */
@ProviderType
public interface CommandService {
    /**
     * Validates the command with each target platform's plugin and queues it, all or nothing; then wakes
     * the target devices that have a push registration.
     */
    Command enqueue(TenantId tenant, CommandRequest request, Actor actor);

    Optional<Command> find(TenantId tenant, CommandId id);

    /** Cancels the deliveries not yet handed to a device; returns how many were cancelled. */
    long cancel(TenantId tenant, CommandId id, Actor actor);

    Page<Delivery> history(TenantId tenant, DeviceId device, PageRequest page);

    /**
     * Device plane: up to {@code max} commands for the device, oldest first, marked {@code SENT}. Apple
     * asks for one per request; an OMA-DM session takes several at once.
     */
    List<PendingCommand> nextFor(DeviceId device, int max);

    /** Device plane: record the device's answer. Repeats of an already recorded answer change nothing. */
    Completion complete(DeviceId device, CommandId command, CommandResult result);
}
