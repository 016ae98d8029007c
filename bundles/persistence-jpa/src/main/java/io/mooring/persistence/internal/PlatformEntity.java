package io.mooring.persistence.internal;

import java.time.Instant;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

/** Platforms are installed for the whole server, not per tenant. */
@Entity
@Table(name = "platform")
public class PlatformEntity {
    @Id
    String id;
    @Column(name = "display_name")
    String displayName;
    String version;
    /** Newline-separated URL path prefixes. */
    @Column(name = "device_paths")
    String devicePaths;
    @Column(name = "last_seen_at")
    Instant lastSeenAt;
}
