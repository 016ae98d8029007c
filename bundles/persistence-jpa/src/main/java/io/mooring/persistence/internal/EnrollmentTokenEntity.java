package io.mooring.persistence.internal;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

/** A device presents the token before anything tells us its tenant: the token is what decides it. */
@Entity
@Table(name = "enrollment_token")
public class EnrollmentTokenEntity {
    @Id
    String id;
    @Column(name = "tenant_id")
    String tenantId;
    String platform;
    @Column(name = "secret_hash")
    String secretHash;
    @Column(name = "expires_at")
    Instant expiresAt;
    @Column(name = "max_uses")
    int maxUses;
    int uses;
    @Column(name = "group_id")
    String groupId;
    @Column(name = "created_by")
    String createdBy;
    @Column(name = "created_at")
    Instant createdAt;
}
