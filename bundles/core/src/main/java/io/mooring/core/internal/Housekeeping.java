package io.mooring.core.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.mooring.api.store.CommandStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires commands past their deadline and prunes acknowledged deliveries after the retention period; in a
 * cluster one node does it per run (the store takes the housekeeping lock).
 */
@Component(configurationPid = "io.mooring.queue", service = {})
@Designate(ocd = Housekeeping.Config.class)
public final class Housekeeping {
    @ObjectClassDefinition(name = "Mooring command queue", description = "Expiry and retention of queued commands")
    @interface Config {
        @AttributeDefinition(description = "Days an acknowledged delivery is kept before it is pruned")
        int retention_days() default 30;

        @AttributeDefinition(description = "Seconds between runs of expiry and pruning")
        int interval_seconds() default 60;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    private final CommandStore commands;
    private final Clock clock;
    private final Duration retention;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mooring-housekeeping");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public Housekeeping(@Reference CommandStore commands, Config config) {
        this.commands = commands;
        this.clock = Clock.systemUTC();
        this.retention = Duration.ofDays(Math.max(1, config.retention_days()));
        int interval = Math.max(5, config.interval_seconds());
        scheduler.scheduleWithFixedDelay(this::run, interval, interval, TimeUnit.SECONDS);
    }

    void run() {
        try {
            CommandStore.Housekeeping run = commands.housekeep(clock.instant(), clock.instant().minus(retention));
            if (run.expired() + run.pruned() > 0) {
                LOG.info("Queue housekeeping: {} deliveries expired, {} acknowledged deliveries pruned", run.expired(), run.pruned());
            }
        } catch (RuntimeException e) {
            LOG.warn("Queue housekeeping failed: {}", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
}
