package io.mooring.api;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * Who a command goes to: named devices, every enrolled device of a platform, or every enrolled device of a
 * group that runs the platform; groups and platforms are expanded when the command is queued.
 */
public sealed interface CommandTarget {
    int MAX_DEVICES = 10_000;

    record Devices(List<DeviceId> ids) implements CommandTarget {
        public Devices {
            if (ids == null || ids.isEmpty()) {
                throw new ValidationException("devices", "name at least one device");
            }
            if (ids.size() > MAX_DEVICES) {
                throw new ValidationException("devices", "at most " + MAX_DEVICES + " devices by id; target a platform for more");
            }
            ids = List.copyOf(new LinkedHashSet<>(ids));
        }
    }

    record Platform(PlatformId platform) implements CommandTarget {
        public Platform {
            if (platform == null) {
                throw new ValidationException("platform", "platform is required");
            }
        }
    }

    /** The group's enrolled devices of one platform, as the group is when the command is queued. */
    record Group(GroupId group, PlatformId platform) implements CommandTarget {
        public Group {
            if (group == null) {
                throw new ValidationException("group", "group is required");
            }
            if (platform == null) {
                throw new ValidationException("platform", "a command to a group names the platform it is for");
            }
        }
    }
}
