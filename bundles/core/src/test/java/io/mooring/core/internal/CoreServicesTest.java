package io.mooring.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.mooring.api.Actor;
import io.mooring.api.AuditQuery;
import io.mooring.api.Command;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandTarget;
import io.mooring.api.CommandType;
import io.mooring.api.Completion;
import io.mooring.api.DeliveryState;
import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceGroup;
import io.mooring.api.DeviceId;
import io.mooring.api.EnrolledDevice;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentToken;
import io.mooring.api.GroupId;
import io.mooring.api.GroupSpec;
import io.mooring.api.MooringEvents;
import io.mooring.api.NotFoundException;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.PlatformId;
import io.mooring.api.PlatformInfo;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.api.UnavailableException;
import io.mooring.api.ValidationException;
import io.mooring.api.admin.AdminIdentity;
import io.mooring.api.admin.ApiToken;
import io.mooring.api.admin.ForbiddenException;
import io.mooring.api.admin.Role;
import io.mooring.persistence.internal.TestDatabase;
import io.mooring.persistence.internal.TestStores;
import io.mooring.spi.CommandSupport;
import io.mooring.spi.PlatformPlugin;
import io.mooring.spi.PushProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/** Core's services wired by hand over the real stores on H2, with small plugins written for the test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoreServicesTest {
    static final Actor ADMIN = new Actor(Actor.Kind.ADMIN, "alice");

    TestStores stores;
    final List<Event> events = new CopyOnWriteArrayList<>();
    PlatformHost host;
    AuditLogImpl audit;
    DeviceRegistryImpl registry;
    EnrollmentServiceImpl enrollment;
    CommandServiceImpl commands;
    AccountServiceImpl accounts;
    PushDispatcher push;
    DeviceGroupServiceImpl groups;

    @BeforeAll
    void wire() throws Exception {
        stores = new TestStores(TestDatabase.create(TestDatabase.Kind.H2));
        EventAdmin eventAdmin = new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                events.add(event);
            }

            @Override
            public void sendEvent(Event event) {
                events.add(event);
            }
        };
        Events ev = new Events(eventAdmin);
        Clock clock = Clock.systemUTC();
        host = new PlatformHost(stores.platforms, stores.commands, ev, clock, new PluginCalls(Duration.ofMillis(300), 4));
        audit = new AuditLogImpl(stores.audit, clock);
        registry = new DeviceRegistryImpl(stores.devices, audit, host, ev, clock);
        enrollment = new EnrollmentServiceImpl(stores.enrollment, stores.devices, stores.groups, audit, ev, clock);
        push = new PushDispatcher(stores.commands, registry);
        commands = new CommandServiceImpl(stores.commands, stores.devices, stores.groups, host, push, audit, ev, clock);
        accounts = new AccountServiceImpl(stores.accounts, clock);
        groups = new DeviceGroupServiceImpl(stores.groups, host, audit, ev, clock);
    }

    @AfterAll
    void close() throws Exception {
        push.deactivate();
        host.deactivate();
        stores.close();
    }

    static final class TestPlatform extends TestPlatformBase {
        TestPlatform(String id) {
            super(id);
        }

        TestPlatform(String id, List<String> paths) {
            super(id, paths);
        }
    }

    /** A platform accepting Lock (optional string "message") and Ping; "Hang" sleeps past the call timeout. */
    static class TestPlatformBase implements PlatformPlugin, CommandSupport {
        final PlatformId id;
        final List<String> paths;

        TestPlatformBase(String id) {
            this(id, List.of("/agent/" + id));
        }

        TestPlatformBase(String id, List<String> paths) {
            this.id = new PlatformId(id);
            this.paths = paths;
        }

        @Override
        public PlatformId id() {
            return id;
        }

        @Override
        public String displayName() {
            return "Test " + id;
        }

        @Override
        public List<String> devicePaths() {
            return paths;
        }

        @Override
        public Set<CommandType> commandTypes() {
            return Set.of(new CommandType("Lock"), new CommandType("Ping"), new CommandType("Hang"));
        }

        @Override
        public void validate(CommandType type, Map<String, Object> payload) {
            if (type.name().equals("Hang")) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Object message = payload.get("message");
            if (message != null && !(message instanceof String)) {
                throw new ValidationException("message", "message must be a string");
            }
        }
    }

    private Device enroll(TenantId tenant, PlatformId platform) {
        EnrollmentToken t = enrollment.issueToken(tenant, platform, Duration.ofHours(1), 1, ADMIN);
        return enrollment.enroll(platform, t.secret(), new DeviceDescription("dev", null, null, null, null)).device();
    }

    private TenantId tenant(String name) {
        TenantId id = new TenantId(name);
        stores.accounts.createTenant(id, name, java.time.Instant.now());
        return id;
    }

    @Test
    void enrollmentIssuesOneTimeTokensAndDeviceCredentials() {
        TenantId tenant = tenant("enroll");
        PlatformId platform = new PlatformId("enroll-p");
        EnrollmentToken token = enrollment.issueToken(tenant, platform, Duration.ofHours(1), 1, ADMIN);
        assertThat(token.secret()).startsWith("enr_");

        EnrolledDevice enrolled = enrollment.enroll(platform, token.secret(), DeviceDescription.EMPTY);
        assertThat(enrollment.authenticate(platform, enrolled.credential())).map(Device::id).contains(enrolled.device().id());
        assertThat(enrollment.authenticate(platform, "dev_wrong")).isEmpty();
        assertThat(enrollment.authenticate(new PlatformId("other"), enrolled.credential())).isEmpty();
        assertThatThrownBy(() -> enrollment.enroll(platform, token.secret(), DeviceDescription.EMPTY)).isInstanceOf(EnrollmentException.class);
        assertThatThrownBy(() -> enrollment.issueToken(tenant, platform, Duration.ofSeconds(5), 1, ADMIN)).isInstanceOf(ValidationException.class);
        assertThat(events).anyMatch(e -> e.getTopic().equals(MooringEvents.DEVICE_ENROLLED)
                && enrolled.device().id().toString().equals(e.getProperty(MooringEvents.DEVICE)));
        assertThat(audit.list(tenant, new AuditQuery("device.enrolled", null, null, null)).total()).isEqualTo(1);

        registry.unenroll(tenant, enrolled.device().id(), ADMIN);
        assertThat(enrollment.authenticate(platform, enrolled.credential())).isEmpty();
    }

    /** A TestPlatform that reads the group setting "interval" (minutes, 1 to 60) of its devices' groups. */
    static final class GroupAwarePlatform extends TestPlatformBase implements io.mooring.spi.GroupSettings {
        GroupAwarePlatform(String id) {
            super(id);
        }

        @Override
        public Map<String, String> groupSettings() {
            return Map.of("interval", "minutes between check-ins, 1 to 60");
        }

        @Override
        public void checkGroupSetting(String name, String value) {
            if (!value.matches("[0-9]{1,2}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 60) {
                throw new ValidationException(name, "interval must be a whole number of minutes from 1 to 60");
            }
        }
    }

    @Test
    void groupSettingsAreCheckedByTheirPlatformAndChangesAreAuditedAndPosted() {
        TenantId tenant = tenant("groups");
        GroupAwarePlatform plugin = new GroupAwarePlatform("groups-p");
        assertThat(host.add(plugin, "1.0.0", "test")).isTrue();
        Device d1 = enroll(tenant, plugin.id());
        Device d2 = enroll(tenant, plugin.id());

        assertThatThrownBy(() -> groups.create(tenant, new GroupSpec("Lab", null, Map.of("groups-p.interval", "600")), ADMIN))
                .isInstanceOf(ValidationException.class).hasMessageContaining("1 to 60")
                .extracting(e -> ((ValidationException) e).field()).isEqualTo("settings.groups-p.interval");
        assertThatThrownBy(() -> groups.create(tenant, new GroupSpec("Lab", null, Map.of("groups-p.colour", "red")), ADMIN))
                .isInstanceOf(ValidationException.class).hasMessageContaining("has no group setting 'colour'; it has: interval");
        assertThatThrownBy(() -> groups.create(tenant, new GroupSpec("Lab", null, Map.of("absent-p.interval", "5")), ADMIN))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("not installed");
        assertThat(groups.list(tenant, PageRequest.first(10)).total()).isZero();

        assertThatThrownBy(() -> new GroupSpec("Lab", "bad\u0000byte", null)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> new GroupSpec("La\tb", null, null)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> new GroupSpec("Lab", null, Map.of("no-platform", "1"))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("<platform>.<name>");
        assertThat(new GroupSpec("  Lab  ", "two\nlines", null).name()).isEqualTo("Lab");
        DeviceGroup lab = groups.create(tenant, new GroupSpec("Lab", "test bench", Map.of("groups-p.interval", "5")), ADMIN);
        assertThatThrownBy(() -> groups.create(tenant, new GroupSpec("Lab", null, null), ADMIN)).isInstanceOf(io.mooring.api.ConflictException.class);
        events.clear();
        assertThat(groups.addMembers(tenant, lab.id(), List.of(d1.id(), d2.id()), ADMIN)).isEqualTo(2);
        assertThat(groups.addMembers(tenant, lab.id(), List.of(d1.id()), ADMIN)).isZero();
        assertThat(events).filteredOn(e -> e.getTopic().equals(MooringEvents.GROUP_MEMBERS_ADDED)).singleElement()
                .satisfies(e -> assertThat((String[]) e.getProperty(MooringEvents.DEVICES)).containsExactlyInAnyOrder(d1.id().toString(), d2.id().toString()))
                .satisfies(e -> assertThat(e.getProperty(MooringEvents.GROUP)).isEqualTo(lab.id().toString()));
        assertThat(groups.groupsOfDevice(d1.id())).extracting(g -> g.setting("groups-p.interval")).containsExactly("5");
        assertThat(groups.groupsOf(tenant("groups-other"), d1.id())).isEmpty();

        // while the platform is away its unchanged settings do not block an edit, a new value is refused
        host.remove(plugin);
        assertThat(groups.update(tenant, lab.id(), new GroupSpec("Lab bench", null, Map.of("groups-p.interval", "5")), ADMIN).name()).isEqualTo("Lab bench");
        assertThatThrownBy(() -> groups.update(tenant, lab.id(), new GroupSpec("Lab bench", null, Map.of("groups-p.interval", "6")), ADMIN))
                .isInstanceOf(UnavailableException.class);
        assertThat(host.add(plugin, "1.0.0", "test")).isTrue();

        // a command to the group reaches its enrolled devices of the platform
        registry.unenroll(tenant, d2.id(), ADMIN);
        Command ping = commands.enqueue(tenant, new CommandRequest(new CommandType("Ping"), Map.of(), new CommandTarget.Group(lab.id(), plugin.id()), null), ADMIN);
        assertThat(ping.deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);
        assertThatThrownBy(() -> commands.enqueue(tenant, new CommandRequest(new CommandType("Ping"), Map.of(),
                new CommandTarget.Group(GroupId.random(), plugin.id()), null), ADMIN)).isInstanceOf(NotFoundException.class);

        // a token that enrolls into the group: the device is a member as it is created; the platform applies the group while it enrolls it
        assertThatThrownBy(() -> enrollment.issueToken(tenant, plugin.id(), Duration.ofHours(1), 1, GroupId.random(), ADMIN))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> enrollment.issueToken(tenant("groups-elsewhere"), plugin.id(), Duration.ofHours(1), 1, lab.id(), ADMIN))
                .isInstanceOf(NotFoundException.class);
        EnrollmentToken into = enrollment.issueToken(tenant, plugin.id(), Duration.ofHours(1), 1, lab.id(), ADMIN);
        assertThat(into.group()).isEqualTo(lab.id());
        events.clear();
        Device d3 = enrollment.enroll(plugin.id(), into.secret(), DeviceDescription.EMPTY).device();
        assertThat(groups.groupsOfDevice(d3.id())).extracting(DeviceGroup::id).containsExactly(lab.id());
        assertThat(events).extracting(Event::getTopic).contains(MooringEvents.DEVICE_ENROLLED).doesNotContain(MooringEvents.GROUP_MEMBERS_ADDED);
        events.clear();
        groups.update(tenant, lab.id(), new GroupSpec("Lab bench", "renamed only", Map.of("groups-p.interval", "5")), ADMIN);
        groups.update(tenant, lab.id(), new GroupSpec("Lab bench", null, Map.of("groups-p.interval", "7")), ADMIN);
        assertThat(events).filteredOn(e -> e.getTopic().equals(MooringEvents.GROUP_CHANGED)).extracting(e -> List.of((String[]) e.getProperty(MooringEvents.SETTINGS)))
                .containsExactly(List.of(), List.of("groups-p.interval"));

        events.clear();
        groups.delete(tenant, lab.id(), ADMIN);
        assertThat(events).filteredOn(e -> e.getTopic().equals(MooringEvents.GROUP_CHANGED)).singleElement()
                .satisfies(e -> assertThat((String[]) e.getProperty(MooringEvents.SETTINGS)).containsExactly("groups-p.interval"))
                .satisfies(e -> assertThat((String[]) e.getProperty(MooringEvents.DEVICES))
                        .containsExactlyInAnyOrder(d1.id().toString(), d2.id().toString(), d3.id().toString()));
        assertThatThrownBy(() -> groups.members(tenant, lab.id(), PageRequest.first(5))).isInstanceOf(NotFoundException.class);
        assertThat(audit.list(tenant, new AuditQuery(null, null, null, null)).items()).extracting(e -> e.action())
                .contains("group.created", "group.members_added", "group.updated", "group.deleted");
        host.remove(plugin);
    }

    @Test
    void aHostThatStopsFirstReleasesItsPluginsAfterwardsWithoutFailing() throws Exception {
        // DS releases a stopping component's dynamic references after its deactivate, when its own threads are gone
        PlatformHost stopping = new PlatformHost(stores.platforms, stores.commands, new Events(new EventAdmin() {
            @Override
            public void postEvent(Event event) {
            }

            @Override
            public void sendEvent(Event event) {
            }
        }), Clock.systemUTC(), new PluginCalls(Duration.ofMillis(300), 1));
        TestPlatform plugin = new TestPlatform("stopping-p");
        assertThat(stopping.add(plugin, "1.0.0", "test")).isTrue();
        stopping.deactivate();
        stopping.remove(plugin);
        assertThat(stopping.hosted(plugin.id())).isEmpty();
    }

    @Test
    void commandsAreCheckedByTheirPlatformBeforeAnythingIsQueued() {
        TenantId tenant = tenant("validate");
        TestPlatform plugin = new TestPlatform("validate-p");
        assertThat(host.add(plugin, "1.0.0", "test")).isTrue();
        Device d = enroll(tenant, plugin.id());
        CommandTarget toDevice = new CommandTarget.Devices(List.of(d.id()));

        assertThatThrownBy(() -> commands.enqueue(tenant, new CommandRequest(new CommandType("Wipe"), Map.of(), toDevice, null), ADMIN))
                .isInstanceOf(ValidationException.class).hasMessageContaining("does not support command type 'Wipe'").hasMessageContaining("Lock");
        assertThatThrownBy(() -> commands.enqueue(tenant, new CommandRequest(new CommandType("Lock"), Map.of("message", 5), toDevice, null), ADMIN))
                .isInstanceOf(ValidationException.class).hasMessageContaining("message must be a string");
        assertThatThrownBy(() -> commands.enqueue(tenant, new CommandRequest(new CommandType("Lock"), Map.of(),
                new CommandTarget.Devices(List.of(d.id(), DeviceId.random())), null), ADMIN))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("nothing was queued");
        assertThatThrownBy(() -> commands.enqueue(tenant, new CommandRequest(new CommandType("Lock"), Map.of(),
                new CommandTarget.Platform(new PlatformId("not-installed")), null), ADMIN)).isInstanceOf(UnavailableException.class);
        assertThat(commands.nextFor(d.id(), 10)).isEmpty();

        Command ok = commands.enqueue(tenant, new CommandRequest(new CommandType("Lock"), Map.of("message", "hi"), toDevice, null), ADMIN);
        assertThat(ok.deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);
        host.remove(plugin);
    }

    @Test
    void aHangingPluginTimesOutWithoutBlockingOtherPlatforms() {
        TenantId tenant = tenant("hang");
        TestPlatform slow = new TestPlatform("hang-p");
        TestPlatform fast = new TestPlatform("fast-p");
        host.add(slow, "1", "test");
        host.add(fast, "1", "test");
        Device a = enroll(tenant, slow.id());
        Device b = enroll(tenant, fast.id());

        long start = System.nanoTime();
        assertThatThrownBy(() -> commands.enqueue(tenant, new CommandRequest(new CommandType("Hang"), Map.of(),
                new CommandTarget.Devices(List.of(a.id())), null), ADMIN)).isInstanceOf(UnavailableException.class).hasMessageContaining("in time");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        Command other = commands.enqueue(tenant, new CommandRequest(new CommandType("Ping"), Map.of(), new CommandTarget.Devices(List.of(b.id())), null), ADMIN);
        assertThat(other.deliveries().get(DeliveryState.QUEUED)).isEqualTo(1);
        host.remove(slow);
        host.remove(fast);
    }

    @Test
    void aPlatformSwapKeepsEveryCommandAndHandsInFlightOnesBack() throws Exception {
        TenantId tenant = tenant("swap");
        TestPlatform v1 = new TestPlatform("swap-p");
        host.add(v1, "1.0.0", "test");
        Device d = enroll(tenant, v1.id());
        Command first = commands.enqueue(tenant, new CommandRequest(new CommandType("Ping"), Map.of(), new CommandTarget.Platform(v1.id()), null), ADMIN);
        Command second = commands.enqueue(tenant, new CommandRequest(new CommandType("Lock"), Map.of(), new CommandTarget.Platform(v1.id()), null), ADMIN);
        assertThat(commands.nextFor(d.id(), 1)).extracting(PendingCommand::id).containsExactly(first.id());

        host.remove(v1);
        assertThat(host.installed()).noneMatch(p -> p.id().equals(v1.id()));
        awaitTrue(() -> commands.find(tenant, first.id()).orElseThrow().deliveries().get(DeliveryState.QUEUED) == 1);
        assertThat(host.ownerOfPath("/agent/swap-p/checkin")).map(PlatformInfo::state).contains(PlatformInfo.PlatformState.ABSENT);
        assertThat(host.ownerOfPath("/agent/swap-px")).isEmpty();

        TestPlatform v2 = new TestPlatform("swap-p");
        host.add(v2, "1.1.0", "test");
        assertThat(host.find(v2.id())).map(PlatformInfo::version).contains("1.1.0");
        List<PendingCommand> next = commands.nextFor(d.id(), 10);
        assertThat(next).extracting(PendingCommand::id).containsExactly(first.id(), second.id());
        assertThat(next.get(0).attempt()).isEqualTo(2);
        for (PendingCommand c : next) {
            assertThat(commands.complete(d.id(), c.id(), CommandResult.acknowledged(Map.of()))).isEqualTo(Completion.RECORDED);
            assertThat(commands.complete(d.id(), c.id(), CommandResult.acknowledged(Map.of()))).isEqualTo(Completion.DUPLICATE);
        }
        host.remove(v2);
    }

    @Test
    void aPluginCannotClaimAnotherPluginsOrTheRuntimesPaths() {
        TestPlatform a = new TestPlatform("paths-a");
        assertThat(host.add(a, "1", "test")).isTrue();
        assertThat(host.add(new TestPlatform("paths-a"), "2", "test")).isFalse();
        PlatformPlugin greedy = new TestPlatform("paths-b", List.of("/agent/paths-a/sub"));
        PlatformPlugin rude = new TestPlatform("paths-c", List.of("/api/v1"));
        assertThat(host.add(greedy, "1", "test")).isFalse();
        assertThat(host.add(rude, "1", "test")).isFalse();
        assertThat(host.installed()).extracting(p -> p.id().value()).contains("paths-a").doesNotContain("paths-b", "paths-c");
        host.remove(a);
    }

    @Test
    void pushWakesOnlyValidTokensAndDeadTokensAreMarked() throws Exception {
        TenantId tenant = tenant("push");
        TestPlatform plugin = new TestPlatform("push-p");
        host.add(plugin, "1", "test");
        List<Device> fleet = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Device d = enroll(tenant, plugin.id());
            registry.updatePush(d.id(), new PushRegistration("fake", "token-" + i, null, null, true));
            fleet.add(d);
        }
        List<String> pushed = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        PushProvider provider = new PushProvider() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public CompletionStage<PushReport> wake(List<Device> devices) {
                devices.forEach(d -> pushed.add(d.push().token()));
                List<Rejection> rejected = devices.stream().filter(d -> d.push().token().equals("token-1"))
                        .map(d -> new Rejection(d.id(), "Unregistered", true)).toList();
                done.countDown();
                return CompletableFuture.completedFuture(new PushReport(devices.size() - rejected.size(), rejected));
            }
        };
        push.addProvider(provider);
        commands.enqueue(tenant, new CommandRequest(new CommandType("Ping"), Map.of(), new CommandTarget.Platform(plugin.id()), null), ADMIN);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pushed).containsExactlyInAnyOrder("token-0", "token-1", "token-2");
        awaitTrue(() -> !registry.find(tenant, fleet.get(1).id()).orElseThrow().push().valid());

        pushed.clear();
        CountDownLatch again = new CountDownLatch(1);
        push.removeProvider(provider);
        push.addProvider(new PushProvider() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public CompletionStage<PushReport> wake(List<Device> devices) {
                devices.forEach(d -> pushed.add(d.push().token()));
                again.countDown();
                return CompletableFuture.completedFuture(new PushReport(devices.size(), List.of()));
            }
        });
        commands.enqueue(tenant, new CommandRequest(new CommandType("Ping"), Map.of(), new CommandTarget.Platform(plugin.id()), null), ADMIN);
        assertThat(again.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pushed).containsExactlyInAnyOrder("token-0", "token-2");
        assertThat(events).anyMatch(e -> e.getTopic().equals(MooringEvents.DEVICE_PUSH_INVALID));
        host.remove(plugin);
    }

    @Test
    void accountsRolesAndTokens() {
        TenantId tenant = tenant("accounts");
        accounts.createAccount("root-" + tenant, "correct horse battery", TenantId.DEFAULT, Role.SYSTEM_ADMIN);
        AdminIdentity root = accounts.authenticatePassword("root-" + tenant, "correct horse battery").orElseThrow();
        assertThat(accounts.authenticatePassword("root-" + tenant, "wrong password!!")).isEmpty();
        assertThat(accounts.authenticatePassword("nobody", "correct horse battery")).isEmpty();

        accounts.createAccount(root, "boss@" + tenant, "another long password", tenant, Role.ADMIN);
        AdminIdentity boss = accounts.authenticatePassword("boss@" + tenant, "another long password").orElseThrow();
        assertThat(boss.tenant()).isEqualTo(tenant);
        assertThatThrownBy(() -> accounts.createAccount(boss, "sneaky", "another long password", TenantId.DEFAULT, Role.OPERATOR))
                .isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> accounts.createAccount(boss, "short", "short", tenant, Role.OPERATOR)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> accounts.createTenant(boss, new TenantId("nope"), "Nope")).isInstanceOf(ForbiddenException.class);
        assertThat(accounts.listTenants(boss)).extracting(t -> t.id()).containsExactly(tenant);

        ApiToken token = accounts.createToken(boss, "ci", Role.AUDITOR, Duration.ofDays(1));
        AdminIdentity script = accounts.authenticateToken(token.secret()).orElseThrow();
        assertThat(script.role()).isEqualTo(Role.AUDITOR);
        assertThat(script.actor().kind()).isEqualTo(Actor.Kind.API_TOKEN);
        assertThatThrownBy(() -> accounts.createToken(script, "more", Role.AUDITOR, null)).isInstanceOf(ForbiddenException.class);
        AdminIdentity operator = new AdminIdentity("op", tenant, Role.OPERATOR, null);
        assertThatThrownBy(() -> accounts.createToken(operator, "up", Role.ADMIN, null)).isInstanceOf(ForbiddenException.class);
        accounts.revokeToken(boss, token.id());
        assertThat(accounts.authenticateToken(token.secret())).isEmpty();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
