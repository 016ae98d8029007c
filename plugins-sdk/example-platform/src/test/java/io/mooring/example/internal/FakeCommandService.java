package io.mooring.example.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.mooring.api.Actor;
import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandService;
import io.mooring.api.Completion;
import io.mooring.api.Delivery;
import io.mooring.api.DeviceId;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.TenantId;

/** Hands out the commands queued on it and records what the endpoint passed in. */
final class FakeCommandService implements CommandService {
    record NextFor(DeviceId device, int max) {
    }

    record Completed(DeviceId device, CommandId command, CommandResult result) {
    }

    final List<PendingCommand> queue = new ArrayList<>();
    final List<NextFor> nextForCalls = new ArrayList<>();
    final List<Completed> completions = new ArrayList<>();
    final Map<CommandId, Completion> answers = new HashMap<>();
    RuntimeException failure;

    @Override
    public Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, List<CommandId> handOut, Map<String, byte[]> keep) {
        throw new UnsupportedOperationException("the example platform hands out through nextFor");
    }

    @Override
    public Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max,
            java.util.function.Function<List<PendingCommand>, Map<String, byte[]>> keep) {
        throw new UnsupportedOperationException("the example platform keeps no device values with its exchanges");
    }

    @Override
    public List<PendingCommand> nextFor(DeviceId device, int max) {
        nextForCalls.add(new NextFor(device, max));
        if (failure != null) {
            throw failure;
        }
        return queue.stream().filter(c -> c.device().equals(device)).limit(max).toList();
    }

    @Override
    public Completion complete(DeviceId device, CommandId command, CommandResult result) {
        completions.add(new Completed(device, command, result));
        return answers.getOrDefault(command, Completion.RECORDED);
    }

    @Override
    public Command enqueue(TenantId tenant, CommandRequest request, Actor actor) {
        throw new UnsupportedOperationException("not part of the device plane");
    }

    @Override
    public Optional<Command> find(TenantId tenant, CommandId id) {
        throw new UnsupportedOperationException("not part of the device plane");
    }

    @Override
    public long cancel(TenantId tenant, CommandId id, Actor actor) {
        throw new UnsupportedOperationException("not part of the device plane");
    }

    @Override
    public Page<Delivery> history(TenantId tenant, DeviceId device, PageRequest page) {
        throw new UnsupportedOperationException("not part of the device plane");
    }
}
