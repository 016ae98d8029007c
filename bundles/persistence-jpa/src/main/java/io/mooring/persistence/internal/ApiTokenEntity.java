package io.mooring.persistence.internal;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

/** Looked up by secret hash before the tenant is known, so not tenant-scoped; the owner's tenant is copied in. */
@Entity
@Table(name = "api_token")
public class ApiTokenEntity {
    @Id
    String id;
    @Column(name = "tenant_id")
    String tenantId;
    String owner;
    String name;
    String role;
    @Column(name = "secret_hash")
    String secretHash;
    @Column(name = "created_at")
    Instant createdAt;
    @Column(name = "expires_at")
    Instant expiresAt;
    boolean revoked;
}
