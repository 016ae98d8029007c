package io.mooring.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

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

    /** What {@link #exchange} did: how each answer was recorded, and the commands handed out. */
    record Exchange(Map<CommandId, Completion> completions, List<PendingCommand> next) {
        public Exchange {
            completions = Map.copyOf(completions);
            next = List.copyOf(next);
        }
    }

    /**
     * Device plane: records the device's answers (each as {@link #complete} does) and then hands out up to
     * {@code max} commands (as {@link #nextFor} does; 0 records only): what a platform does when one request
     * both answers and asks, as an OMA-DM message does. A command answered in the exchange is not handed
     * out again by it, not even one requeued by {@link CommandResult#notNow()}: a device that said "not
     * now" gets it on a later request. Core does it in one transaction; this default does it call by call,
     * for implementations that need no more.
     */
    default Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max) {
        Map<CommandId, Completion> done = new LinkedHashMap<>();
        results.forEach((id, result) -> done.put(id, complete(device, id, result)));
        if (max == 0) {
            return new Exchange(done, List.of());
        }
        // simple, not exact: an answered command nextFor marks sent again is left out (and comes on a later request)
        return new Exchange(done, nextFor(device, max).stream().filter(c -> !results.containsKey(c.id())).toList());
    }

    /**
     * Device plane: {@link #exchange(DeviceId, Map, int)}, and in the same transaction the device values
     * {@code keep} computes from the commands handed out, written as {@link DeviceAttributes#put} writes
     * them (a null value removes one). For a platform whose protocol state follows from what it hands out
     * (an OMA-DM session: which command went out under which CmdID): the answers, the hand-out and that
     * state are committed together, or none of them. {@code keep} is called once, inside the transaction:
     * it only computes, quickly, and calls no Mooring service (the transaction holds the rows it hands out).
     * When the transaction fails after {@code keep} ran, nothing is recorded and the call throws.
     */
    Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max, Function<List<PendingCommand>, Map<String, byte[]>> keep);

    /**
     * Device plane: records the answers, hands out exactly the commands {@code handOut} lists (chosen from
     * a {@link DeviceAttributes#snapshot(DeviceId, String, int) snapshot}'s open commands; none that is
     * answered here) and writes the device values {@code keep} (as {@link DeviceAttributes#put}; a null
     * value removes one), together. A listed command that is no longer open (cancelled or answered since
     * the snapshot) is not handed out; then {@code keep} is not written either, and
     * {@link Exchange#next()} is shorter than {@code handOut}: the caller builds its reply again from a
     * fresh hand-out. On PostgreSQL this is one statement, so a message costs two round trips in all.
     */
    Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, List<CommandId> handOut, Map<String, byte[]> keep);
}
