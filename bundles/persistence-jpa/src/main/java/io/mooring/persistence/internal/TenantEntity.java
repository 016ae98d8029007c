package io.mooring.persistence.internal;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

@Entity
@Table(name = "tenant")
public class TenantEntity {
    @Id
    String id;
    String name;
    @Column(name = "created_at")
    Instant createdAt;
}
