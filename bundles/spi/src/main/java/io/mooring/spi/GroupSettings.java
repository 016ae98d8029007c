package io.mooring.spi;

import java.util.Map;

import io.mooring.api.ValidationException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A platform that reads settings from device groups (the Windows poll interval of a group's PCs). A
 * group's setting {@code <platform>.<name>} belongs to the platform of that id: core asks it to check a
 * value before the group is saved, and refuses names it does not list. The platform reads the settings
 * of a device's groups with {@code DeviceGroupService.groupsOfDevice} and learns of changes from the
 * group events ({@code MooringEvents.GROUP_*}).
 */
@ConsumerType
public interface GroupSettings {
    /** The settings this platform reads, by name without the platform prefix, each with what it does and what it takes. */
    Map<String, String> groupSettings();

    /** Throws {@link ValidationException} saying why this value of the named setting (without the prefix) is not acceptable. */
    void checkGroupSetting(String name, String value) throws ValidationException;
}
