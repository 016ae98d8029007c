package io.mooring.api;

import java.util.regex.Pattern;

/**
 * The kind of a command, as the platform plugin that executes it names it (Apple's request types such as
 * {@code DeviceLock}, OMA-DM operations, agent actions). Which types a platform accepts, and what
 * payload each needs, is the plugin's to say; core refuses a type no target platform supports.
 */
public record CommandType(String name) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,63}");

    public CommandType {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ValidationException("type", "command type must be a name of letters, digits, '.', '_' or '-' (at most 64), got '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
