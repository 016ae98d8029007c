package io.mooring.persistence.internal;

import java.util.Arrays;
import java.util.List;

import javax.persistence.EntityManagerFactory;

import io.mooring.api.PlatformId;
import io.mooring.api.store.PlatformStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

@Component(service = PlatformStore.class)
public final class JpaPlatformStore implements PlatformStore {
    private final Jpa jpa;

    @Activate
    public JpaPlatformStore(@Reference(target = "(osgi.unit.name=mooring)") EntityManagerFactory emf, @Reference MigratedDatabase database) {
        this(new Jpa(emf));
    }

    JpaPlatformStore(Jpa jpa) {
        this.jpa = jpa;
    }

    @Override
    public void remember(KnownPlatform platform) {
        jpa.global(em -> {
            PlatformEntity e = em.find(PlatformEntity.class, platform.id().value());
            if (e == null) {
                e = new PlatformEntity();
                e.id = platform.id().value();
                em.persist(e);
            }
            e.displayName = platform.displayName();
            e.version = platform.version();
            e.devicePaths = String.join("\n", platform.devicePaths());
            e.lastSeenAt = platform.lastSeenAt();
            return e;
        });
    }

    @Override
    public List<KnownPlatform> known() {
        return jpa.global(em -> em.createQuery("SELECT p FROM PlatformEntity p ORDER BY p.id", PlatformEntity.class).getResultList().stream()
                .map(p -> new KnownPlatform(new PlatformId(p.id), p.displayName, p.version,
                        p.devicePaths.isEmpty() ? List.of() : Arrays.asList(p.devicePaths.split("\n")), p.lastSeenAt))
                .toList());
    }
}
