package io.mooring.api.pki;

import java.time.Instant;

import io.mooring.api.TenantId;

/** A certificate Mooring's CA issued; {@code pem} is the certificate itself. */
public record IssuedCertificate(String serial, TenantId tenant, String subject, Instant notBefore, Instant notAfter, Status status,
        Instant issuedAt, String pem) {
    public enum Status { VALID, REVOKED }
}
