package io.mooring.api;

import java.util.List;
import java.util.Set;

/**
 * An installed platform plugin as admins see it. {@code capabilities} names the capability interfaces
 * the plugin implements; {@code commandTypes} the command types it accepts.
 */
public record PlatformInfo(
        PlatformId id,
        String displayName,
        String version,
        String bundle,
        PlatformState state,
        Set<String> capabilities,
        Set<CommandType> commandTypes,
        List<String> devicePaths) {
    public enum PlatformState {
        /** The plugin is installed and answering. */
        ACTIVE,
        /** Devices enrolled with the plugin exist but the plugin is not installed: its endpoints answer 503. */
        ABSENT
    }
}
