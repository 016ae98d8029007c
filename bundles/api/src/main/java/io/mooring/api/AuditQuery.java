package io.mooring.api;

import java.time.Instant;

/** Audit listing filter; null fields do not filter. Newest entries first. */
public record AuditQuery(String action, String target, Instant since, PageRequest page) {
    public AuditQuery {
        if (page == null) {
            page = PageRequest.first(50);
        }
    }
}
