package io.mooring.api;

import org.osgi.annotation.versioning.ProviderType;

/** Readiness as a load balancer sees it: nothing else is revealed. */
@ProviderType
public interface SystemHealth {
    enum Status { UP, STARTING, DATABASE_DOWN }

    Status status();
}
