package io.mooring.core.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.mooring.api.MooringEvents;
import io.mooring.api.PlatformId;
import io.mooring.api.PlatformInfo;
import io.mooring.api.PlatformRegistry;
import io.mooring.api.store.CommandStore;
import io.mooring.api.store.PlatformStore;
import io.mooring.spi.CommandSupport;
import io.mooring.spi.PlatformPlugin;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts platform plugins while the server runs. A plugin's arrival is read once (id, name, device paths,
 * command types) and remembered in the database, so that while it is absent its device endpoints can
 * answer 503 instead of 404. Its departure undoes exactly its arrival, and hands the commands that were
 * in flight to its devices back to the queue for the next version to deliver.
 */
@Component(service = {PlatformRegistry.class, PlatformHost.class})
@Designate(ocd = PlatformHost.Config.class)
public final class PlatformHost implements PlatformRegistry {
    @ObjectClassDefinition(name = "Mooring platform host", description = "How core calls platform plugins")
    @interface Config {
        @AttributeDefinition(description = "Milliseconds a plugin has to answer a call before core gives up on it")
        long plugin_call_timeout_ms() default 5_000;

        @AttributeDefinition(description = "Threads available for calls into plugins")
        int plugin_call_threads() default 16;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PlatformHost.class);
    /** Paths the runtime itself serves; a plugin may not claim them. */
    static final List<String> RESERVED = List.of("/api", "/health", "/system", "/scep", "/pki");

