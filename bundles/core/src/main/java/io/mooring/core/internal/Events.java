package io.mooring.core.internal;

import java.util.HashMap;
import java.util.Map;

import io.mooring.api.MooringEvents;
import io.mooring.api.TenantId;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/** Posts Mooring's events asynchronously; listeners never slow down a check-in or an admin request. */
final class Events {
    private final EventAdmin eventAdmin;

    Events(EventAdmin eventAdmin) {
        this.eventAdmin = eventAdmin;
    }

    void post(String topic, TenantId tenant, Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        if (tenant != null) {
            props.put(MooringEvents.TENANT, tenant.value());
        }
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                Object value = keyValues[i + 1];
                props.put((String) keyValues[i], value instanceof String[] ? value : value.toString());
            }
        }
        eventAdmin.postEvent(new Event(topic, props));
    }
}
