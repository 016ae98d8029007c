package io.mooring.platform.windows.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.mooring.api.Actor;
import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceGroup;
import io.mooring.api.DeviceGroupService;
import io.mooring.api.DeviceId;
import io.mooring.api.GroupId;
import io.mooring.api.GroupSpec;
import io.mooring.api.MooringEvents;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.testkit.WindowsPc;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;

/** Group poll intervals reach the Windows PCs concerned as SetPollSchedule, once per change, the shortest of a PC's groups winning. */
class GroupPollSchedulesTest {
    final InMemoryCore core;
    final Groups groups = new Groups();
    final GroupPollSchedules polls;

    GroupPollSchedulesTest() throws Exception {
        core = new InMemoryCore();
        polls = new GroupPollSchedules(groups, core, core, core, 60);
    }

    @Test
    void membersGetTheShortestIntervalOfTheirGroupsOnceAndTheDefaultWhenTheyLeave() {
        Device pc1 = enroll(WindowsPlatform.ID);
        Device pc2 = enroll(WindowsPlatform.ID);
        Device phone = enroll(new PlatformId("apple"));
        GroupId kiosks = groups.create("Kiosks", "15");
        GroupId lab = groups.create("Lab", "5");
        GroupId plain = groups.create("Plain", null);

        groups.join(kiosks, pc1, pc2, phone);
        assertThat(polls.apply(TenantId.DEFAULT, kiosks, false, List.of(pc1.id(), pc2.id(), phone.id()))).isEqualTo(1);
        assertThat(intervals(pc1)).containsExactly(15);
        assertThat(intervals(pc2)).containsExactly(15);
        assertThat(core.nextFor(phone.id(), 10)).isEmpty();

        // already at the groups' interval: nothing more; a group without the setting changes nothing
        assertThat(polls.apply(TenantId.DEFAULT, kiosks, true, List.of())).isZero();
        groups.join(plain, pc1);
        assertThat(polls.apply(TenantId.DEFAULT, plain, false, List.of(pc1.id()))).isZero();

        groups.join(lab, pc1);
        polls.apply(TenantId.DEFAULT, lab, false, List.of(pc1.id()));
        assertThat(intervals(pc1)).containsExactly(15, 5);

        // the setting changes for the whole group: pc1 stays at Lab's shorter interval
        groups.set(kiosks, "30");
        polls.apply(TenantId.DEFAULT, kiosks, true, List.of());
        assertThat(intervals(pc1)).containsExactly(15, 5);
        assertThat(intervals(pc2)).containsExactly(15, 30);

        // Lab deleted: its former member goes back to Kiosks' interval; leaving every group, the configured one
        groups.delete(lab);
        polls.apply(TenantId.DEFAULT, lab, true, List.of(pc1.id()));
        assertThat(intervals(pc1)).containsExactly(15, 5, 30);
        groups.leave(kiosks, pc1);
        polls.apply(TenantId.DEFAULT, kiosks, false, List.of(pc1.id()));
        assertThat(intervals(pc1)).containsExactly(15, 5, 30, 60);

        // an unenrolled PC and another tenant's event are left alone
        core.unenroll(TenantId.DEFAULT, pc2.id(), Actor.SYSTEM);
        groups.set(kiosks, "45");
        assertThat(polls.apply(TenantId.DEFAULT, kiosks, true, List.of())).isZero();
        assertThat(polls.apply(new TenantId("other"), kiosks, false, List.of(pc1.id()))).isZero();
    }

    @Test
    void aPcEnrolledIntoAGroupGetsItsIntervalInTheProvisioningDocumentAndNoCommandForIt() throws Exception {
        Testbed bed = new Testbed(20);
        bed.core.enrollInto = List.of(Groups.group(GroupId.random(), "Kiosks", "15"), Groups.group(GroupId.random(), "Plain", null));
        WindowsPc pc = bed.enrolled("KIOSK-1");
        assertThat(pc.pollSchedule()).containsEntry("IntervalForRemainingScheduledRetries", "15").containsEntry("NumberOfFirstRetries", "8");
        Device kiosk = bed.core.only();
        assertThat(bed.core.get(kiosk.id(), GroupPollSchedules.ATTR_APPLIED)).map(String::new).contains("15");

        // an event about it later (it joins another group without an interval) finds the PC at its group's interval already
        GroupPollSchedules after = new GroupPollSchedules(new Groups() {
            @Override
            public List<DeviceGroup> groupsOfDevice(DeviceId device) {
                return bed.core.groupsOf(device);
            }
        }, bed.core, bed.core, bed.core, 60);
        assertThat(after.apply(TenantId.DEFAULT, bed.core.enrollInto.get(1).id(), false, List.of(kiosk.id()))).isZero();

        // without a group: the configured interval, recorded as well
        bed.core.enrollInto = List.of();
        WindowsPc plain = bed.enrolled("DESKTOP-2");
        assertThat(plain.pollSchedule()).containsEntry("IntervalForRemainingScheduledRetries", "60");
        String subject = plain.identity().getSubjectX500Principal().getName(); // CN=<device id>,O=...
        DeviceId desktop = DeviceId.parse(subject.substring(3, subject.indexOf(',')));
        assertThat(bed.core.get(desktop, GroupPollSchedules.ATTR_APPLIED)).map(String::new).contains("60");
    }

