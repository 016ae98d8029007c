package io.mooring.api.pki;

import java.time.Instant;
import java.util.List;

import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What expires and when: the CA, the SCEP RA, the TLS certificate devices see, and a tenant's push
 * certificates. Expiry of each raises {@code io/mooring/pki/EXPIRING} events 30, 7 and 1 days ahead.
 */
@ProviderType
public interface PkiStatus {
    String EXPIRING = "io/mooring/pki/EXPIRING";

    record Expiry(String kind, String name, Instant notAfter, long daysLeft, String warning) {
    }

    List<Expiry> expiries(TenantId tenant);
}
