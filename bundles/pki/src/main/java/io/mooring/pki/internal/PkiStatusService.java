package io.mooring.pki.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.mooring.api.MooringEvents;
import io.mooring.api.TenantId;
import io.mooring.api.pki.PkiStatus;
import io.mooring.api.store.PkiStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expiry of everything Mooring's trust rests on, for the admin API, and events ahead of it: an expired
 * push certificate silently cuts off every Apple device of its tenant, an expired CA every identity.
 */
@Component(service = PkiStatus.class)
public final class PkiStatusService implements PkiStatus {
    private static final Logger LOG = LoggerFactory.getLogger(PkiStatusService.class);
    static final List<Integer> WARN_DAYS = List.of(30, 7, 1);
    static final String TLS_GENERATED_WARNING = "the HTTPS certificate was generated from Mooring's own CA; real devices need a publicly "
            + "trusted certificate (set tls.certificate.file in etc/io.mooring.pki.cfg)";

    private final LocalCa ca;
    private final TlsConnector tls;
    private final PkiStore store;
    private final EventAdmin events;
    private final Clock clock;
    /** (kind, name, threshold) already announced; kept in memory, so a restart may announce a threshold again. */
    private final Set<String> announced = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mooring-pki-expiry");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public PkiStatusService(@Reference LocalCa ca, @Reference TlsConnector tls, @Reference PkiStore store, @Reference EventAdmin events) {
        this(ca, tls, store, events, Clock.systemUTC());
        scheduler.scheduleWithFixedDelay(this::check, 1, Duration.ofHours(6).toMinutes(), TimeUnit.MINUTES);
    }

    PkiStatusService(LocalCa ca, TlsConnector tls, PkiStore store, EventAdmin events, Clock clock) {
        this.ca = ca;
        this.tls = tls;
        this.store = store;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public List<Expiry> expiries(TenantId tenant) {
        Instant now = clock.instant();
        List<Expiry> out = serverCertificates(now);
        store.listPushCertificates(tenant).forEach(p -> out.add(expiry("push", p.topic(), p.notAfter(), now, null)));
        return out;
    }

    /** The CA, the RA and the TLS certificate: the server's own, the same for every tenant. */
    private List<Expiry> serverCertificates(Instant now) {
        List<Expiry> out = new ArrayList<>();
        CaMaterial m = ca.material(Duration.ofSeconds(10));
        if (m != null) {
            out.add(expiry("ca", m.certificate().getSubjectX500Principal().getName(), m.certificate().getNotAfter().toInstant(), now, null));
            out.add(expiry("scep-ra", m.raCertificate().getSubjectX500Principal().getName(), m.raCertificate().getNotAfter().toInstant(), now, null));
        }
        TlsConnector.TlsCertificate served = tls.certificate();
        if (served == null) {
            out.add(new Expiry("tls", "not configured yet", null, -1, "HTTPS is being set up, or failed: see the log"));
        } else {
            out.add(expiry("tls", served.certificate().getSubjectX500Principal().getName(), served.certificate().getNotAfter().toInstant(), now,
                    served.generated() ? TLS_GENERATED_WARNING : null));
        }
        return out;
    }

    private static Expiry expiry(String kind, String name, Instant notAfter, Instant now, String warning) {
        long days = Duration.between(now, notAfter).toDays();
        String w = warning != null ? warning : days < 0 ? "expired" : days <= 30 ? "expires in " + days + " days" : null;
        return new Expiry(kind, name, notAfter, days, w);
    }

    /** Announces each certificate once per threshold it has crossed: the server's under the default tenant, push ones under theirs. */
    void check() {
        try {
            Instant now = clock.instant();
            serverCertificates(now).forEach(e -> announce(TenantId.DEFAULT, e));
            store.listAllPushCertificates().forEach(p -> announce(p.tenant(), expiry("push", p.topic(), p.notAfter(), now, null)));
        } catch (RuntimeException e) {
            LOG.warn("Could not check certificate expiry: {}", e.getMessage());
        }
    }

    void announce(TenantId tenant, Expiry e) {
        if (e.notAfter() == null) {
            return;
        }
        // the tightest threshold crossed: 6 days left announces the 7-day warning, not the 30-day one
        Integer threshold = WARN_DAYS.stream().filter(t -> e.daysLeft() <= t).min(Integer::compare).orElse(null);
        if (threshold == null || !announced.add(e.kind() + "|" + e.name() + "|" + threshold)) {
            return;
        }
        LOG.warn("The {} certificate {} expires on {} ({} days left)", e.kind(), e.name(), e.notAfter(), e.daysLeft());
        Map<String, Object> props = new HashMap<>();
        props.put(MooringEvents.TENANT, tenant.value());
        props.put("kind", e.kind());
        props.put("name", e.name());
        props.put("notAfter", e.notAfter().toString());
        props.put("daysLeft", e.daysLeft());
        props.put("threshold", threshold);
        events.postEvent(new Event(EXPIRING, props));
    }

    @Deactivate
    void deactivate() {
        scheduler.shutdownNow();
    }
}
