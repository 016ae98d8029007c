package io.mooring.api.pki;

import java.time.Instant;

import io.mooring.api.TenantId;

/** An Apple MDM push certificate a tenant uploaded; {@code topic} comes from the certificate's UID. */
public record PushCertificate(TenantId tenant, String topic, String subject, Instant notBefore, Instant notAfter, Instant uploadedAt, String uploadedBy) {
}
