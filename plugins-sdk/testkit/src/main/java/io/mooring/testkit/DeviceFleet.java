package io.mooring.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Simulated example devices checking in together, as load or as a realistic population for tests. Each
 * round runs every device once on a small pool; a device is never driven by two threads at once. Drive
 * the fleet itself from one thread.
 */
public final class DeviceFleet implements AutoCloseable {
    /** Totals so far; {@code failures()} is what makes the command-line tool exit non-zero. */
    public record Report(int devices, int enrolled, int enrollmentFailures, int rounds, int wiped, int revoked, Tally tally) {
        public int failures() {
            return enrollmentFailures + tally.failures();
        }
    }

    private final URI server;
    private final List<ExampleDevice> devices;
    private final ExecutorService pool;
    private int enrollmentFailures;
    private int rounds;
    private Tally tally = Tally.NONE;

    /**
     * @param seed makes the NOT_NOW choices repeatable: device {@code i} draws from {@code new Random(seed + i)}
     */
    public DeviceFleet(HttpClient http, URI server, int size, int threads, double notNowProbability, long seed) {
        if (size < 1 || threads < 1) {
            throw new IllegalArgumentException("a fleet needs at least one device and one thread");
        }
        this.server = server;
        this.devices = IntStream.range(0, size)
                .mapToObj(i -> new ExampleDevice(http, "SIM-%05d".formatted(i + 1), notNowProbability, new Random(seed + i)))
                .toList();
        AtomicInteger threadNumber = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.min(threads, size), task -> {
            Thread thread = new Thread(task, "testkit-device-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public List<ExampleDevice> devices() {
        return devices;
    }

    /** Enrolls every device not enrolled yet with the same token; returns how many are enrolled now. */
    public int enrollAll(String token) {
        List<ExampleDevice> pending = devices.stream().filter(device -> !device.isEnrolled()).toList();
        List<ExampleDevice.Exchange> answers = onEach(pending, device -> device.enroll(server, token));
        enrollmentFailures += (int) answers.stream().filter(answer -> answer.status() != 201).count();
        return (int) devices.stream().filter(ExampleDevice::isEnrolled).count();
    }

    /** One check-in of every device; returns what this round did. */
    public Tally runRound() {
        Tally round = onEach(devices, ExampleDevice::runOnce).stream().reduce(Tally.NONE, Tally::plus);
        tally = tally.plus(round);
        rounds++;
        return round;
    }

    /**
     * Runs {@code count} rounds, {@code interval} apart; after a round with 503 answers it waits at least the
     * longest Retry-After it was given, as devices would.
     */
    public Report run(int count, Duration interval) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                Thread.sleep(pause(interval).toMillis());
            }
            runRound();
        }
        return report();
    }

    public Report report() {
        int enrolled = (int) devices.stream().filter(ExampleDevice::isEnrolled).count();
        int wiped = (int) devices.stream().filter(ExampleDevice::isWiped).count();
        int revoked = (int) devices.stream().filter(ExampleDevice::isRevoked).count();
        return new Report(devices.size(), enrolled, enrollmentFailures, rounds, wiped, revoked, tally);
    }

    /** Stops the pool; a device stuck in a call is abandoned after its request timeout at most. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Duration pause(Duration interval) {
        return devices.stream()
                .map(ExampleDevice::retryAfter)
                .flatMap(Optional::stream)
                .reduce(interval, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }

    private <T> List<T> onEach(List<ExampleDevice> targets, Function<ExampleDevice, T> action) {
        return Futures.all(targets.stream().map(device -> pool.submit(() -> action.apply(device))).toList(), "checking in");
    }
}
