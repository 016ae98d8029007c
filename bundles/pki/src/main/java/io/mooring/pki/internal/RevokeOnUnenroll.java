package io.mooring.pki.internal;

import java.time.Clock;
import java.util.List;

import io.mooring.api.DeviceId;
import io.mooring.api.MooringEvents;
import io.mooring.api.store.PkiStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An unenrolled device's certificates stop being trusted: they are revoked and appear on the CRL. */
@Component(property = EventConstants.EVENT_TOPIC + "=" + MooringEvents.DEVICE_UNENROLLED)
public final class RevokeOnUnenroll implements EventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RevokeOnUnenroll.class);

    private final PkiStore store;
    private final Clock clock;

    @Activate
    public RevokeOnUnenroll(@Reference PkiStore store) {
        this(store, Clock.systemUTC());
    }

    RevokeOnUnenroll(PkiStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void handleEvent(Event event) {
        Object device = event.getProperty(MooringEvents.DEVICE);
        if (device == null) {
            return;
        }
        try {
            List<String> serials = store.revokeForDevice(DeviceId.parse(device.toString()), clock.instant());
            if (!serials.isEmpty()) {
                LOG.info("Revoked certificates {} of unenrolled device {}", serials, device);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not revoke the certificates of unenrolled device {}: {}", device, e.getMessage());
        }
    }
}
