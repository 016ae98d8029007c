package io.mooring.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mooring.api.Actor;
import io.mooring.api.AuditQuery;
import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandType;
import io.mooring.api.Completion;
import io.mooring.api.ConflictException;
import io.mooring.api.Delivery;
import io.mooring.api.DeliveryState;
import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceGroup;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceQuery;
import io.mooring.api.DeviceState;
import io.mooring.api.EnrollmentException;
import io.mooring.api.GroupId;
import io.mooring.api.GroupSpec;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.NotFoundException;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.api.admin.Role;
import io.mooring.api.store.AccountStore;
import io.mooring.api.store.AuditStore;
import io.mooring.api.store.CommandStore;
import io.mooring.api.store.DeviceStore;
import io.mooring.api.store.EnrollmentStore;
import io.mooring.api.store.InventoryStore;
import io.mooring.api.store.PlatformStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The stores' behaviour, run once on H2 and once on PostgreSQL by the subclasses. Each test works in
 * tenants and on a platform of its own, so tests sharing the class's database do not see each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoresContract {
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    static final Actor ADMIN = new Actor(Actor.Kind.ADMIN, "alice");

    TestDatabase db;
    TestStores stores;
    DeviceStore devices;
    EnrollmentStore enrollment;
    CommandStore commands;
    InventoryStore inventory;
    AuditStore audit;
    AccountStore accounts;
    PlatformStore platforms;

    void open(TestDatabase database) throws Exception {
        db = database;
        stores = new TestStores(database);
        devices = stores.devices;
        enrollment = stores.enrollment;
        commands = stores.commands;
        inventory = stores.inventory;
        audit = stores.audit;
        accounts = stores.accounts;
        platforms = stores.platforms;
    }

    @AfterAll
    void close() throws Exception {
        if (stores != null) {
            stores.close();
        } else if (db != null) {
            db.close();
        }
    }

    TenantId newTenant() {
        TenantId t = new TenantId("t-" + UUID.randomUUID().toString().substring(0, 8));
        accounts.createTenant(t, "Tenant " + t, NOW);
        return t;
    }

    static PlatformId newPlatform() {
        return new PlatformId("p-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** What the database's EXPLAIN prints for a statement, one line per row. */
    String plan(String explain) throws Exception {
        StringBuilder out = new StringBuilder();
        // the plan may follow other statements (a PREPARE): the rows of every result set
        try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            for (boolean rows = s.execute(explain); rows || s.getUpdateCount() != -1; rows = s.getMoreResults()) {
                if (rows) {
                    try (java.sql.ResultSet rs = s.getResultSet()) {
                        while (rs.next()) {
                            out.append(rs.getString(1)).append('\n');
                        }
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * The state a planner sees right after a fan-out: 300 devices of a new platform that completed three
     * earlier commands, statistics analyzed, then one more command fanned out, unknown to the statistics.
     * Returns the devices; the new command is {@link #freshCommand}.
     */
    List<DeviceId> devicesAfterFanOuts(String analyze) throws Exception {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        List<DeviceId> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(enroll(tenant, platform, "plan-" + i).id());
        }
        for (int round = 0; round < 3; round++) {
            CommandId old = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Old"), Map.of(), ADMIN, NOW, null, platform).id();
            for (DeviceId id : ids) {
                commands.exchange(id, Map.of(old, CommandResult.acknowledged(Map.of())), 0, NOW);
            }
        }
        try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute(analyze);
        }
        freshCommand = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("New"), Map.of(), ADMIN, NOW, null, platform).id();
        return ids;
    }

    /** The command {@link #devicesAfterFanOuts} fanned out last. */
    CommandId freshCommand;

    /** Commands Step0, Step1, ... (payload n = 0, 1, ...) queued to one device, oldest first. */
    List<CommandId> queued(TenantId tenant, Device d, int count) {
        List<CommandId> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(commands.insertForDevices(tenant, CommandId.random(), new CommandType("Step" + i), Map.of("n", i), ADMIN, NOW, null, List.of(d.id())).id());
        }
        return ids;
    }

    Device enroll(TenantId tenant, PlatformId platform, String name) {
        String hash = "tok-" + UUID.randomUUID();
        enrollment.createToken(tenant, platform, hash, NOW.plus(1, ChronoUnit.HOURS), 1, "admin:alice", NOW);
        return enrollment.enroll(hash, platform, new DeviceDescription(name, "Model X", "1.0", "SN-" + name, null), "cred-" + UUID.randomUUID(), NOW);
    }

    @Test
    void migrationsAreRecordedAndRerunChangesNothing() throws Exception {
        assertThat(db.migrate().schemaVersion()).isEqualTo(8);
        assertThat(db.migrate().schemaVersion()).isEqualTo(8);
    }

    @Test
    void aScepChallengeIsRedeemedOnceBeforeItExpires() {
        TenantId tenant = newTenant();
        stores.pki.createChallenge(tenant, "h-once", "test", NOW.plusSeconds(60), NOW);
        stores.pki.createChallenge(tenant, "h-old", "test", NOW.minusSeconds(1), NOW.minusSeconds(60));

        assertThat(stores.pki.redeemChallenge("h-once", NOW)).isEqualTo(new io.mooring.api.store.PkiStore.RedeemedChallenge(
                io.mooring.api.store.PkiStore.Redemption.REDEEMED, tenant, "test"));
        assertThat(stores.pki.redeemChallenge("h-once", NOW).outcome()).isEqualTo(io.mooring.api.store.PkiStore.Redemption.USED);
        assertThat(stores.pki.redeemChallenge("h-old", NOW).outcome()).isEqualTo(io.mooring.api.store.PkiStore.Redemption.EXPIRED);
        assertThat(stores.pki.redeemChallenge("h-none", NOW).outcome()).isEqualTo(io.mooring.api.store.PkiStore.Redemption.UNKNOWN);
    }

    @Test
    void aSupersededCertificateIsRevokedOnceAndListed() {
        TenantId tenant = newTenant();
        String serial = Long.toHexString(System.nanoTime());
        // the revocation list names certificates still valid by the clock (not the tests' fixed NOW): valid for a year from today
        stores.pki.recordCertificate(new io.mooring.api.pki.IssuedCertificate(serial, tenant, "CN=renewed,O=Mooring", NOW.minusSeconds(60),
                Instant.now().plus(365, ChronoUnit.DAYS), io.mooring.api.pki.IssuedCertificate.Status.VALID, NOW.minusSeconds(60), "pem"));

        assertThat(stores.pki.revoke(serial, NOW)).isTrue();
        assertThat(stores.pki.revoke(serial, NOW.plusSeconds(1))).as("already revoked").isFalse();
        assertThat(stores.pki.revoke("ffff" + serial, NOW)).as("unknown").isFalse();
        assertThat(stores.pki.findCertificate(serial)).hasValueSatisfying(c -> assertThat(c.status())
                .isEqualTo(io.mooring.api.pki.IssuedCertificate.Status.REVOKED));
        assertThat(stores.pki.revoked()).contains(new io.mooring.api.store.PkiStore.Revoked(serial, NOW));
    }

    @Test
    void devicesKeepPluginValuesThatCanBeReplacedAndRemoved() {
        TenantId tenant = newTenant();
        Device device = enroll(tenant, new PlatformId("apple"), "attrs");
        byte[] token = {1, 2, 3, (byte) 0xff};

        stores.attributes.put(device.id(), "apple.unlock-token", token);
        stores.attributes.put(device.id(), "apple.identity-serial", "abc".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        stores.attributes.put(device.id(), "apple.unlock-token", new byte[] {9});

        assertThat(stores.attributes.get(device.id(), "apple.unlock-token")).hasValueSatisfying(v -> assertThat(v).containsExactly(9));
        assertThat(stores.attributes.all(device.id(), "apple.")).containsOnlyKeys("apple.identity-serial", "apple.unlock-token");
        stores.attributes.put(device.id(), "apple.unlock-token", null);
        assertThat(stores.attributes.get(device.id(), "apple.unlock-token")).isEmpty();
        assertThat(stores.attributes.get(device.id(), "apple.identity-serial")).isPresent();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stores.attributes.put(io.mooring.api.DeviceId.random(), "apple.x", token))
                .isInstanceOf(io.mooring.api.NotFoundException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stores.attributes.put(device.id(), "Bad Name", token))
                .isInstanceOf(io.mooring.api.ValidationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stores.attributes.put(device.id(), "apple.big", new byte[20_000]))
                .isInstanceOf(io.mooring.api.ValidationException.class);
    }

    @Test
    void enrollmentSpendsTheTokenAndCreatesTheDeviceInTheTokensTenant() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        enrollment.createToken(tenant, platform, "hash-two-uses", NOW.plus(1, ChronoUnit.HOURS), 2, "admin:alice", NOW);

        Device first = enrollment.enroll("hash-two-uses", platform, new DeviceDescription("one", null, null, null, null), "c1", NOW);
        enrollment.enroll("hash-two-uses", platform, DeviceDescription.EMPTY, "c2", NOW);

        assertThat(first.tenant()).isEqualTo(tenant);
        assertThat(first.state()).isEqualTo(DeviceState.ENROLLED);
        assertThat(devices.findByCredential(platform, "c1")).map(Device::id).contains(first.id());
        assertThatThrownBy(() -> enrollment.enroll("hash-two-uses", platform, DeviceDescription.EMPTY, "c3", NOW))
                .isInstanceOf(EnrollmentException.class).hasMessageContaining("used up");
        assertThat(devices.findByCredential(platform, "c3")).isEmpty();
        assertThat(devices.list(tenant, new DeviceQuery(null, null, null, null)).total()).isEqualTo(2);
    }

    @Test
    void enrollmentRefusesExpiredUnknownAndOtherPlatformTokens() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        enrollment.createToken(tenant, platform, "hash-expired", NOW.minusSeconds(1), 5, "admin:alice", NOW.minus(1, ChronoUnit.HOURS));
        enrollment.createToken(tenant, platform, "hash-ok", NOW.plusSeconds(60), 5, "admin:alice", NOW);

        assertThatThrownBy(() -> enrollment.enroll("hash-expired", platform, DeviceDescription.EMPTY, "x1", NOW)).hasMessageContaining("expired");
        assertThatThrownBy(() -> enrollment.enroll("nope", platform, DeviceDescription.EMPTY, "x2", NOW)).hasMessageContaining("not valid");
        assertThatThrownBy(() -> enrollment.enroll("hash-ok", newPlatform(), DeviceDescription.EMPTY, "x3", NOW)).hasMessageContaining("another platform");
        assertThat(devices.list(tenant, new DeviceQuery(null, null, null, null)).total()).isZero();
    }

    @Test
    void groupsHaveUniqueNamesPerTenantAndKeepTheirSettings() {
        TenantId a = newTenant();
        TenantId b = newTenant();
        io.mooring.api.store.GroupStore groups = stores.groups;
        GroupSpec kiosks = new GroupSpec("Kiosks", "lobby PCs", Map.of("windows.poll.minutes", "15"));
        DeviceGroup created = groups.insert(a, GroupId.random(), kiosks, "admin:alice", NOW);
        assertThat(created.name()).isEqualTo("Kiosks");
        assertThat(created.setting("windows.poll.minutes")).isEqualTo("15");
        assertThat(created.members()).isZero();
        assertThat(created.createdAt()).isEqualTo(NOW);

        assertThatThrownBy(() -> groups.insert(a, GroupId.random(), new GroupSpec("Kiosks", null, null), "admin:alice", NOW))
                .isInstanceOf(ConflictException.class).hasMessageContaining("Kiosks");
        // another tenant may use the name, and sees nothing of the first tenant's group
        DeviceGroup theirs = groups.insert(b, GroupId.random(), new GroupSpec("Kiosks", null, null), "admin:bob", NOW);
        assertThat(groups.find(b, created.id())).isEmpty();
        assertThat(groups.update(b, created.id(), new GroupSpec("Mine now", null, null), NOW)).isEmpty();
        assertThat(groups.delete(b, created.id())).isEmpty();
        assertThat(groups.list(b, PageRequest.first(10)).items()).extracting(DeviceGroup::id).containsExactly(theirs.id());

        groups.insert(a, GroupId.random(), new GroupSpec("Accounting", null, null), "admin:alice", NOW);
        DeviceGroup renamed = groups.update(a, created.id(), new GroupSpec("Lobby kiosks", null, Map.of()), NOW.plusSeconds(5)).orElseThrow();
        assertThat(renamed.settings()).isEmpty();
        assertThat(renamed.description()).isNull();
        assertThatThrownBy(() -> groups.update(a, created.id(), new GroupSpec("Accounting", null, null), NOW))
                .isInstanceOf(ConflictException.class);
        assertThat(groups.find(a, created.id()).orElseThrow().name()).isEqualTo("Lobby kiosks");
        assertThat(groups.list(a, PageRequest.first(10)).items()).extracting(DeviceGroup::name).containsExactly("Accounting", "Lobby kiosks");
        assertThat(groups.list(a, new PageRequest(1, 1)).total()).isEqualTo(2);
    }

    @Test
    void groupMembersAreAddedAllOrNothingAndCommandsReachTheEnrolledOnesOfThePlatform() {
        TenantId tenant = newTenant();
        TenantId other = newTenant();
        PlatformId windows = newPlatform();
        PlatformId apple = newPlatform();
        io.mooring.api.store.GroupStore groups = stores.groups;
        Device pc1 = enroll(tenant, windows, "pc1");
        Device pc2 = enroll(tenant, windows, "pc2");
        Device gone = enroll(tenant, windows, "gone");
        Device phone = enroll(tenant, apple, "phone");
        Device outsider = enroll(other, windows, "outsider");
        Device notInGroup = enroll(tenant, windows, "elsewhere");
        DeviceGroup group = groups.insert(tenant, GroupId.random(), new GroupSpec("Lab", null, null), "admin:alice", NOW);

        assertThatThrownBy(() -> groups.addMembers(tenant, group.id(), List.of(pc1.id(), outsider.id()), NOW))
                .isInstanceOf(NotFoundException.class).hasMessageContaining(outsider.id().toString());
        assertThat(groups.members(tenant, group.id(), PageRequest.first(10)).total()).isZero();
        assertThatThrownBy(() -> groups.addMembers(tenant, GroupId.random(), List.of(pc1.id()), NOW)).isInstanceOf(NotFoundException.class);

        assertThat(groups.addMembers(tenant, group.id(), List.of(pc1.id(), pc2.id(), gone.id(), phone.id()), NOW)).hasSize(4);
        assertThat(groups.addMembers(tenant, group.id(), List.of(pc1.id(), pc1.id()), NOW)).isEmpty();
        assertThat(groups.find(tenant, group.id()).orElseThrow().members()).isEqualTo(4);
        assertThat(groups.groupsOf(pc1.id())).extracting(DeviceGroup::name).containsExactly("Lab");
        assertThat(groups.groupsOf(notInGroup.id())).isEmpty();
        assertThat(groups.members(tenant, group.id(), PageRequest.first(10)).items()).extracting(Device::id)
                .containsExactlyInAnyOrder(pc1.id(), pc2.id(), gone.id(), phone.id());
        assertThat(groups.members(other, group.id(), PageRequest.first(10)).total()).isZero();
        devices.unenroll(tenant, gone.id(), NOW);

        Command lock = commands.insertForGroup(tenant, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, null, group.id(), windows);
        assertThat(lock.deliveries().get(DeliveryState.QUEUED)).isEqualTo(2);
        assertThat(commands.nextFor(pc1.id(), 5, NOW)).extracting(PendingCommand::id).containsExactly(lock.id());
        assertThat(commands.nextFor(phone.id(), 5, NOW)).isEmpty();
        assertThat(commands.nextFor(notInGroup.id(), 5, NOW)).isEmpty();
        assertThat(commands.insertForGroup(other, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, null, group.id(), windows)
                .deliveries().get(DeliveryState.QUEUED)).isZero();

        // a token into the group: its device joins as it is created; once the group is gone, the token enrolls into none
        enrollment.createToken(tenant, windows, "into-lab-" + group.id(), NOW.plus(1, ChronoUnit.HOURS), 2, group.id(), "admin:alice", NOW);
        Device pc3 = enrollment.enroll("into-lab-" + group.id(), windows, DeviceDescription.EMPTY, "cred-" + UUID.randomUUID(), NOW);
        assertThat(groups.groupsOf(pc3.id())).extracting(DeviceGroup::id).containsExactly(group.id());
        assertThat(groups.removeMembers(tenant, group.id(), List.of(pc2.id(), notInGroup.id(), pc3.id()))).containsExactlyInAnyOrder(pc2.id(), pc3.id());
        assertThat(groups.delete(tenant, group.id()).orElseThrow()).containsExactlyInAnyOrder(pc1.id(), gone.id(), phone.id());
        assertThat(groups.groupsOf(pc1.id())).isEmpty();
        assertThat(groups.find(tenant, group.id())).isEmpty();
        Device pc4 = enrollment.enroll("into-lab-" + group.id(), windows, DeviceDescription.EMPTY, "cred-" + UUID.randomUUID(), NOW);
        assertThat(groups.groupsOf(pc4.id())).isEmpty();
        assertThat(devices.find(tenant, pc1.id())).isPresent();
    }

    @Test
    void oneTenantNeitherSeesNorCommandsAnothersDevices() {
        TenantId a = newTenant();
        TenantId b = newTenant();
        PlatformId platform = newPlatform();
        Device mine = enroll(a, platform, "mine");

        assertThat(devices.find(a, mine.id())).isPresent();
        assertThat(devices.find(b, mine.id())).isEmpty();
        assertThat(devices.list(b, new DeviceQuery(platform, null, null, null)).items()).isEmpty();
        assertThat(devices.unenroll(b, mine.id(), NOW)).isEmpty();
        assertThat(commands.enrolledPlatforms(b, List.of(mine.id()))).isEmpty();
        assertThatThrownBy(() -> commands.insertForDevices(b, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, null, List.of(mine.id())))
                .isInstanceOf(NotFoundException.class);
        Command toPlatform = commands.insertForPlatform(b, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, null, platform);
        assertThat(toPlatform.deliveries().get(DeliveryState.QUEUED)).isZero();
        assertThat(commands.nextFor(mine.id(), 10, NOW)).isEmpty();
        assertThat(commands.find(a, toPlatform.id())).isEmpty();
        audit.append(a, NOW, ADMIN, "device.viewed", mine.id().toString(), null);
        assertThat(audit.list(b, new AuditQuery("device.viewed", null, null, null)).items()).isEmpty();
        assertThat(audit.list(a, new AuditQuery("device.viewed", null, null, null)).items()).hasSize(1);
    }

    @Test
    void devicesAreListedByPlatformStateAndText() {
        TenantId tenant = newTenant();
        PlatformId p1 = newPlatform();
        PlatformId p2 = newPlatform();
        Device kitchen = enroll(tenant, p1, "kitchen-ipad");
        enroll(tenant, p1, "lobby-kiosk");
        enroll(tenant, p2, "ceo-laptop");
        devices.unenroll(tenant, kitchen.id(), NOW);

        assertThat(devices.list(tenant, new DeviceQuery(p1, null, null, null)).total()).isEqualTo(2);
        assertThat(devices.list(tenant, new DeviceQuery(p1, DeviceState.ENROLLED, null, null)).items())
                .extracting(d -> d.description().name()).containsExactly("lobby-kiosk");
        assertThat(devices.list(tenant, new DeviceQuery(null, null, "LAPTOP", null)).items())
                .extracting(d -> d.description().name()).containsExactly("ceo-laptop");
        assertThat(devices.list(tenant, new DeviceQuery(null, null, "sn-lobby", null)).total()).isEqualTo(1);
        assertThat(devices.list(tenant, new DeviceQuery(null, null, null, new PageRequest(1, 1))).items()).hasSize(1);
    }

    @Test
    void commandsAreDeliveredOldestFirstAndResultsAreIdempotent() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "d");
        Command first = commands.insertForDevices(tenant, CommandId.random(), new CommandType("Lock"), Map.of("message", "hi"), ADMIN, NOW, null, List.of(d.id()));
        Command second = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Restart"), Map.of(), ADMIN, NOW, null, platform);

        List<PendingCommand> next = commands.nextFor(d.id(), 1, NOW);
        assertThat(next).extracting(PendingCommand::id).containsExactly(first.id());
        assertThat(next.get(0).payload()).containsEntry("message", "hi");
        assertThat(next.get(0).attempt()).isEqualTo(1);
        // asked again without answering: the same command comes again (at-least-once)
        assertThat(commands.nextFor(d.id(), 1, NOW).get(0).attempt()).isEqualTo(2);

        assertThat(commands.complete(d.id(), first.id(), CommandResult.acknowledged(Map.of("ok", true)), NOW)).isEqualTo(Completion.RECORDED);
        assertThat(commands.complete(d.id(), first.id(), CommandResult.acknowledged(Map.of()), NOW)).isEqualTo(Completion.DUPLICATE);
        assertThat(commands.complete(d.id(), CommandId.random(), CommandResult.acknowledged(Map.of()), NOW)).isEqualTo(Completion.UNKNOWN_COMMAND);

        assertThat(commands.nextFor(d.id(), 5, NOW)).extracting(PendingCommand::id).containsExactly(second.id());
        assertThat(commands.complete(d.id(), second.id(), CommandResult.notNow(), NOW)).isEqualTo(Completion.REQUEUED);
        assertThat(commands.find(tenant, second.id()).orElseThrow().deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);
        assertThat(commands.complete(d.id(), second.id(), CommandResult.error("busy", Map.of()), NOW)).isEqualTo(Completion.RECORDED);

        var history = commands.history(tenant, d.id(), PageRequest.first(10));
        assertThat(history.total()).isEqualTo(2);
        assertThat(history.items().get(0).state()).isEqualTo(DeliveryState.ERROR);
        assertThat(history.items().get(0).result().error()).isEqualTo("busy");
        assertThat(history.items().get(1).result().data()).containsEntry("ok", true);
        assertThat(commands.find(tenant, first.id()).orElseThrow().deliveries().get(DeliveryState.ACKNOWLEDGED)).isEqualTo(1);
    }

    @Test
    void anExchangeRecordsAnswersAndHandsOutTheNextCommandsInOneGo() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "x");
        List<CommandId> ids = queued(tenant, d, 5);
        assertThat(commands.nextFor(d.id(), 2, NOW)).extracting(PendingCommand::id).containsExactly(ids.get(0), ids.get(1));
        Map<CommandId, CommandResult> answers = new java.util.LinkedHashMap<>();
        answers.put(ids.get(0), CommandResult.acknowledged(Map.of("n", 0)));
        answers.put(ids.get(1), CommandResult.error("refused", Map.of()));
        CommandId stranger = CommandId.random();
        answers.put(stranger, CommandResult.acknowledged(Map.of()));

        var exchange = commands.exchange(d.id(), answers, 2, NOW);

        assertThat(exchange.completions()).containsEntry(ids.get(0), Completion.RECORDED).containsEntry(ids.get(1), Completion.RECORDED)
                .containsEntry(stranger, Completion.UNKNOWN_COMMAND);
        assertThat(exchange.next()).extracting(PendingCommand::id).containsExactly(ids.get(2), ids.get(3));
        assertThat(exchange.next()).extracting(PendingCommand::attempt).containsOnly(1);
        assertThat(commands.find(tenant, ids.get(1)).orElseThrow().deliveries().get(DeliveryState.ERROR)).isEqualTo(1);
        // the same answers again change nothing; answering only, nothing is handed out
        var again = commands.exchange(d.id(), Map.of(ids.get(0), CommandResult.acknowledged(Map.of())), 0, NOW);
        assertThat(again.completions()).containsEntry(ids.get(0), Completion.DUPLICATE);
        assertThat(again.next()).isEmpty();
        assertThat(commands.find(tenant, ids.get(4)).orElseThrow().deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);
    }

    @Test
    void aCommandTheDeviceCannotRunNowIsNotHandedStraightBackByTheSameExchange() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "busy");
        List<CommandId> ids = queued(tenant, d, 3);
        assertThat(commands.nextFor(d.id(), 1, NOW)).extracting(PendingCommand::id).containsExactly(ids.get(0));

        var busy = commands.exchange(d.id(), Map.of(ids.get(0), CommandResult.notNow()), 1, NOW);

        assertThat(busy.completions()).containsExactly(Map.entry(ids.get(0), Completion.REQUEUED));
        assertThat(busy.next()).extracting(PendingCommand::id).containsExactly(ids.get(1));
        assertThat(commands.find(tenant, ids.get(0)).orElseThrow().deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);
        // answered with data and an error next to the requeued one: each row gets its own result
        Map<CommandId, CommandResult> answers = new java.util.LinkedHashMap<>();
        answers.put(ids.get(1), CommandResult.acknowledged(Map.of("battery", 0.5)));
        var done = commands.exchange(d.id(), answers, 5, NOW.plusSeconds(1));
        assertThat(done.completions()).containsExactly(Map.entry(ids.get(1), Completion.RECORDED));
        // the requeued command is the oldest again, on its second attempt
        assertThat(done.next()).extracting(PendingCommand::id).containsExactly(ids.get(0), ids.get(2));
        assertThat(done.next()).extracting(PendingCommand::attempt).containsExactly(2, 1);
        var failed = commands.exchange(d.id(), Map.of(ids.get(0), CommandResult.error("locked", Map.of("code", 12))), 0, NOW.plusSeconds(2));
        assertThat(failed.completions()).containsExactly(Map.entry(ids.get(0), Completion.RECORDED));
        var history = commands.history(tenant, d.id(), PageRequest.first(10)).items();
        assertThat(history).extracting(Delivery::state).containsExactly(DeliveryState.SENT, DeliveryState.ACKNOWLEDGED, DeliveryState.ERROR);
        assertThat(history.get(1).result().data()).containsEntry("battery", 0.5);
        assertThat(history.get(1).completedAt()).isEqualTo(NOW.plusSeconds(1));
        assertThat(history.get(2).result().error()).isEqualTo("locked");
        assertThat(history.get(2).result().data()).containsEntry("code", 12);
        assertThat(history.get(2).completedAt()).isEqualTo(NOW.plusSeconds(2));
    }

    @Test
    void anExchangeKeepsTheValuesComputedFromItsHandOutInTheSameTransaction() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "keep");
        CommandId first = commands.insertForDevices(tenant, CommandId.random(), new CommandType("One"), Map.of(), ADMIN, NOW, null, List.of(d.id())).id();
        CommandId second = commands.insertForDevices(tenant, CommandId.random(), new CommandType("Two"), Map.of(), ADMIN, NOW, null, List.of(d.id())).id();
        stores.attributes.put(d.id(), "test.gone", new byte[] {9});

        // the first message of a session: nothing to answer yet
        var opened = commands.exchange(d.id(), Map.of(), 1, NOW, next -> {
            Map<String, byte[]> kept = new java.util.HashMap<>();
            kept.put("test.session", next.get(0).id().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            kept.put("test.gone", null);
            return kept;
        });
        assertThat(opened.next()).extracting(PendingCommand::id).containsExactly(first);
        assertThat(stores.attributes.all(d.id(), "test.")).containsOnlyKeys("test.session");
        assertThat(new String(stores.attributes.get(d.id(), "test.session").orElseThrow(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(first.toString());

        // a value the attributes would refuse: nothing of the exchange is recorded, not the answer, not the hand-out
        assertThatThrownBy(() -> commands.exchange(d.id(), Map.of(first, CommandResult.acknowledged(Map.of())), 1, NOW,
                next -> Map.of("Not A Name", new byte[] {1}))).isInstanceOf(io.mooring.api.ValidationException.class);
        assertThat(commands.find(tenant, first).orElseThrow().deliveries().get(DeliveryState.SENT)).isEqualTo(1);
        assertThat(commands.find(tenant, second).orElseThrow().deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);

        var answered = commands.exchange(d.id(), Map.of(first, CommandResult.acknowledged(Map.of())), 1, NOW,
                next -> Map.of("test.session", next.get(0).id().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(answered.completions()).containsExactly(Map.entry(first, Completion.RECORDED));
        assertThat(answered.next()).extracting(PendingCommand::id).containsExactly(second);
        assertThat(new String(stores.attributes.get(d.id(), "test.session").orElseThrow(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(second.toString());
    }

    @Test
    void aSnapshotBringsTheOpenCommandsAndAnExchangeHandsOutExactlyThoseListedWithTheValuesToKeep() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "pick");
        List<CommandId> ids = queued(tenant, d, 4);
        CommandId expired = commands.insertForDevices(tenant, CommandId.random(), new CommandType("Late"), Map.of(), ADMIN, NOW,
                java.time.Instant.now().minusSeconds(1), List.of(d.id())).id();
        commands.exchange(d.id(), Map.of(), 1, NOW); // ids 0 sent once
        commands.exchange(d.id(), Map.of(ids.get(0), CommandResult.acknowledged(Map.of())), 0, NOW);
        commands.nextFor(d.id(), 1, NOW); // ids 1 sent once
        stores.attributes.put(d.id(), "test.a", new byte[] {1});
        stores.attributes.put(d.id(), "test.b", new byte[] {2});

        var snapshot = stores.attributes.snapshot(d.id(), "test.", 10).orElseThrow();
        assertThat(snapshot.device().id()).isEqualTo(d.id());
        assertThat(snapshot.values()).containsOnlyKeys("test.a", "test.b");
        assertThat(snapshot.open()).extracting(PendingCommand::id).containsExactly(ids.get(1), ids.get(2), ids.get(3)).doesNotContain(expired);
        assertThat(snapshot.open()).extracting(PendingCommand::attempt).containsExactly(2, 1, 1);
        assertThat(snapshot.open().get(1).payload()).containsEntry("n", 2);
        assertThat(stores.attributes.snapshot(d.id(), "test.", 1).orElseThrow().open()).extracting(PendingCommand::id).containsExactly(ids.get(1));
        assertThat(stores.attributes.snapshot(io.mooring.api.DeviceId.random(), "test.", 5)).isEmpty();
        assertThat(stores.attributes.snapshot(d.id(), "test.").orElseThrow().open()).as("a snapshot without commands").isEmpty();

        Map<String, byte[]> keep = new java.util.HashMap<>();
        keep.put("test.a", new byte[] {7});
        keep.put("test.b", null);
        var done = commands.exchange(d.id(), Map.of(ids.get(1), CommandResult.acknowledged(Map.of("ok", true))), List.of(ids.get(2), ids.get(3)), keep, NOW);
        assertThat(done.completions()).containsExactly(Map.entry(ids.get(1), Completion.RECORDED));
        assertThat(done.next()).extracting(PendingCommand::id).containsExactly(ids.get(2), ids.get(3));
        assertThat(done.next()).extracting(PendingCommand::attempt).containsExactly(1, 1);
        assertThat(done.next().get(1).type().name()).isEqualTo("Step3");
        assertThat(stores.attributes.all(d.id(), "test.")).containsOnlyKeys("test.a");
        assertThat(stores.attributes.get(d.id(), "test.a").orElseThrow()).containsExactly(7);
        assertThat(commands.find(tenant, ids.get(3)).orElseThrow().deliveries().get(DeliveryState.SENT)).isEqualTo(1);

        // one listed command is no longer open: the answers are recorded, the others handed out, the values not written
        commands.exchange(d.id(), Map.of(ids.get(2), CommandResult.acknowledged(Map.of())), 0, NOW);
        var stale = commands.exchange(d.id(), Map.of(ids.get(3), CommandResult.error("no", Map.of())), List.of(ids.get(2)),
                Map.of("test.a", new byte[] {8}), NOW);
        assertThat(stale.completions()).containsExactly(Map.entry(ids.get(3), Completion.RECORDED));
        assertThat(stale.next()).isEmpty();
        assertThat(stores.attributes.get(d.id(), "test.a").orElseThrow()).containsExactly(7);
        // nothing to record, hand out or keep: nothing happens
        assertThat(commands.exchange(d.id(), Map.of(), List.of(), Map.of(), NOW).next()).isEmpty();
    }

    @Test
    void aSnapshotReadsTheDeviceWithTheValuesUnderOnePrefix() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "snap");
        Device bare = enroll(tenant, platform, "bare");
        stores.attributes.put(d.id(), "apple.udid", new byte[] {1});
        stores.attributes.put(d.id(), "apple.identity", new byte[] {2, 3});
        stores.attributes.put(d.id(), "applex.other", new byte[] {4});
        stores.attributes.put(d.id(), "apple_x", new byte[] {5});

        var snapshot = stores.attributes.snapshot(d.id(), "apple.").orElseThrow();
        assertThat(snapshot.device()).isEqualTo(devices.findAnyTenant(d.id()).orElseThrow());
        assertThat(snapshot.values()).containsOnlyKeys("apple.identity", "apple.udid");
        assertThat(snapshot.values().get("apple.identity")).containsExactly(2, 3);
        assertThat(stores.attributes.snapshot(d.id(), "apple_").orElseThrow().values()).containsOnlyKeys("apple_x");
        assertThat(stores.attributes.snapshot(bare.id(), "apple.").orElseThrow().values()).isEmpty();
        assertThat(stores.attributes.snapshot(bare.id(), "apple.").orElseThrow().device().id()).isEqualTo(bare.id());
        assertThat(stores.attributes.snapshot(DeviceId.random(), "apple.")).isEmpty();
    }

    @Test
    void fanOutToAPlatformReachesEveryEnrolledDeviceOnce() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        List<DeviceId> ids = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            ids.add(enroll(tenant, platform, "fleet-" + i).id());
        }
        devices.unenroll(tenant, ids.get(0), NOW);

        Command byPlatform = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Restart"), Map.of(), ADMIN, NOW, null, platform);
        assertThat(byPlatform.deliveries().get(DeliveryState.QUEUED)).isEqualTo(599);

        List<DeviceId> named = ids.subList(1, ids.size());
        assertThat(commands.enrolledPlatforms(tenant, named)).hasSize(599);
        Command byIds = commands.insertForDevices(tenant, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, null, named);
        assertThat(byIds.deliveries().get(DeliveryState.QUEUED)).isEqualTo(599);

        assertThat(commands.cancel(tenant, byIds.id(), NOW)).isEqualTo(599);
        assertThat(commands.find(tenant, byIds.id()).orElseThrow().deliveries().get(DeliveryState.CANCELED)).isEqualTo(599);
    }

    @Test
    void aNamedDeviceThatIsNotEnrolledQueuesNothing() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device ok = enroll(tenant, platform, "ok");
        Device gone = enroll(tenant, platform, "gone");
        devices.unenroll(tenant, gone.id(), NOW);
        CommandId id = CommandId.random();

        assertThatThrownBy(() -> commands.insertForDevices(tenant, id, new CommandType("Lock"), Map.of(), ADMIN, NOW, null, List.of(ok.id(), gone.id())))
                .isInstanceOf(NotFoundException.class);
        assertThat(commands.find(tenant, id)).isEmpty();
        assertThat(commands.nextFor(ok.id(), 5, NOW)).isEmpty();
    }

    @Test
    void aPayloadTooLargeForItsColumnIsRefusedBeforeAnyWrite() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "big");
        CommandId id = CommandId.random();
        Map<String, Object> huge = Map.of("blob", "x".repeat(Json.MAX_CHARS));
        assertThatThrownBy(() -> commands.insertForPlatform(tenant, id, new CommandType("Lock"), huge, ADMIN, NOW, null, platform))
                .isInstanceOf(io.mooring.api.ValidationException.class);
        assertThat(commands.find(tenant, id)).isEmpty();
        assertThat(commands.nextFor(d.id(), 5, NOW)).isEmpty();
    }

    @Test
    void unenrollCancelsUndeliveredCommandsAndDropsTheCredential() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "leaving");
        String credential = "cred-leaving";
        enrollment.createToken(tenant, platform, "hash-leaving", NOW.plusSeconds(60), 1, "admin:alice", NOW);
        Device e = enrollment.enroll("hash-leaving", platform, DeviceDescription.EMPTY, credential, NOW);
        Command c = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, null, platform);

        assertThat(devices.unenroll(tenant, e.id(), NOW)).map(Device::state).contains(DeviceState.UNENROLLED);
        assertThat(devices.findByCredential(platform, credential)).isEmpty();
        Command after = commands.find(tenant, c.id()).orElseThrow();
        assertThat(after.deliveries().get(DeliveryState.CANCELED)).isEqualTo(1);
        assertThat(after.deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);
        assertThat(d.state()).isEqualTo(DeviceState.ENROLLED);
    }

    @Test
    void expiryRequeueAndPruning() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        Device d = enroll(tenant, platform, "d");
        Command expiring = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, NOW.plusSeconds(10), platform);
        Command lasting = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Restart"), Map.of(), ADMIN, NOW, null, platform);

        assertThat(commands.nextFor(d.id(), 5, NOW.plusSeconds(11))).extracting(PendingCommand::id).containsExactly(lasting.id());
        assertThat(commands.expire(NOW.plusSeconds(11))).isEqualTo(1);
        assertThat(commands.find(tenant, expiring.id()).orElseThrow().deliveries().get(DeliveryState.EXPIRED)).isEqualTo(1);

        assertThat(commands.requeueSent(platform)).isEqualTo(1);
        assertThat(commands.find(tenant, lasting.id()).orElseThrow().deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);

        commands.nextFor(d.id(), 5, NOW);
        commands.complete(d.id(), lasting.id(), CommandResult.acknowledged(Map.of()), NOW.plusSeconds(20));
        assertThat(commands.prune(NOW.plusSeconds(30))).isGreaterThanOrEqualTo(1);
        assertThat(commands.find(tenant, lasting.id())).isEmpty();
        assertThat(commands.find(tenant, expiring.id())).isPresent();
    }

    @Test
    void housekeepingRunsOnOneNodeAtATime() throws Exception {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        enroll(tenant, platform, "hk");
        commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, NOW.plusSeconds(1), platform);
        if (db.kind() == TestDatabase.Kind.POSTGRES) {
            // another node holds the lock for the length of its run
            try (java.sql.Connection other = db.dataSource().getConnection()) {
                other.setAutoCommit(false);
                try (java.sql.Statement s = other.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + JdbcCommandStore.HOUSEKEEPING_LOCK + ")");
                }
                assertThat(commands.housekeep(NOW.plusSeconds(5), NOW).ran()).isFalse();
                other.rollback();
            }
        }
        CommandStore.Housekeeping run = commands.housekeep(NOW.plusSeconds(5), NOW);
        assertThat(run.ran()).isTrue();
        assertThat(run.expired()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void pushTargetsAreStreamedInBatchesSkippingInvalidTokens() {
        TenantId tenant = newTenant();
        PlatformId platform = newPlatform();
        List<Device> fleet = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Device d = enroll(tenant, platform, "p" + i);
            fleet.add(d);
            devices.updatePush(d.id(), new PushRegistration("apns", "token-" + i, "com.apple.mgmt.x", "magic", i != 3));
        }
        Command c = commands.insertForPlatform(tenant, CommandId.random(), new CommandType("Lock"), Map.of(), ADMIN, NOW, null, platform);
        List<List<Device>> batches = new ArrayList<>();
        commands.forEachPushTarget(c.id(), 4, batches::add);

        assertThat(batches).hasSize(2);
        assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(6);
        assertThat(batches.stream().flatMap(List::stream).map(x -> x.push().token())).doesNotContain("token-3").doesNotHaveDuplicates();
    }

    @Test
    void inventoryKeepsSnapshotsAndUpdatesTheDeviceSummary() {
        TenantId tenant = newTenant();
        Device d = enroll(tenant, newPlatform(), "inv");
        inventory.record(d.id(), new InventorySnapshot(NOW.plusSeconds(5), new DeviceDescription(null, "Model Y", "2.0", null, "hw-1"),
                Map.of("battery", 0.5, "apps", List.of("a", "b"))));
        inventory.record(d.id(), new InventorySnapshot(NOW.plusSeconds(10), new DeviceDescription(null, null, "2.1", null, null), Map.of("battery", 0.4)));

        InventorySnapshot latest = inventory.latest(tenant, d.id()).orElseThrow();
        assertThat(latest.facts()).containsEntry("battery", 0.4);
        assertThat(inventory.history(tenant, d.id(), PageRequest.first(10)).total()).isEqualTo(2);
        Device after = devices.find(tenant, d.id()).orElseThrow();
        assertThat(after.description().model()).isEqualTo("Model Y");
        assertThat(after.description().osVersion()).isEqualTo("2.1");
        assertThat(after.description().name()).isEqualTo("inv");
        assertThat(after.lastSeenAt()).isEqualTo(NOW.plusSeconds(10));
        assertThat(inventory.latest(newTenant(), d.id())).isEmpty();
    }

    @Test
    void accountsTokensAndPlatforms() {
        TenantId tenant = newTenant();
        String user = "u-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.createAccount(user, tenant, Role.OPERATOR, "hash", NOW);
        assertThat(accounts.findAccount(user)).map(a -> a.account().role()).contains(Role.OPERATOR);
        assertThat(accounts.listAccounts(tenant)).hasSize(1);

        String tokenId = UUID.randomUUID().toString();
        accounts.createToken(tokenId, user, tenant, "ci", Role.AUDITOR, "secret-hash-" + tokenId, NOW, NOW.plus(Duration.ofDays(1)));
        assertThat(accounts.findTokenByHash("secret-hash-" + tokenId)).map(AccountStore.StoredToken::revoked).contains(false);
        assertThat(accounts.revokeToken(user, tokenId)).isTrue();
        assertThat(accounts.revokeToken(user, tokenId)).isFalse();
        assertThat(accounts.findTokenByHash("secret-hash-" + tokenId)).map(AccountStore.StoredToken::revoked).contains(true);

        PlatformId p = newPlatform();
        platforms.remember(new PlatformStore.KnownPlatform(p, "P", "1.0.0", List.of("/agent/p"), NOW));
        platforms.remember(new PlatformStore.KnownPlatform(p, "P", "1.1.0", List.of("/agent/p", "/enroll/p"), NOW));
        assertThat(platforms.known()).filteredOn(k -> k.id().equals(p)).singleElement()
                .satisfies(k -> assertThat(k.devicePaths()).containsExactly("/agent/p", "/enroll/p"))
                .satisfies(k -> assertThat(k.version()).isEqualTo("1.1.0"));
    }
}
