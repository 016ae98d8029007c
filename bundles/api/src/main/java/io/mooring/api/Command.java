package io.mooring.api;

import java.time.Instant;
import java.util.Map;

/** A queued command and how far it got: the number of target devices in each {@link DeliveryState}. */
public record Command(
        CommandId id,
        TenantId tenant,
        CommandType type,
        Map<String, Object> payload,
        Actor issuedBy,
        Instant createdAt,
        Instant expiresAt,
        Map<DeliveryState, Long> deliveries) {
}
