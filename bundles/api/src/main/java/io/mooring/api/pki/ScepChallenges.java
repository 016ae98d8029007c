package io.mooring.api.pki;

import java.time.Duration;

import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Issues the one-time challenge passwords that SCEP clients present in their certificate request.
 * A challenge admits exactly one issuance, for its tenant, before it expires.
 */
@ProviderType
public interface ScepChallenges {
    ScepChallenge issue(TenantId tenant, String purpose, Duration validFor);
}
