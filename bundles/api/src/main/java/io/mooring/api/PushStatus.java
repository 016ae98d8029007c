package io.mooring.api;

import java.time.Instant;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The installed push providers and what currently keeps each from reaching a tenant's devices. */
@ProviderType
public interface PushStatus {
    record ProviderStatus(String name, List<Problem> problems) {
    }

    record Problem(String subject, String message, Instant since) {
    }

    List<ProviderStatus> providers(TenantId tenant);
}
