package io.mooring.api;

import java.time.Instant;
import java.util.Map;

/** A named set of a tenant's devices: commands can target it, and its settings apply to its devices. */
public record DeviceGroup(GroupId id, TenantId tenant, String name, String description, Map<String, String> settings, long members,
        Instant createdAt) {
    public DeviceGroup {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    /** This group's value of a setting ({@code windows.poll.minutes}), or null. */
    public String setting(String name) {
        return settings.get(name);
    }
}
