package io.mooring.api;

/**
 * EventAdmin topics core posts (asynchronously) and the properties they carry. Every event has
 * {@link #TENANT}; device events {@link #DEVICE} and {@link #PLATFORM}; command events {@link #COMMAND}.
 */
public final class MooringEvents {
    public static final String DEVICE_ENROLLED = "io/mooring/device/ENROLLED";
    public static final String DEVICE_UNENROLLED = "io/mooring/device/UNENROLLED";
    public static final String DEVICE_PUSH_INVALID = "io/mooring/device/PUSH_INVALID";
    public static final String INVENTORY_UPDATED = "io/mooring/device/INVENTORY_UPDATED";
    public static final String COMMAND_QUEUED = "io/mooring/command/QUEUED";
    public static final String COMMAND_CANCELED = "io/mooring/command/CANCELED";
    public static final String COMMAND_COMPLETED = "io/mooring/command/COMPLETED";
    /**
     * A group was created, changed or deleted: {@link #GROUP}, {@link #SETTINGS} (the names of the settings whose value
     * changed, or all of a deleted group's), and for a deletion {@link #DEVICES}, its former members.
     */
    public static final String GROUP_CHANGED = "io/mooring/group/CHANGED";
    /** Devices joined a group: {@link #GROUP} and {@link #DEVICES}. */
    public static final String GROUP_MEMBERS_ADDED = "io/mooring/group/MEMBERS_ADDED";
    /** Devices left a group: {@link #GROUP} and {@link #DEVICES}. */
    public static final String GROUP_MEMBERS_REMOVED = "io/mooring/group/MEMBERS_REMOVED";
    public static final String PLATFORM_ADDED = "io/mooring/platform/ADDED";
    public static final String PLATFORM_REMOVED = "io/mooring/platform/REMOVED";

    public static final String TENANT = "tenant";
    public static final String DEVICE = "device";
    public static final String PLATFORM = "platform";
    public static final String COMMAND = "command";
    public static final String STATE = "state";
    public static final String GROUP = "group";
    /** Setting names ({@code windows.poll.minutes}), as a {@code String[]}. */
    public static final String SETTINGS = "settings";
    /** The device ids an event is about, as a {@code String[]}. */
    public static final String DEVICES = "devices";

    private MooringEvents() {
    }
}
