package io.mooring.platform.apple.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.mooring.api.Actor;
import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandService;
import io.mooring.api.CommandType;
import io.mooring.api.Completion;
import io.mooring.api.Delivery;
import io.mooring.api.Device;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceQuery;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.DeviceState;
import io.mooring.api.InventoryService;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.api.pki.CertificateInventory;
import io.mooring.api.pki.IssuedCertificate;

/**
 * Core's device-plane services as the Apple protocol sees them, in memory, for protocol tests: devices,
 * a per-device queue, inventory snapshots, plugin attributes, and the CA's record of issued serials.
 */
final class InMemoryCore implements DeviceRegistry, CommandService, DeviceAttributes, CertificateInventory {
    final InventoryService inventory = new Inventory();
    final Map<DeviceId, Device> devices = new ConcurrentHashMap<>();
    final Map<DeviceId, Deque<PendingCommand>> queues = new ConcurrentHashMap<>();
    final Map<CommandId, CommandResult> results = new ConcurrentHashMap<>();
    final Map<CommandId, DeviceId> sent = new ConcurrentHashMap<>();
    final Map<DeviceId, List<InventorySnapshot>> snapshots = new ConcurrentHashMap<>();
    final Map<String, byte[]> attributes = new ConcurrentHashMap<>();
    final Map<String, DeviceId> issuedSerials = new ConcurrentHashMap<>();
    /** What the CA's records say of each serial in issuedSerials. */
    final Map<String, IssuedCertificate> issued = new ConcurrentHashMap<>();

    Device add(String name) {
        Device d = new Device(DeviceId.random(), TenantId.DEFAULT, ApplePlatform.ID, DeviceState.ENROLLED, new DeviceDescription(name, null, null, null, null),
                Instant.now(), null, null);
        devices.put(d.id(), d);
        return d;
    }

    CommandId queue(DeviceId device, String type, Map<String, Object> payload) {
        CommandId id = CommandId.random();
        queues.computeIfAbsent(device, k -> new ArrayDeque<>()).add(new PendingCommand(id, device, new CommandType(type), payload, 1));
        return id;
    }

    // DeviceRegistry
    @Override
    public Optional<Device> find(TenantId tenant, DeviceId id) {
        return Optional.ofNullable(devices.get(id)).filter(d -> d.tenant().equals(tenant));
    }

    @Override
    public Page<Device> list(TenantId tenant, DeviceQuery query) {
        List<Device> all = new ArrayList<>(devices.values());
        return new Page<>(all, all.size(), 0, all.size());
    }

    @Override
    public Device unenroll(TenantId tenant, DeviceId id, Actor actor) {
        Device d = devices.get(id);
        Device gone = new Device(d.id(), d.tenant(), d.platform(), DeviceState.UNENROLLED, d.description(), d.enrolledAt(), d.lastSeenAt(), d.push());
        devices.put(id, gone);
        return gone;
    }

    @Override
    public Optional<Device> findForDevicePlane(DeviceId id) {
        return Optional.ofNullable(devices.get(id));
    }

    @Override
    public void updatePush(DeviceId id, PushRegistration push) {
        Device d = devices.get(id);
        devices.put(id, new Device(d.id(), d.tenant(), d.platform(), d.state(), d.description(), d.enrolledAt(), d.lastSeenAt(), push));
    }

    @Override
    public void invalidatePush(DeviceId id, String reason) {
        Device d = devices.get(id);
        updatePush(id, d.push().invalidated());
    }

    // CommandService (device plane only)
    @Override
    public Command enqueue(TenantId tenant, CommandRequest request, Actor actor) {
        throw new UnsupportedOperationException("not used by the device plane");
    }

    @Override
    public Optional<Command> find(TenantId tenant, CommandId id) {
        return Optional.empty();
    }

    @Override
    public long cancel(TenantId tenant, CommandId id, Actor actor) {
        return 0;
    }

