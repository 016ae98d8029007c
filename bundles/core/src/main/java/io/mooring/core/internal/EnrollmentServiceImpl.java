package io.mooring.core.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.mooring.api.Actor;
import io.mooring.api.AuditLog;
import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.EnrolledDevice;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentService;
import io.mooring.api.NotFoundException;
import io.mooring.api.GroupId;
import io.mooring.api.EnrollmentToken;
import io.mooring.api.MooringEvents;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.api.store.DeviceStore;
import io.mooring.api.store.EnrollmentStore;
import io.mooring.api.store.GroupStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.EventAdmin;

@Component(service = EnrollmentService.class)
public final class EnrollmentServiceImpl implements EnrollmentService {
    static final Duration MAX_VALIDITY = Duration.ofDays(366);
    static final int MAX_USES = 1_000_000;
    private static final int MAX_SECRET_LENGTH = 200;

    private final EnrollmentStore store;
    private final DeviceStore devices;
    private final GroupStore groups;
    private final AuditLog audit;
    private final Events events;
    private final Clock clock;

    @Activate
    public EnrollmentServiceImpl(@Reference EnrollmentStore store, @Reference DeviceStore devices, @Reference GroupStore groups,
            @Reference AuditLog audit, @Reference EventAdmin eventAdmin) {
        this(store, devices, groups, audit, new Events(eventAdmin), Clock.systemUTC());
    }

    EnrollmentServiceImpl(EnrollmentStore store, DeviceStore devices, GroupStore groups, AuditLog audit, Events events, Clock clock) {
        this.store = store;
        this.devices = devices;
        this.groups = groups;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public EnrollmentToken issueToken(TenantId tenant, PlatformId platform, Duration validFor, int maxUses, GroupId group, Actor actor) {
        if (validFor == null || validFor.compareTo(Duration.ofMinutes(1)) < 0 || validFor.compareTo(MAX_VALIDITY) > 0) {
            throw new ValidationException("validForSeconds", "an enrollment token must be valid for between 1 minute and 366 days");
        }
        if (maxUses < 1 || maxUses > MAX_USES) {
            throw new ValidationException("maxUses", "maxUses must be between 1 and " + MAX_USES);
        }
        String groupName = group == null ? null
                : groups.find(tenant, group).orElseThrow(() -> new NotFoundException("no group " + group + "; no token was issued")).name();
        Instant now = clock.instant();
        String secret = Secrets.newSecret("enr_");
        EnrollmentToken stored = store.createToken(tenant, platform, Secrets.digest(secret), now.plus(validFor), maxUses, group, actor.toString(), now);
        audit.record(tenant, actor, "enrollment.token_issued", stored.id(), platform + ", " + maxUses + " uses, until " + stored.expiresAt()
                + (groupName == null ? "" : ", into group " + groupName));
        return new EnrollmentToken(stored.id(), tenant, platform, stored.expiresAt(), maxUses, 0, secret, group);
    }

    @Override
    public EnrolledDevice enroll(PlatformId platform, String tokenSecret, DeviceDescription description) {
        if (tokenSecret == null || tokenSecret.isBlank() || tokenSecret.length() > MAX_SECRET_LENGTH) {
            throw new EnrollmentException("the enrollment token is not valid");
        }
        String credential = Secrets.newSecret("dev_");
        Device device = store.enroll(Secrets.digest(tokenSecret), platform, description == null ? DeviceDescription.EMPTY : description,
                Secrets.digest(credential), clock.instant());
        audit.record(device.tenant(), Actor.device(device.id()), "device.enrolled", device.id().toString(), platform.value());
        events.post(MooringEvents.DEVICE_ENROLLED, device.tenant(), MooringEvents.DEVICE, device.id(), MooringEvents.PLATFORM, platform);
        return new EnrolledDevice(device, credential);
    }

    @Override
    public Optional<Device> authenticate(PlatformId platform, String credential) {
        if (credential == null || credential.isBlank() || credential.length() > MAX_SECRET_LENGTH) {
            return Optional.empty();
        }
        return devices.findByCredential(platform, Secrets.digest(credential));
    }
}
