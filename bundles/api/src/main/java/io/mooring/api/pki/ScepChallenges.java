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

    /**
     * A challenge that admits only a request for exactly this subject (an RFC 4514 name such as
     * {@code CN=…,O=Mooring}), so a device enrolling with it cannot ask for another device's identity.
     */
    ScepChallenge issueForSubject(TenantId tenant, String subject, Duration validFor);
}