    private final PlatformStore platformStore;
    private final CommandStore commandStore;
    private final Events events;
    private final Clock clock;
    private final PluginCalls calls;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mooring-platform-host");
        t.setDaemon(true);
        return t;
    });
    private final Map<PlatformId, HostedPlatform> hosted = new ConcurrentHashMap<>();
    private volatile List<PlatformStore.KnownPlatform> known = List.of();

    @Activate
    public PlatformHost(@Reference PlatformStore platformStore, @Reference CommandStore commandStore, @Reference EventAdmin eventAdmin, Config config) {
        this(platformStore, commandStore, new Events(eventAdmin), Clock.systemUTC(),
                new PluginCalls(Duration.ofMillis(config.plugin_call_timeout_ms()), config.plugin_call_threads()));
    }

    PlatformHost(PlatformStore platformStore, CommandStore commandStore, Events events, Clock clock, PluginCalls calls) {
        this.platformStore = platformStore;
        this.commandStore = commandStore;
        this.events = events;
        this.clock = clock;
        this.calls = calls;
        background.execute(this::reloadKnown);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addPlatform(PlatformPlugin plugin, ServiceReference<PlatformPlugin> ref) {
        String version = ref.getBundle() == null ? "unknown" : ref.getBundle().getVersion().toString();
        String bundle = ref.getBundle() == null ? "unknown" : ref.getBundle().getSymbolicName();
        add(plugin, version, bundle);
    }

    void removePlatform(PlatformPlugin plugin) {
        remove(plugin);
    }

    /** Registers a plugin; returns false if it was refused (misbehaving, or its id or paths taken). */
    boolean add(PlatformPlugin plugin, String version, String bundle) {
        HostedPlatform h;
        try {
            PlatformId id = calls.call(null, "id", plugin::id);
            h = new HostedPlatform(id, plugin, calls.call(id, "displayName", plugin::displayName), version, bundle,
                    List.copyOf(calls.call(id, "devicePaths", plugin::devicePaths)),
                    plugin instanceof CommandSupport cs ? Set.copyOf(calls.call(id, "commandTypes", cs::commandTypes)) : Set.of());
            validatePaths(h);
        } catch (RuntimeException e) {
            LOG.error("Refusing platform plugin from bundle {}: {}", bundle, e.getMessage());
            return false;
        }
        HostedPlatform previous = hosted.putIfAbsent(h.id(), h);
        if (previous != null) {
            LOG.error("Refusing platform plugin from bundle {}: platform '{}' is already provided by {}", bundle, h.id(), previous.bundle());
            return false;
        }
        LOG.info("Platform '{}' ({} {}) is available", h.id(), h.displayName(), h.version());
        background.execute(() -> {
            platformStore.remember(new PlatformStore.KnownPlatform(h.id(), h.displayName(), h.version(), h.devicePaths(), clock.instant()));
            reloadKnown();
        });
        events.post(MooringEvents.PLATFORM_ADDED, null, MooringEvents.PLATFORM, h.id());
        return true;
    }

    void remove(PlatformPlugin plugin) {
        for (HostedPlatform h : hosted.values()) {
            if (h.plugin() == plugin && hosted.remove(h.id(), h)) {
                LOG.info("Platform '{}' is gone; its device endpoints answer 503 until it returns", h.id());
                try {
                    background.execute(() -> {
                        long requeued = commandStore.requeueSent(h.id());
                        if (requeued > 0) {
                            LOG.info("Returned {} in-flight commands of platform '{}' to the queue", requeued, h.id());
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the host itself is stopping (its references are released after it): the server goes down with the plugin,
                    // and deliveries handed out stay at-least-once as after any stop
                    LOG.debug("Stopping: in-flight commands of platform '{}' stay as they are", h.id());
                }
                events.post(MooringEvents.PLATFORM_REMOVED, null, MooringEvents.PLATFORM, h.id());
            }
        }
    }

    private void validatePaths(HostedPlatform h) {
        for (String path : h.devicePaths()) {
            if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/") || path.contains("..") || path.contains("*")) {
                throw new IllegalArgumentException("device path '" + path + "' must be an absolute path like /agent/" + h.id());
            }
            for (String reserved : RESERVED) {
                if (overlaps(path, reserved)) {
                    throw new IllegalArgumentException("device path '" + path + "' overlaps the runtime's own " + reserved);
                }
            }
            for (HostedPlatform other : hosted.values()) {
                if (!other.id().equals(h.id()) && other.devicePaths().stream().anyMatch(p -> overlaps(p, path))) {
                    throw new IllegalArgumentException("device path '" + path + "' overlaps platform '" + other.id() + "'");
                }
            }
        }
    }

    private static boolean overlaps(String a, String b) {
        return under(a, b) || under(b, a);
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    private void reloadKnown() {
        try {
            known = platformStore.known();
        } catch (RuntimeException e) {
            LOG.warn("Could not read known platforms: {}", e.getMessage());
        }
    }

    Optional<HostedPlatform> hosted(PlatformId id) {
        return Optional.ofNullable(hosted.get(id));
    }

    PluginCalls calls() {
        return calls;
    }

    @Override
    public List<PlatformInfo> installed() {
        List<PlatformInfo> out = new ArrayList<>();
        hosted.values().stream().sorted(Comparator.comparing(h -> h.id().value())).forEach(h -> out.add(info(h)));
        return out;
    }

    @Override
    public Optional<PlatformInfo> find(PlatformId id) {
        HostedPlatform h = hosted.get(id);
        if (h != null) {
            return Optional.of(info(h));
        }
        return known.stream().filter(k -> k.id().equals(id)).findFirst().map(PlatformHost::absent);
    }

    @Override
    public Optional<Map<String, String>> enrollmentLinks(PlatformId platform, String tokenSecret) {
        HostedPlatform h = hosted.get(platform);
        if (h == null || !(h.plugin() instanceof io.mooring.spi.EnrollmentLinks links)) {
            return Optional.empty();
        }
        return calls.call(platform, "linksFor", () -> links.linksFor(tokenSecret))
                .map(l -> Map.of("enrollmentUrl", l.enrollment().toString(), "qrCodeUrl", l.qrCode().toString()));
    }

    @Override
    public Optional<PlatformInfo> ownerOfPath(String path) {
        for (HostedPlatform h : hosted.values()) {
            if (h.devicePaths().stream().anyMatch(p -> under(path, p))) {
                return Optional.of(info(h));
            }
        }
        return known.stream().filter(k -> k.devicePaths().stream().anyMatch(p -> under(path, p))).findFirst()
                .map(k -> hosted.containsKey(k.id()) ? info(hosted.get(k.id())) : absent(k));
    }

    private static PlatformInfo info(HostedPlatform h) {
        // every SPI capability interface the plugin implements, so a new capability shows without a change here
        Set<String> capabilities = new java.util.TreeSet<>();
        for (Class<?> c = h.plugin().getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getPackageName().equals(PlatformPlugin.class.getPackageName()) && i != PlatformPlugin.class) {
                    capabilities.add(i.getSimpleName());
                }
            }
        }
        return new PlatformInfo(h.id(), h.displayName(), h.version(), h.bundle(), PlatformInfo.PlatformState.ACTIVE, capabilities,
                h.commandTypes(), h.devicePaths());
    }

    private static PlatformInfo absent(PlatformStore.KnownPlatform k) {
        return new PlatformInfo(k.id(), k.displayName(), k.version(), null, PlatformInfo.PlatformState.ABSENT, Set.of(), Set.of(), k.devicePaths());
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        background.shutdown();
        background.awaitTermination(10, TimeUnit.SECONDS);
        calls.close();
    }
}
