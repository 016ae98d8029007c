package io.mooring.example.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.mooring.api.Actor;
import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceState;
import io.mooring.api.EnrolledDevice;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentService;
import io.mooring.api.EnrollmentToken;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.api.UnavailableException;

/** Admits the tokens it was given, once each, and remembers which credential belongs to which device. */
final class FakeEnrollmentService implements EnrollmentService {
    record Enrollment(PlatformId platform, String token, DeviceDescription description) {
    }

    final List<Enrollment> enrollments = new ArrayList<>();
    final List<String> authenticated = new ArrayList<>();
    private final Set<String> tokens = new HashSet<>();
    private final Map<String, Device> devices = new HashMap<>();
    boolean unavailable;

    void acceptToken(String token) {
        tokens.add(token);
    }

    /** A device enrolled out of band, as core would have stored it. */
    Device enrolledDevice(String credential) {
        Device device = device(DeviceDescription.EMPTY);
        devices.put(credential, device);
        return device;
    }

    @Override
    public EnrolledDevice enroll(PlatformId platform, String tokenSecret, DeviceDescription description) {
        enrollments.add(new Enrollment(platform, tokenSecret, description));
        if (!tokens.remove(tokenSecret)) {
            throw new EnrollmentException("the enrollment token is unknown, expired or used up");
        }
        String credential = "credential-" + devices.size();
        Device device = device(description);
        devices.put(credential, device);
        return new EnrolledDevice(device, credential);
    }

    @Override
    public Optional<Device> authenticate(PlatformId platform, String credential) {
        if (unavailable) {
            throw new UnavailableException("database is down");
        }
        authenticated.add(credential);
        return ExamplePlatform.ID.equals(platform) ? Optional.ofNullable(devices.get(credential)) : Optional.empty();
    }

    @Override
    public EnrollmentToken issueToken(TenantId tenant, PlatformId platform, Duration validFor, int maxUses, io.mooring.api.GroupId group,
            Actor actor) {
        throw new UnsupportedOperationException("not part of the device plane");
    }

    private static Device device(DeviceDescription description) {
        Instant now = Instant.parse("2024-05-01T12:00:00Z");
        return new Device(DeviceId.random(), TenantId.DEFAULT, ExamplePlatform.ID, DeviceState.ENROLLED, description, now, now, null);
    }
}
