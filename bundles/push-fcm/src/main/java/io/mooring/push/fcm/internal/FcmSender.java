package io.mooring.push.fcm.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.api.core.ApiFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.firebase.ErrorCode;
import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.BatchResponse;
import com.google.firebase.messaging.FirebaseMessaging;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.MessagingErrorCode;
import com.google.firebase.messaging.SendResponse;

import io.mooring.api.Device;
import io.mooring.api.TenantId;
import io.mooring.spi.PushProvider.PushReport;
import io.mooring.spi.PushProvider.Rejection;

/**
 * Sends wake-ups as FCM data messages, in batches of up to 500 (the SDK's {@code sendEach}), with a
 * bounded number of batches in flight. FCM's answer decides per message (Google's "FCM error codes"):
 * a token FCM no longer knows is reported for invalidation, throttling and server trouble are retried
 * with backoff, and a refused credential is reported as a problem of the whole service account.
 */
final class FcmSender {
    /** The SDK's limit for one {@code sendEach} call. */
    static final int MAX_BATCH = 500;
    /** What the Mooring agent looks for in a data message: check in now. */
    static final Map<String, String> WAKE_UP = Map.of("mooring", "check-in");
    /** Wake-ups waiting for an offline device collapse into one. */
    static final String COLLAPSE_KEY = "mooring-check-in";
    /** The token will never work again. */
    static final Set<MessagingErrorCode> TOKEN_DEAD = Set.of(MessagingErrorCode.UNREGISTERED, MessagingErrorCode.INVALID_ARGUMENT,
            MessagingErrorCode.SENDER_ID_MISMATCH);
    /** Try again later. */
    static final Set<MessagingErrorCode> TRANSIENT = Set.of(MessagingErrorCode.QUOTA_EXCEEDED, MessagingErrorCode.UNAVAILABLE,
            MessagingErrorCode.INTERNAL);

    /** Hears whether FCM currently accepts Mooring's service account, for the admin API. */
    interface Health {
        void reached(TenantId tenant);

        void refused(TenantId tenant, String problem);
    }

    private final FirebaseMessaging messaging;
    private final int batchSize;
    private final Semaphore batchesInFlight;
    private final int retries;
    private final Duration backoff;
    private final Duration ttl;
    private final ScheduledExecutorService scheduler;
    private final Health health;

    FcmSender(FirebaseMessaging messaging, int batchSize, int batchesInFlight, int retries, Duration backoff, Duration ttl,
            ScheduledExecutorService scheduler, Health health) {
        this.messaging = messaging;
        this.batchSize = Math.max(1, Math.min(MAX_BATCH, batchSize));
        this.batchesInFlight = new Semaphore(Math.max(1, batchesInFlight));
        this.retries = retries;
        this.backoff = backoff;
        this.ttl = ttl;
        this.scheduler = scheduler;
        this.health = health;
    }

    private record Wake(Device device, Message message) {
    }

    CompletionStage<PushReport> wake(List<Device> devices) {
        AtomicInteger accepted = new AtomicInteger();
        List<Rejection> rejected = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> batches = new ArrayList<>();
        List<Wake> batch = new ArrayList<>(batchSize);
        for (Device d : devices) {
            if (d.push() == null || d.push().token() == null) {
                rejected.add(new Rejection(d.id(), "the device has no FCM registration token yet", false));
                continue;
            }
            batch.add(new Wake(d, message(d.push().token())));
            if (batch.size() == batchSize) {
                batches.add(send(batch, 0, accepted, rejected));
                batch = new ArrayList<>(batchSize);
            }
        }
        if (!batch.isEmpty()) {
            batches.add(send(batch, 0, accepted, rejected));
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).thenApply(ignored -> new PushReport(accepted.get(), rejected));
    }

    Message message(String token) {
        return Message.builder()
                .setToken(token)
                .putAllData(WAKE_UP)
                // high priority: a data message at normal priority waits for the device to leave Doze
                .setAndroidConfig(AndroidConfig.builder().setPriority(AndroidConfig.Priority.HIGH).setCollapseKey(COLLAPSE_KEY)
                        .setTtl(ttl.toMillis()).build())
                .build();
    }

    private CompletableFuture<Void> send(List<Wake> batch, int attempt, AtomicInteger accepted, List<Rejection> rejected) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            batchesInFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.forEach(w -> rejected.add(new Rejection(w.device().id(), "interrupted before sending", false)));
            done.complete(null);
            return done;
        }
        ApiFuture<BatchResponse> sent;
        try {
            sent = messaging.sendEachAsync(batch.stream().map(Wake::message).toList());
        } catch (RuntimeException e) {
            batchesInFlight.release();
            batch.forEach(w -> rejected.add(new Rejection(w.device().id(), "FCM send failed: " + e.getMessage(), false)));
            done.complete(null);
            return done;
        }
        sent.addListener(() -> {
            batchesInFlight.release();
            List<Wake> again = new ArrayList<>();
            try {
                List<SendResponse> responses = sent.get().getResponses();
                for (int i = 0; i < batch.size(); i++) {
                    judge(batch.get(i), responses.get(i), attempt, accepted, rejected, again);
                }
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                batch.forEach(w -> rejected.add(new Rejection(w.device().id(), "FCM send failed: " + cause, false)));
            }
            if (again.isEmpty()) {
                done.complete(null);
            } else {
                long delay = backoff.toMillis() << attempt;
                scheduler.schedule(() -> send(again, attempt + 1, accepted, rejected).whenComplete((v, f) -> done.complete(null)),
                        delay, TimeUnit.MILLISECONDS);
            }
        }, MoreExecutors.directExecutor());
        return done;
    }

    private void judge(Wake wake, SendResponse response, int attempt, AtomicInteger accepted, List<Rejection> rejected, List<Wake> again) {
        TenantId tenant = wake.device().tenant();
        if (response.isSuccessful()) {
            accepted.incrementAndGet();
            health.reached(tenant);
            return;
        }
        FirebaseMessagingException e = response.getException();
        MessagingErrorCode code = e.getMessagingErrorCode();
        String reason = code != null ? code.name() + ": " + e.getMessage() : e.getErrorCode() + ": " + e.getMessage();
        if (code != null && TOKEN_DEAD.contains(code)) {
            rejected.add(new Rejection(wake.device().id(), reason, true));
        } else if (retryable(e) && attempt < retries) {
            again.add(wake);
        } else {
            if (code == MessagingErrorCode.THIRD_PARTY_AUTH_ERROR || e.getErrorCode() == ErrorCode.UNAUTHENTICATED
                    || e.getErrorCode() == ErrorCode.PERMISSION_DENIED) {
                health.refused(tenant, "FCM refused Mooring's credentials: " + reason);
            } else if (code == null || TRANSIENT.contains(code)) {
                health.refused(tenant, "FCM could not be reached or kept failing: " + reason);
            }
            rejected.add(new Rejection(wake.device().id(), reason, false));
        }
    }

    private static boolean retryable(FirebaseMessagingException e) {
        MessagingErrorCode code = e.getMessagingErrorCode();
        if (code != null) {
            return TRANSIENT.contains(code);
        }
        // no FCM error code: a network failure or a generic server error
        return e.getErrorCode() == ErrorCode.UNAVAILABLE || e.getErrorCode() == ErrorCode.INTERNAL || e.getErrorCode() == ErrorCode.UNKNOWN
                || e.getErrorCode() == ErrorCode.RESOURCE_EXHAUSTED || e.getErrorCode() == ErrorCode.DEADLINE_EXCEEDED;
    }
}
