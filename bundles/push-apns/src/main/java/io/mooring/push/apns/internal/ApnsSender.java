package io.mooring.push.apns.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;

import io.mooring.api.Device;
import io.mooring.api.TenantId;
import io.mooring.spi.PushProvider.PushReport;
import io.mooring.spi.PushProvider.Rejection;

/**
 * Sends MDM wake-ups ({@code {"mdm": PushMagic}} to the device token, on the topic of the tenant's push
 * certificate) with a bounded number of notifications in flight: Pushy's futures, never a thread per
 * push. APNs answers decide: a dead token is reported for invalidation, throttling and server errors
 * are retried with backoff, anything else is reported as it is.
 */
final class ApnsSender {
    /** APNs reasons that mean the token will never work again (Apple's "Handling notification responses"). */
    static final Set<String> TOKEN_DEAD = Set.of("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic", "ExpiredToken");
    static final String THROTTLED = "TooManyRequests";
    /** APNs reasons that blame the credential, not the device: every device of the topic is cut off. */
    static final Set<String> CREDENTIAL_REFUSED = Set.of("BadCertificate", "BadCertificateEnvironment", "MissingProviderToken",
            "InvalidProviderToken", "ExpiredProviderToken", "Forbidden");
    static final Duration EXPIRATION = Duration.ofHours(8);
    static final String MDM_TOPIC_PREFIX = "com.apple.mgmt.";
    /** A background push (content-available, priority 5, as Apple requires for it) that makes the app check in. */
    static final String APP_WAKE_UP = "{\"aps\":{\"content-available\":1}}";

    interface Clients {
        /** The client for a tenant's topic, or null when the tenant uploaded no push certificate for it. */
        ApnsClient clientFor(TenantId tenant, String topic);
    }

    /** Hears whether a tenant's topic currently reaches APNs, for the admin API. */
    interface Health {
        Health NONE = new Health() {
            @Override
            public void reached(TenantId tenant, String topic) {
            }

            @Override
            public void unreachable(TenantId tenant, String topic, String problem) {
            }
        };

        void reached(TenantId tenant, String topic);

        void unreachable(TenantId tenant, String topic, String problem);
    }

    private final Clients clients;
    private final Semaphore inFlight;
    private final int retries;
    private final Duration backoff;
    private final ScheduledExecutorService scheduler;
    private final Health health;

    ApnsSender(Clients clients, int maxInFlight, int retries, Duration backoff, ScheduledExecutorService scheduler) {
        this(clients, maxInFlight, retries, backoff, scheduler, Health.NONE);
    }

    ApnsSender(Clients clients, int maxInFlight, int retries, Duration backoff, ScheduledExecutorService scheduler, Health health) {
        this.health = health;
        this.clients = clients;
        this.inFlight = new Semaphore(maxInFlight);
        this.retries = retries;
        this.backoff = backoff;
        this.scheduler = scheduler;
    }

    CompletionStage<PushReport> wake(List<Device> devices) {
        AtomicInteger accepted = new AtomicInteger();
        List<Rejection> rejected = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> sends = new ArrayList<>(devices.size());
        for (Device d : devices) {
            boolean mdm = d.push() != null && d.push().topic() != null && d.push().topic().startsWith(MDM_TOPIC_PREFIX);
            if (d.push() == null || d.push().topic() == null || (mdm && d.push().magic() == null)) {
                rejected.add(new Rejection(d.id(), "the device has no APNs topic or PushMagic yet", false));
                continue;
            }
            ApnsClient client = clients.clientFor(d.tenant(), d.push().topic());
            if (client == null) {
                rejected.add(new Rejection(d.id(), "tenant " + d.tenant() + " has no push certificate for topic " + d.push().topic(), false));
                continue;
            }
            // MDM topics get Apple's MDM wake-up; an app's topic (token authentication) a silent background push
            SimpleApnsPushNotification notification = mdm
                    ? new SimpleApnsPushNotification(d.push().token(), d.push().topic(), "{\"mdm\":\"" + json(d.push().magic()) + "\"}",
                            Instant.now().plus(EXPIRATION), DeliveryPriority.IMMEDIATE, PushType.MDM)
                    : new SimpleApnsPushNotification(d.push().token(), d.push().topic(), APP_WAKE_UP, Instant.now().plus(EXPIRATION),
                            DeliveryPriority.CONSERVE_POWER, PushType.BACKGROUND);
            CompletableFuture<Void> done = new CompletableFuture<>();
            send(client, notification, 0, d, accepted, rejected, done);
            sends.add(done);
        }
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new PushReport(accepted.get(), rejected));
    }

    private void send(ApnsClient client, SimpleApnsPushNotification notification, int attempt, Device device, AtomicInteger accepted,
            List<Rejection> rejected, CompletableFuture<Void> done) {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rejected.add(new Rejection(device.id(), "interrupted before sending", false));
            done.complete(null);
            return;
        }
        client.sendNotification(notification).whenComplete((response, failure) -> {
            inFlight.release();
            if (failure == null && response.isAccepted()) {
                accepted.incrementAndGet();
                health.reached(device.tenant(), notification.getTopic());
                done.complete(null);
                return;
            }
            String reason = failure != null ? failure.getClass().getSimpleName() + ": " + failure.getMessage()
                    : response.getRejectionReason().orElse("HTTP " + response.getStatusCode());
            if (failure == null && TOKEN_DEAD.contains(reason)) {
                rejected.add(new Rejection(device.id(), reason, true));
                done.complete(null);
            } else if (retryable(response, failure) && attempt < retries) {
                long delay = backoff.toMillis() << attempt;
                scheduler.schedule(() -> send(client, notification, attempt + 1, device, accepted, rejected, done), delay, TimeUnit.MILLISECONDS);
            } else {
                if (failure != null || CREDENTIAL_REFUSED.contains(reason)) {
                    // the connection failed, or APNs refused the certificate itself (expired, revoked, wrong environment)
                    health.unreachable(device.tenant(), notification.getTopic(), reason);
                }
                rejected.add(new Rejection(device.id(), reason, false));
                done.complete(null);
            }
        });
    }

    private static boolean retryable(PushNotificationResponse<?> response, Throwable failure) {
        if (failure != null) {
            return true;
        }
        return response.getStatusCode() >= 500 || THROTTLED.equals(response.getRejectionReason().orElse(""));
    }

    private static String json(String text) {
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