    @Override
    public Page<Delivery> history(TenantId tenant, DeviceId device, PageRequest page) {
        return new Page<>(List.of(), 0, 0, 0);
    }

    @Override
    public Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, List<CommandId> handOut, Map<String, byte[]> keep) {
        throw new UnsupportedOperationException("the Apple protocol hands out through nextFor and exchange");
    }

    @Override
    public Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max,
            java.util.function.Function<List<PendingCommand>, Map<String, byte[]>> keep) {
        throw new UnsupportedOperationException("the Apple protocol keeps no device values with its exchanges");
    }

    @Override
    public synchronized List<PendingCommand> nextFor(DeviceId device, int max) {
        Deque<PendingCommand> q = queues.getOrDefault(device, new ArrayDeque<>());
        if (q.isEmpty()) {
            return List.of();
        }
        PendingCommand c = q.poll();
        sent.put(c.id(), device);
        return List.of(c);
    }

    @Override
    public synchronized Completion complete(DeviceId device, CommandId command, CommandResult result) {
        if (!device.equals(sent.get(command))) {
            return Completion.UNKNOWN_COMMAND;
        }
        if (results.containsKey(command)) {
            return Completion.DUPLICATE;
        }
        results.put(command, result);
        return Completion.RECORDED;
    }

    Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device) {
        return inventory.latest(tenant, device);
    }

    private final class Inventory implements InventoryService {
        @Override
        public void record(DeviceId device, InventorySnapshot snapshot) {
            snapshots.computeIfAbsent(device, k -> new ArrayList<>()).add(snapshot);
            Device d = devices.get(device);
            devices.put(device, new Device(d.id(), d.tenant(), d.platform(), d.state(), d.description().updatedBy(snapshot.summary()), d.enrolledAt(),
                    d.lastSeenAt(), d.push()));
        }

        @Override
        public Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device) {
            List<InventorySnapshot> s = snapshots.getOrDefault(device, List.of());
            return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
        }

        @Override
        public Page<InventorySnapshot> history(TenantId tenant, DeviceId device, PageRequest page) {
            List<InventorySnapshot> s = snapshots.getOrDefault(device, List.of());
            return new Page<>(s, s.size(), 0, s.size());
        }
    }

    // DeviceAttributes
    @Override
    public void put(DeviceId device, String name, byte[] value) {
        if (value == null) {
            attributes.remove(device + "/" + name);
        } else {
            attributes.put(device + "/" + name, value);
        }
    }

    @Override
    public Optional<byte[]> get(DeviceId device, String name) {
        return Optional.ofNullable(attributes.get(device + "/" + name));
    }

    @Override
    public Optional<Snapshot> snapshot(DeviceId device, String prefix) {
        return findForDevicePlane(device).map(d -> new Snapshot(d, all(device, prefix)));
    }

    @Override
    public Map<String, byte[]> all(DeviceId device, String prefix) {
        Map<String, byte[]> out = new HashMap<>();
        attributes.forEach((k, v) -> {
            if (k.startsWith(device + "/" + prefix)) {
                out.put(k.substring(k.indexOf('/') + 1), v);
            }
        });
        return out;
    }

    // CertificateInventory
    @Override
    public Page<IssuedCertificate> list(TenantId tenant, PageRequest page) {
        return new Page<>(List.of(), 0, 0, 0);
    }

    @Override
    public boolean bindToDevice(String serial, DeviceId device) {
        return issuedSerials.containsKey(serial);
    }

    @Override
    public Optional<IssuedCertificate> find(String serial) {
        return Optional.ofNullable(issued.get(serial));
    }

    @Override
    public boolean revokeSuperseded(String serial) {
        IssuedCertificate c = issued.get(serial);
        if (c == null || c.status() == IssuedCertificate.Status.REVOKED) {
            return false;
        }
        issued.put(serial, new IssuedCertificate(c.serial(), c.tenant(), c.subject(), c.notBefore(), c.notAfter(), IssuedCertificate.Status.REVOKED,
                c.issuedAt(), c.pem()));
        return true;
    }
}
