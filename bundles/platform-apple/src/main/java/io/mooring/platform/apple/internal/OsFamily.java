package io.mooring.platform.apple.internal;

/**
 * The operating systems Apple's MDM schema states command support for. iPadOS has no entry of its own
 * there: an iPad follows {@link #IOS}.
 */
enum OsFamily {
    IOS("iOS"),
    MACOS("macOS"),
    TVOS("tvOS"),
    VISIONOS("visionOS"),
    WATCHOS("watchOS");

    private final String schemaName;

    OsFamily(String schemaName) {
        this.schemaName = schemaName;
    }

    /** How Apple's schema spells this family in {@code supportedOS}. */
    String schemaName() {
        return schemaName;
    }
}
