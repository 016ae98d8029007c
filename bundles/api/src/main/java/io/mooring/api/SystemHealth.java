package io.mooring.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Readiness as a load balancer sees it: nothing else is revealed. Each part that must be ready registers
 * one; the runtime answers with the worst of them.
 */
@ProviderType
public interface SystemHealth {
    enum Status { UP, STARTING, DATABASE_DOWN }

    Status status();
}
