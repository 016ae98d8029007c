package io.mooring.spi;

import java.util.List;

import io.mooring.api.PlatformId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device platform. Register one as an OSGi service; core picks it up while the server runs and drops
 * it when the bundle goes. Implement the capability interfaces of this package on the same object.
 * Core calls plugin methods through a timeout: they must return quickly.
 */
@ConsumerType
public interface PlatformPlugin {
    PlatformId id();

    String displayName();

    /**
     * The URL path prefixes the plugin's device endpoints serve (e.g. {@code /agent/example}). While
     * the plugin is absent, core answers requests under them with {@code 503 + Retry-After}.
     */
    List<String> devicePaths();
}
