package io.mooring.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an admin says about a device group: its name (unique in the tenant), a description, and settings
 * that platforms read for the group's devices. A setting's name starts with the platform that owns it
 * ({@code windows.poll.minutes}); that platform checks its value before the group is saved.
 */
public record GroupSpec(String name, String description, Map<String, String> settings) {
    public static final int MAX_NAME = 100;
    public static final int MAX_DESCRIPTION = 1000;
    public static final int MAX_SETTINGS = 50;
    public static final int MAX_SETTING_VALUE = 200;
    /** {@code <platform>.<name>}: the platform id, a dot, then letters, digits, dots, dashes or underscores. */
    public static final Pattern SETTING_NAME = Pattern.compile("([a-z0-9][a-z0-9-]{0,62})\\.([A-Za-z0-9][A-Za-z0-9._-]{0,79})");

    public GroupSpec {
        if (name == null || name.isBlank()) {
            throw new ValidationException("name", "name is required");
        }
        name = name.strip();
        if (name.length() > MAX_NAME) {
            throw new ValidationException("name", "name is longer than " + MAX_NAME + " characters");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new ValidationException("name", "name contains control characters");
        }
        if (description != null && description.isBlank()) {
            description = null;
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw new ValidationException("description", "description is longer than " + MAX_DESCRIPTION + " characters");
        }
        if (description != null && description.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
            throw new ValidationException("description", "description contains control characters other than line breaks and tabs");
        }
        settings = settings == null ? Map.of() : settings;
        if (settings.size() > MAX_SETTINGS) {
            throw new ValidationException("settings", "at most " + MAX_SETTINGS + " settings");
        }
        TreeMap<String, String> checked = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (key == null || !SETTING_NAME.matcher(key).matches()) {
                throw new ValidationException("settings", "setting name '" + key + "' is not <platform>.<name> (e.g. windows.poll.minutes)");
            }
            if (value == null || value.isBlank()) {
                throw new ValidationException("settings." + key, "a setting needs a value; leave it out to remove it");
            }
            if (value.length() > MAX_SETTING_VALUE || value.chars().anyMatch(Character::isISOControl)) {
                throw new ValidationException("settings." + key, "the value is longer than " + MAX_SETTING_VALUE
                        + " characters or contains control characters");
            }
            checked.put(key, value.strip());
        });
        settings = java.util.Collections.unmodifiableMap(checked);
    }

    /** The platform a setting name belongs to. */
    public static PlatformId platformOf(String setting) {
        java.util.regex.Matcher m = SETTING_NAME.matcher(setting);
        if (!m.matches()) {
            throw new ValidationException("settings", "setting name '" + setting + "' is not <platform>.<name>");
        }
        return new PlatformId(m.group(1));
    }
}
