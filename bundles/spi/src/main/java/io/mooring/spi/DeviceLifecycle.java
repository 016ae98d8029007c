package io.mooring.spi;

import io.mooring.api.Device;
import org.osgi.annotation.versioning.ConsumerType;

/** A platform that wants to know when an admin unenrolls one of its devices (to revoke certificates, say). */
@ConsumerType
public interface DeviceLifecycle {
    void unenrolled(Device device);
}
