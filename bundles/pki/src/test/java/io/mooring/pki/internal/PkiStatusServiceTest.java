package io.mooring.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mooring.api.TenantId;
import io.mooring.api.pki.PkiStatus;
import io.mooring.api.pki.PushCertificate;
import io.mooring.persistence.internal.TestDatabase;
import io.mooring.persistence.internal.TestStores;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

class PkiStatusServiceTest {
    @Test
    void expiringPushCertificatesAreAnnouncedOncePerThreshold() throws Exception {
        try (TestStores stores = new TestStores(TestDatabase.create(TestDatabase.Kind.H2))) {
            Instant now = Instant.parse("2030-01-01T00:00:00Z");
            TenantId tenant = TenantId.DEFAULT;
            stores.pki.savePushCertificate(new PushCertificate(tenant, "com.apple.mgmt.soon", "UID=com.apple.mgmt.soon", now.minus(Duration.ofDays(300)),
                    now.plus(Duration.ofDays(6)).plusSeconds(60), now, "admin:x"), "cert", "key");
            stores.pki.savePushCertificate(new PushCertificate(tenant, "com.apple.mgmt.later", "UID=com.apple.mgmt.later", now, now.plus(Duration.ofDays(200)),
                    now, "admin:x"), "cert", "key");
            List<Event> events = new CopyOnWriteArrayList<>();
            EventAdmin admin = new EventAdmin() {
                @Override
                public void postEvent(Event event) {
                    events.add(event);
                }

                @Override
                public void sendEvent(Event event) {
                    events.add(event);
                }
            };
            PkiStatusService status = new PkiStatusService(null, null, stores.pki, admin, Clock.fixed(now, ZoneOffset.UTC));
            for (PushCertificate p : stores.pki.listAllPushCertificates()) {
                PkiStatus.Expiry e = new PkiStatus.Expiry("push", p.topic(), p.notAfter(), Duration.between(now, p.notAfter()).toDays(), null);
                status.announce(p.tenant(), e);
                status.announce(p.tenant(), e);
            }
            assertThat(events).hasSize(1);
            assertThat(events.get(0).getTopic()).isEqualTo(PkiStatus.EXPIRING);
            assertThat(events.get(0).getProperty("name")).isEqualTo("com.apple.mgmt.soon");
            assertThat(events.get(0).getProperty("threshold")).isEqualTo(7);
            assertThat(events.get(0).getProperty("daysLeft")).isEqualTo(6L);
        }
    }
}
