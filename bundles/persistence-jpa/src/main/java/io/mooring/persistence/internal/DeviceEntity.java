package io.mooring.persistence.internal;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

import org.eclipse.persistence.annotations.Multitenant;
import org.eclipse.persistence.annotations.MultitenantType;
import org.eclipse.persistence.annotations.TenantDiscriminatorColumn;

/** Tenant-scoped by EclipseLink: every query and insert through a tenant's EntityManager carries its tenant id. */
@Entity
@Table(name = "device")
@Multitenant(MultitenantType.SINGLE_TABLE)
@TenantDiscriminatorColumn(name = "tenant_id", contextProperty = Jpa.TENANT_PROPERTY)
public class DeviceEntity {
    @Id
    String id;
    @Column(name = "tenant_id", insertable = false, updatable = false)
    String tenantId;
    String platform;
    String state;
    String name;
    String model;
    @Column(name = "os_version")
    String osVersion;
    @Column(name = "serial_number")
    String serialNumber;
    @Column(name = "hardware_id")
    String hardwareId;
    @Column(name = "credential_hash")
    String credentialHash;
    @Column(name = "push_provider")
    String pushProvider;
    @Column(name = "push_token")
    String pushToken;
    @Column(name = "push_topic")
    String pushTopic;
    @Column(name = "push_magic")
    String pushMagic;
    @Column(name = "push_valid")
    boolean pushValid;
    @Column(name = "enrolled_at")
    Instant enrolledAt;
    @Column(name = "last_seen_at")
    Instant lastSeenAt;
}
