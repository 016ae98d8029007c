package io.mooring.persistence.internal;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.SequenceGenerator;
import javax.persistence.Table;

import org.eclipse.persistence.annotations.Multitenant;
import org.eclipse.persistence.annotations.MultitenantType;
import org.eclipse.persistence.annotations.TenantDiscriminatorColumn;

@Entity
@Table(name = "inventory_snapshot")
@Multitenant(MultitenantType.SINGLE_TABLE)
@TenantDiscriminatorColumn(name = "tenant_id", contextProperty = Jpa.TENANT_PROPERTY)
public class InventoryEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "inventory_snapshot_seq")
    @SequenceGenerator(name = "inventory_snapshot_seq", sequenceName = "inventory_snapshot_seq", allocationSize = 50)
    Long id;
    @Column(name = "device_id")
    String deviceId;
    @Column(name = "reported_at")
    Instant reportedAt;
    /** JSON of the DeviceDescription part. */
    String summary;
    /** JSON of the platform's full report. */
    String facts;
}
