package io.mooring.spi;

import java.util.Map;
import java.util.Set;

import io.mooring.api.CommandType;
import io.mooring.api.ValidationException;
import org.osgi.annotation.versioning.ConsumerType;

/** A platform that accepts commands: which types, and whether a payload is well-formed for one. */
@ConsumerType
public interface CommandSupport {
    Set<CommandType> commandTypes();

    /**
     * Checks a payload before it is queued; throws {@link ValidationException} naming the offending key.
     * Called once per command, not per device.
     */
    void validate(CommandType type, Map<String, Object> payload) throws ValidationException;
}