    @Test
    void onlyAChangeOfTheIntervalOrOfMembersConcernsThePcsAndAPcUnenrolledMeanwhileHoldsUpNoOther() {
        Device pc1 = enroll(WindowsPlatform.ID);
        Device pc2 = enroll(WindowsPlatform.ID);
        Device pc3 = enroll(WindowsPlatform.ID);
        GroupId lab = groups.create("Lab", "5");
        groups.join(lab, pc1, pc2, pc3);

        polls.apply(changed(lab, "windows.other-setting"));
        polls.apply(changed(lab));
        assertThat(core.nextFor(pc1.id(), 10)).isEmpty();

        // pc2 is unenrolled after it was found enrolled and before the command is queued
        core.beforeEnqueue = () -> core.unenroll(TenantId.DEFAULT, pc2.id(), Actor.SYSTEM);
        polls.apply(changed(lab, "windows.other-setting", GroupPollSchedules.SETTING));
        assertThat(intervals(pc1)).containsExactly(5);
        assertThat(intervals(pc3)).containsExactly(5);
        assertThat(core.get(pc2.id(), GroupPollSchedules.ATTR_APPLIED)).isEmpty();

        polls.apply(new Event(MooringEvents.GROUP_MEMBERS_REMOVED, Map.of(MooringEvents.TENANT, "default", MooringEvents.GROUP, lab.toString(),
                MooringEvents.DEVICES, new String[] {pc3.id().toString()})));
        assertThat(intervals(pc3)).containsExactly(5);
        groups.leave(lab, pc3);
        polls.apply(new Event(MooringEvents.GROUP_MEMBERS_REMOVED, Map.of(MooringEvents.TENANT, "default", MooringEvents.GROUP, lab.toString(),
                MooringEvents.DEVICES, new String[] {pc3.id().toString()})));
        assertThat(intervals(pc3)).containsExactly(5, 60);
    }

    private static Event changed(GroupId group, String... settings) {
        return new Event(MooringEvents.GROUP_CHANGED, Map.of(MooringEvents.TENANT, "default", MooringEvents.GROUP, group.toString(),
                MooringEvents.SETTINGS, settings));
    }

    @Test
    void theSettingTakesWholeMinutesUpToAWeek() {
        WindowsPlatform platform = new WindowsPlatform("Mooring");
        assertThat(platform.groupSettings()).containsOnlyKeys("poll.minutes");
        platform.checkGroupSetting("poll.minutes", "1");
        platform.checkGroupSetting("poll.minutes", "10080");
        for (String bad : List.of("0", "10081", "15.5", "fifteen", "-3", "99999999999")) {
            assertThatThrownBy(() -> platform.checkGroupSetting("poll.minutes", bad)).as(bad).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("1 to 10080");
        }
    }

    private Device enroll(PlatformId platform) {
        return core.enroll(platform, core.token(1), new DeviceDescription("pc", null, null, null, null)).device();
    }

    /** The minutes of every SetPollSchedule queued to the PC, oldest first. */
    private List<Integer> intervals(Device pc) {
        return core.nextFor(pc.id(), 100).stream().filter(p -> p.type().name().equals("SetPollSchedule"))
                .map(p -> ((Number) p.payload().get("minutes")).intValue()).toList();
    }

    /** Just enough of core's groups: one tenant, members by id. */
    class Groups implements DeviceGroupService {
        final Map<GroupId, DeviceGroup> byId = new LinkedHashMap<>();
        final Map<GroupId, Set<Device>> members = new LinkedHashMap<>();

        GroupId create(String name, String minutes) {
            GroupId id = GroupId.random();
            byId.put(id, group(id, name, minutes));
            members.put(id, new LinkedHashSet<>());
            return id;
        }

        static DeviceGroup group(GroupId id, String name, String minutes) {
            return new DeviceGroup(id, TenantId.DEFAULT, name, null, minutes == null ? Map.of() : Map.of(GroupPollSchedules.SETTING, minutes), 0,
                    Instant.now());
        }

        void set(GroupId id, String minutes) {
            byId.put(id, group(id, byId.get(id).name(), minutes));
        }

        void join(GroupId id, Device... devices) {
            members.get(id).addAll(List.of(devices));
        }

        void leave(GroupId id, Device device) {
            members.get(id).remove(device);
        }

        void delete(GroupId id) {
            byId.remove(id);
            members.remove(id);
        }

        @Override
        public Optional<DeviceGroup> find(TenantId tenant, GroupId id) {
            return Optional.ofNullable(byId.get(id)).filter(g -> g.tenant().equals(tenant));
        }

        @Override
        public Page<Device> members(TenantId tenant, GroupId id, PageRequest page) {
            // as core reads them: their current state
            List<Device> all = members.getOrDefault(id, Set.of()).stream().map(d -> core.findForDevicePlane(d.id()).orElseThrow()).toList();
            List<Device> items = all.subList(Math.min(page.offset(), all.size()), Math.min(page.offset() + page.limit(), all.size()));
            return new Page<>(items, all.size(), page.offset(), page.limit());
        }

        @Override
        public List<DeviceGroup> groupsOfDevice(DeviceId device) {
            return members.entrySet().stream().filter(e -> e.getValue().stream().anyMatch(d -> d.id().equals(device))).map(e -> byId.get(e.getKey()))
                    .toList();
        }

        @Override
        public List<DeviceGroup> groupsOf(TenantId tenant, DeviceId device) {
            return groupsOfDevice(device);
        }

        @Override
        public DeviceGroup create(TenantId tenant, GroupSpec spec, Actor actor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Page<DeviceGroup> list(TenantId tenant, PageRequest page) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DeviceGroup update(TenantId tenant, GroupId id, GroupSpec spec, Actor actor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(TenantId tenant, GroupId id, Actor actor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int addMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices, Actor actor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int removeMembers(TenantId tenant, GroupId id, Collection<DeviceId> devices, Actor actor) {
            throw new UnsupportedOperationException();
        }
    }
}
