package io.mooring.api.store;

import java.time.Instant;
import java.util.List;

import io.mooring.api.PlatformId;
import org.osgi.annotation.versioning.ProviderType;

/** Platforms that were installed at some time, remembered so their device endpoints can answer 503 while absent. */
@ProviderType
public interface PlatformStore {
    record KnownPlatform(PlatformId id, String displayName, String version, List<String> devicePaths, Instant lastSeenAt) {
    }

    void remember(KnownPlatform platform);

    List<KnownPlatform> known();
}
