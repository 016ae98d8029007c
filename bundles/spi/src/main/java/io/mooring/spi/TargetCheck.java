package io.mooring.spi;

import java.util.Map;

import io.mooring.api.CommandType;
import io.mooring.api.DeviceId;
import io.mooring.api.ValidationException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A platform that can tell, before a command is queued, that one of the devices an admin named cannot
 * run it (a macOS-only command to an iPhone, a supervised-only one to an unsupervised device). Core asks
 * for each named device and queues nothing if one is refused. Fan-outs to a whole platform are not
 * checked here: the plugin fails such a command for the devices that cannot run it when they check in.
 */
@ConsumerType
public interface TargetCheck {
    /** Throws {@link ValidationException} saying why this device cannot run the command. */
    void checkTarget(DeviceId device, CommandType type, Map<String, Object> payload) throws ValidationException;
}
