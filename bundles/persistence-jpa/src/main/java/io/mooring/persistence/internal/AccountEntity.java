package io.mooring.persistence.internal;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

/** Admin accounts are looked up by user name before the tenant is known, so the entity is not tenant-scoped. */
@Entity
@Table(name = "admin_account")
public class AccountEntity {
    @Id
    String username;
    @Column(name = "tenant_id")
    String tenantId;
    String role;
    @Column(name = "password_hash")
    String passwordHash;
    boolean enabled;
    @Column(name = "created_at")
    Instant createdAt;
}
