package io.mooring.api.pki;

import java.time.Instant;

/** A one-time SCEP challenge password; {@code secret} is shown only here, Mooring keeps its hash. */
public record ScepChallenge(String secret, Instant expiresAt, String scepUrl) {
}
