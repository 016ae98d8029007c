package io.mooring.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The platform plugins core hosts right now, and those known from earlier whose devices still exist. */
@ProviderType
public interface PlatformRegistry {
    List<PlatformInfo> installed();

    Optional<PlatformInfo> find(PlatformId id);

    /**
     * The platform, installed or not, whose device endpoints serve {@code path}; lets the runtime answer
     * {@code 503 + Retry-After} instead of {@code 404} while a plugin is being replaced.
     */
    Optional<PlatformInfo> ownerOfPath(String path);

    /**
     * Where a device of this platform enrolls with an enrollment token, and the QR code of that address,
     * for platforms whose devices enroll by opening a link; empty otherwise.
     */
    Optional<Map<String, String>> enrollmentLinks(PlatformId platform, String tokenSecret);
}
