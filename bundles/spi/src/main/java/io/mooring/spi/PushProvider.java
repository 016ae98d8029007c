package io.mooring.spi;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

import io.mooring.api.Device;
import io.mooring.api.DeviceId;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Wakes devices so they check in; carries no command. Register as a service with the {@link #name()}
 * devices' {@code PushRegistration.provider} uses ({@code apns}, {@code fcm}). Core hands over batches and
 * marks the tokens the report calls permanently dead, so no more pushes go to them.
 */
@ConsumerType
public interface PushProvider {
    String name();

    /** Sends one wake-up per device; the stage completes when every send has an answer. */
    CompletionStage<PushReport> wake(List<Device> devices);

    record Rejection(DeviceId device, String reason, boolean tokenInvalid) {
    }

    /**
     * What currently keeps this provider from reaching devices of a tenant (an expired or revoked push
     * certificate, an unreachable gateway), for the admin API; empty when all is well.
     */
    default List<Problem> problems() {
        return List.of();
    }

    record Problem(TenantId tenant, String subject, String message, Instant since) {
    }

    record PushReport(int accepted, List<Rejection> rejected) {
        public PushReport {
            rejected = List.copyOf(rejected);
        }
    }
}
