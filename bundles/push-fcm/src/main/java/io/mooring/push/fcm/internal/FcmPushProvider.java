package io.mooring.push.fcm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.ThreadManager;
import com.google.firebase.internal.ApacheHttp2Transport;
import com.google.firebase.messaging.FirebaseMessaging;

import io.mooring.api.Device;
import io.mooring.api.TenantId;
import io.mooring.spi.PushProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code fcm} push provider: wakes Android devices with FCM data messages, sent with the Firebase
 * Admin SDK under the service account of the Firebase project the Mooring agent app belongs to. The SDK
 * is started on the first wake-up, not at activation, so a missing or broken key file shows as a push
 * problem in the admin API instead of a component that never appears.
 */
@Component(service = PushProvider.class, configurationPid = "io.mooring.push.fcm")
@Designate(ocd = FcmPushProvider.Config.class)
public final class FcmPushProvider implements PushProvider {
    @ObjectClassDefinition(name = "Mooring FCM push", description = "How Mooring reaches Firebase Cloud Messaging")
    @interface Config {
        @AttributeDefinition(description = "Service account key file (JSON) of the Firebase project of the agent app; empty: FCM is off")
        String service_account_file() default "";

        @AttributeDefinition(description = "Firebase project id; empty: the key file's project_id")
        String project_id() default "";

        @AttributeDefinition(description = "FCM endpoint (scheme, host, port) instead of https://fcm.googleapis.com (a gateway, a test server)")
        String endpoint() default EndpointTransport.FCM;

        @AttributeDefinition(description = "Messages per batch (sendEach), at most 500")
        int batch_size() default FcmSender.MAX_BATCH;

        @AttributeDefinition(description = "Batches awaiting FCM's answers at most")
        int batches_in_flight() default 4;

        @AttributeDefinition(description = "Requests to FCM at once (threads of the SDK's executor)")
        int concurrency() default 64;

        @AttributeDefinition(description = "Retries of a message FCM throttled or failed with a server error")
        int retries() default 3;

        @AttributeDefinition(description = "How long FCM keeps a wake-up for an offline device, in seconds")
        int ttl_seconds() default 8 * 3600;
    }

    private static final Logger LOG = LoggerFactory.getLogger(FcmPushProvider.class);

    private final Config config;
    private final Map<TenantId, Problem> problems = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("mooring-fcm-retry"));
    private FirebaseApp app;
    private EndpointTransport transport;
    private FcmSender sender;
    private String startProblem;

    @Activate
    public FcmPushProvider(Config config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "fcm";
    }

    @Override
    public CompletionStage<PushReport> wake(List<Device> devices) {
        FcmSender s = sender();
        if (s == null) {
            devices.stream().map(Device::tenant).distinct().forEach(t -> report(t, startProblem));
            return CompletableFuture.completedFuture(new PushReport(0,
                    devices.stream().map(d -> new Rejection(d.id(), startProblem, false)).toList()));
        }
        return s.wake(devices);
    }

    @Override
    public List<Problem> problems() {
        return List.copyOf(problems.values());
    }

    private void report(TenantId tenant, String message) {
        problems.compute(tenant, (k, old) -> new Problem(tenant, "fcm", message,
                old != null && old.message().equals(message) ? old.since() : Instant.now()));
    }

    private synchronized FcmSender sender() {
        if (sender != null || startProblem != null && !startProblem.startsWith("cannot read")) {
            return sender;
        }
        if (config.service_account_file().isBlank()) {
            startProblem = "FCM is not configured: set service.account.file in etc/io.mooring.push.fcm.cfg to the Firebase project's "
                    + "service account key";
            return null;
        }
        try {
            ServiceAccountCredentials credentials;
            try (InputStream in = Files.newInputStream(Path.of(config.service_account_file()))) {
                credentials = ServiceAccountCredentials.fromStream(in);
            }
            String project = config.project_id().isBlank() ? credentials.getProjectId() : config.project_id();
            if (project == null || project.isBlank()) {
                startProblem = "the FCM service account key names no project_id; set project.id";
                return null;
            }
            transport = new EndpointTransport(new ApacheHttp2Transport(), config.endpoint());
            FirebaseOptions options = FirebaseOptions.builder()
                    .setCredentials((GoogleCredentials) credentials)
                    .setProjectId(project)
                    .setHttpTransport(transport)
                    .setThreadManager(new BoundedThreads(Math.max(1, config.concurrency())))
                    .setConnectTimeout(10_000)
                    .setReadTimeout(30_000)
                    .build();
            // each component instance has an app of its own: FirebaseApp names are JVM-wide
            app = FirebaseApp.initializeApp(options, "mooring-fcm-" + UUID.randomUUID());
            sender = new FcmSender(FirebaseMessaging.getInstance(app), config.batch_size(), config.batches_in_flight(), config.retries(),
                    Duration.ofMillis(500), Duration.ofSeconds(Math.max(0, config.ttl_seconds())), scheduler, new FcmSender.Health() {
                        @Override
                        public void reached(TenantId tenant) {
                            problems.remove(tenant);
                        }

                        @Override
                        public void refused(TenantId tenant, String problem) {
                            report(tenant, problem);
                        }
                    });
            startProblem = null;
            LOG.info("FCM push for project {} through {}", project, config.endpoint());
            return sender;
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot use the FCM service account key {}: {}", config.service_account_file(), e.toString());
            startProblem = "cannot read the FCM service account key " + config.service_account_file() + ": " + e.getMessage();
            return null;
        }
    }

    /** The SDK runs each request of a batch as a task on this executor: a fixed number of threads, never one per message. */
    private static final class BoundedThreads extends ThreadManager {
        private final int threads;

        BoundedThreads(int threads) {
            this.threads = threads;
        }

        @Override
        protected ExecutorService getExecutor(FirebaseApp app) {
            return Executors.newFixedThreadPool(threads, getThreadFactory());
        }

        @Override
        protected void releaseExecutor(FirebaseApp app, ExecutorService executor) {
            executor.shutdownNow();
        }

        @Override
        protected ThreadFactory getThreadFactory() {
            return daemon("mooring-fcm");
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Deactivate
    synchronized void deactivate() throws IOException, InterruptedException {
        scheduler.shutdownNow();
        if (app != null) {
            app.delete();
        }
        if (transport != null) {
            transport.shutdown();
        }
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
}
