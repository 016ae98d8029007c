package io.mooring.core.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.mooring.api.CommandId;
import io.mooring.api.Device;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.PushStatus;
import io.mooring.api.TenantId;
import io.mooring.api.store.CommandStore;
import io.mooring.spi.PushProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the devices a command was queued for, off the admin's request thread: streams the targets that
 * have a valid push registration in batches, hands each batch to its provider, waits for the answers
 * (so at most one batch per provider is in flight from here) and marks the tokens a provider reports dead.
 */
@Component(service = {PushDispatcher.class, PushStatus.class})
public final class PushDispatcher implements PushStatus {
    static final int BATCH = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(PushDispatcher.class);

    private final CommandStore commands;
    private final DeviceRegistry devices;
    private final Map<String, PushProvider> providers = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mooring-push-dispatch");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public PushDispatcher(@Reference CommandStore commands, @Reference DeviceRegistry devices) {
        this.commands = commands;
        this.devices = devices;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addProvider(PushProvider provider) {
        providers.put(provider.name(), provider);
    }

    void removeProvider(PushProvider provider) {
        providers.remove(provider.name(), provider);
    }

    void wake(CommandId command) {
        executor.execute(() -> {
            try {
                commands.forEachPushTarget(command, BATCH, this::send);
            } catch (RuntimeException e) {
                LOG.warn("Could not wake the devices of command {}: {}", command, e.getMessage());
            }
        });
    }

    private void send(List<Device> batch) {
        Map<String, List<Device>> byProvider = new HashMap<>();
        for (Device d : batch) {
            byProvider.computeIfAbsent(d.push().provider(), k -> new ArrayList<>()).add(d);
        }
        byProvider.forEach((name, targets) -> {
            PushProvider provider = providers.get(name);
            if (provider == null) {
                LOG.debug("No push provider '{}' installed; {} device(s) will be reached at their next check-in", name, targets.size());
                return;
            }
            try {
                PushProvider.PushReport report = provider.wake(targets).toCompletableFuture().get(60, TimeUnit.SECONDS);
                report.rejected().stream().filter(PushProvider.Rejection::tokenInvalid)
                        .forEach(r -> devices.invalidatePush(r.device(), r.reason()));
            } catch (Exception e) {
                LOG.warn("Push provider '{}' failed for {} device(s): {}", name, targets.size(), e.toString());
            }
        });
    }

    @Override
    public List<ProviderStatus> providers(TenantId tenant) {
        return providers.values().stream().sorted(java.util.Comparator.comparing(PushProvider::name)).map(p -> {
            List<Problem> problems;
            try {
                problems = p.problems().stream().filter(x -> tenant.equals(x.tenant()))
                        .map(x -> new Problem(x.subject(), x.message(), x.since())).toList();
            } catch (RuntimeException e) {
                problems = List.of(new Problem(p.name(), "the provider could not report its state: " + e.getMessage(), null));
            }
            return new ProviderStatus(p.name(), problems);
        }).toList();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
