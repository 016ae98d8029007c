package io.mooring.core.internal;

import java.util.List;
import java.util.Set;

import io.mooring.api.CommandType;
import io.mooring.api.PlatformId;
import io.mooring.spi.PlatformPlugin;

/** What core learned from a plugin when it arrived; read once, so later calls need not ask the plugin. */
record HostedPlatform(PlatformId id, PlatformPlugin plugin, String displayName, String version, String bundle,
        List<String> devicePaths, Set<CommandType> commandTypes) {
}
