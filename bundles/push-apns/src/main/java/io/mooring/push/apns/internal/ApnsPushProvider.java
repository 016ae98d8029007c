package io.mooring.push.apns.internal;

import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;

import io.mooring.api.Device;
import io.mooring.api.TenantId;
import io.mooring.api.pki.PushCertificates;
import io.mooring.spi.PushProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code apns} push provider: one Pushy client per tenant and topic, authenticated with the
 * tenant's MDM push certificate, rebuilt when a new certificate is uploaded for the topic.
 */
@Component(service = PushProvider.class, configurationPid = "io.mooring.push.apns")
@Designate(ocd = ApnsPushProvider.Config.class)
public final class ApnsPushProvider implements PushProvider {
    @ObjectClassDefinition(name = "Mooring APNs push", description = "How Mooring reaches Apple's push service")
    @interface Config {
        @AttributeDefinition(description = "production, development, or host:port of another APNs endpoint (a test server)")
        String gateway() default "production";

        @AttributeDefinition(description = "HTTP/2 connections per push certificate")
        int connections() default 1;

        @AttributeDefinition(description = "Notifications awaiting APNs' answer at most, across all certificates")
        int max_in_flight() default 2_000;

        @AttributeDefinition(description = "Retries of a notification APNs throttled or failed with a server error")
        int retries() default 3;

        @AttributeDefinition(description = "PEM file of the CA to trust for the gateway instead of the JVM's (a test server)")
        String trusted_server_certificate() default "";

        @AttributeDefinition(description = "APNs authentication key (.p8) for app pushes (topics that are not MDM topics); empty: none")
        String signing_key_file() default "";

        @AttributeDefinition(description = "Team id of the APNs authentication key")
        String team_id() default "";

        @AttributeDefinition(description = "Key id of the APNs authentication key")
        String key_id() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(ApnsPushProvider.class);
    private static final Duration CREDENTIALS_CACHE = Duration.ofMinutes(1);

    private record Cached(ApnsClient client, String certificateSerial, Instant checkedAt) {
    }

    private final PushCertificates certificates;
    private final Config config;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mooring-apns-retry");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Cached> clients = new ConcurrentHashMap<>();
    private final Map<String, Problem> problems = new ConcurrentHashMap<>();
    private final ApnsSender sender;

    @Activate
    public ApnsPushProvider(@Reference PushCertificates certificates, Config config) {
        this.certificates = certificates;
        this.config = config;
        this.sender = new ApnsSender(this::clientFor, config.max_in_flight(), config.retries(), Duration.ofMillis(500), scheduler,
                new ApnsSender.Health() {
                    @Override
                    public void reached(TenantId tenant, String topic) {
                        problems.remove(tenant.value() + "|" + topic);
                    }

                    @Override
                    public void unreachable(TenantId tenant, String topic, String problem) {
                        report(tenant, topic, "APNs refused or could not be reached with this push certificate: " + problem);
                    }
                });
    }

    @Override
    public String name() {
        return "apns";
    }

    @Override
    public CompletionStage<PushReport> wake(List<Device> devices) {
        return sender.wake(devices);
    }

    @Override
    public List<Problem> problems() {
        return List.copyOf(problems.values());
    }

    private void report(TenantId tenant, String topic, String message) {
        problems.compute(tenant.value() + "|" + topic, (k, old) -> new Problem(tenant, topic, message,
                old != null && old.message().equals(message) ? old.since() : Instant.now()));
    }

    private volatile ApnsClient tokenClient;

    private ApnsClient clientFor(TenantId tenant, String topic) {
        if (!topic.startsWith(ApnsSender.MDM_TOPIC_PREFIX)) {
            return tokenClient(tenant, topic);
        }
        String key = tenant.value() + "|" + topic;
        Cached cached = clients.get(key);
        if (cached != null && cached.checkedAt().plus(CREDENTIALS_CACHE).isAfter(Instant.now())) {
            return cached.client();
        }
        var credentials = certificates.credentials(tenant, topic).orElse(null);
        if (credentials == null) {
            report(tenant, topic, "devices use this topic but the tenant has no push certificate for it; upload one");
            return null;
        }
        if (credentials.certificate().getNotAfter().toInstant().isBefore(Instant.now())) {
            report(tenant, topic, "the push certificate expired on " + credentials.certificate().getNotAfter().toInstant() + "; renew and upload it");
        }
        String serial = credentials.certificate().getSerialNumber().toString(16);
        if (cached != null && cached.certificateSerial().equals(serial)) {
            clients.put(key, new Cached(cached.client(), serial, Instant.now()));
            return cached.client();
        }
        try {
            ApnsClient client = gateway(new ApnsClientBuilder().setClientCredentials(credentials.certificate(), credentials.key(), null)).build();
            clients.put(key, new Cached(client, serial, Instant.now()));
            if (cached != null) {
                cached.client().close();
            }
            LOG.info("APNs client for topic {} of tenant {} (certificate {})", topic, tenant, serial);
            return client;
        } catch (Exception e) {
            LOG.error("Cannot connect to APNs for topic {} of tenant {}: {}", topic, tenant, e.toString());
            report(tenant, topic, "cannot connect to APNs: " + e.getMessage());
            return null;
        }
    }

    /** App pushes authenticate with the configured APNs key (JWT), one client for every app topic. */
    private synchronized ApnsClient tokenClient(TenantId tenant, String topic) {
        if (tokenClient != null) {
            return tokenClient;
        }
        if (config.signing_key_file().isBlank()) {
            report(tenant, topic, "an app push needs an APNs authentication key (signing.key.file, team.id, key.id in "
                    + "etc/io.mooring.push.apns.cfg)");
            return null;
        }
        try {
            tokenClient = gateway(new ApnsClientBuilder().setSigningKey(com.eatthepath.pushy.apns.auth.ApnsSigningKey.loadFromPkcs8File(
                    new java.io.File(config.signing_key_file()), config.team_id(), config.key_id()))).build();
            return tokenClient;
        } catch (Exception e) {
            LOG.error("Cannot use the APNs authentication key {}: {}", config.signing_key_file(), e.toString());
            report(tenant, topic, "cannot use the APNs authentication key: " + e.getMessage());
            return null;
        }
    }

    private ApnsClientBuilder gateway(ApnsClientBuilder builder) throws Exception {
        builder.setConcurrentConnections(Math.max(1, config.connections()));
        switch (config.gateway()) {
            case "production" -> builder.setApnsServer(ApnsClientBuilder.PRODUCTION_APNS_HOST);
            case "development" -> builder.setApnsServer(ApnsClientBuilder.DEVELOPMENT_APNS_HOST);
            default -> {
                int colon = config.gateway().lastIndexOf(':');
                builder.setApnsServer(config.gateway().substring(0, colon), Integer.parseInt(config.gateway().substring(colon + 1)));
            }
        }
        if (!config.trusted_server_certificate().isBlank()) {
            try (InputStream in = new FileInputStream(config.trusted_server_certificate())) {
                builder.setTrustedServerCertificateChain(java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)
                        .stream().map(java.security.cert.X509Certificate.class::cast).toArray(java.security.cert.X509Certificate[]::new));
            }
        }
        return builder;
    }

    @Deactivate
    void deactivate() throws Exception {
        scheduler.shutdownNow();
        for (Cached c : clients.values()) {
            c.client().close().get(10, TimeUnit.SECONDS);
        }
        if (tokenClient != null) {
            tokenClient.close().get(10, TimeUnit.SECONDS);
        }
    }
}
