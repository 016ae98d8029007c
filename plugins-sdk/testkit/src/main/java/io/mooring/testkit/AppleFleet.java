package io.mooring.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Simulated Apple devices driven together from a fixed pool of threads: enroll them all, connect them all,
 * or keep them connecting for a while as a benchmark of the server's MDM endpoint. Drive a fleet from one
 * thread; each device runs its own protocol calls one at a time.
 */
public final class AppleFleet implements AutoCloseable {
    /**
     * A load run: connections completed and failed (anything but {@link AppleDevice.Outcome#DONE} or
     * {@link AppleDevice.Outcome#ERASED}), over {@code duration}, with the latency of a whole connection.
     */
    public record LoadReport(int connections, int failures, Duration duration, Duration p50, Duration p99, Duration max) {
        public double perSecond() {
            return duration.isZero() ? 0 : connections * 1_000_000_000.0 / duration.toNanos();
        }

        @Override
        public String toString() {
            return "%d connections (%d failed) in %d ms: %.1f/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms".formatted(connections, failures,
                    duration.toMillis(), perSecond(), p50.toNanos() / 1e6, p99.toNanos() / 1e6, max.toNanos() / 1e6);
        }
    }

    private final List<AppleDevice> devices;
    private final ExecutorService pool;
    private final int threads;

    public AppleFleet(List<AppleDevice> devices, int threads) {
        if (devices.isEmpty() || threads < 1) {
            throw new IllegalArgumentException("a fleet needs at least one device and one thread");
        }
        this.devices = List.copyOf(devices);
        this.threads = threads;
        AtomicInteger number = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "testkit-apple-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** {@code size} devices on one network, the kinds taken in turn, named "Simulated iPhone 1" and so on. */
    public static AppleFleet of(AppleNetwork network, int size, int threads, AppleDevice.Kind... kinds) {
        AppleDevice.Kind[] cycle = kinds.length == 0 ? AppleDevice.Kind.values() : kinds;
        List<AppleDevice> devices = IntStream.range(0, size)
                .mapToObj(i -> {
                    AppleDevice.Kind kind = cycle[i % cycle.length];
                    return AppleDevice.ofKind(kind, "Simulated " + kind.modelName() + " " + (i + 1), network);
                })
                .toList();
        return new AppleFleet(devices, threads);
    }

    public List<AppleDevice> devices() {
        return devices;
    }

    /**
     * Enrolls every device not enrolled yet, each from the URL {@code enrollmentUrl} gives it (one secret per
     * device, or the same for all); returns how many are enrolled now. Failures are in each device's log.
     */
    public int enrollAll(Function<AppleDevice, URI> enrollmentUrl) {
        List<AppleDevice> pending = devices.stream().filter(d -> d.state() != AppleDevice.State.ENROLLED).toList();
        onEach(pending, device -> () -> {
            try {
                device.enroll(enrollmentUrl.apply(device));
            } catch (AppleDevice.EnrollmentException e) {
                // counted below from the device's state; the exception's step and status are in its exchanges
            }
            return null;
        });
        return (int) devices.stream().filter(d -> d.state() == AppleDevice.State.ENROLLED).count();
    }

    /** One connection of every device, as if all were pushed at once; results in device order. */
    public List<AppleDevice.CheckIn> checkInAll() {
        return onEach(devices, device -> device::checkIn);
    }

    /**
     * Keeps the pool's threads connecting devices, taken in turn, for {@code duration}, and reports how many
     * connections completed and how long they took. Devices with nothing queued measure the Idle poll. With
     * more threads than devices, threads wait for each other on the same device, and that wait is measured.
     */
    public LoadReport load(Duration duration) {
        if (devices.stream().noneMatch(d -> d.state() == AppleDevice.State.ENROLLED)) {
            return new Samples().report(Duration.ZERO);
        }
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Callable<Samples>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(() -> {
                Samples samples = new Samples();
                while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                    AppleDevice device = devices.get(Math.floorMod(next.getAndIncrement(), devices.size()));
                    long begin = System.nanoTime();
                    AppleDevice.CheckIn checkIn = device.checkIn();
                    if (checkIn.outcome() == AppleDevice.Outcome.SKIPPED) {
                        continue;
                    }
                    samples.add(System.nanoTime() - begin, checkIn.outcome() != AppleDevice.Outcome.DONE
                            && checkIn.outcome() != AppleDevice.Outcome.ERASED);
                }
                return samples;
            });
        }
        Samples all = new Samples();
        for (Samples samples : invokeAll(workers)) {
            all.addAll(samples);
        }
        return all.report(Duration.ofNanos(System.nanoTime() - start));
    }

    /** Stops the pool; a device in the middle of a request is abandoned after its timeout at most. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> List<T> onEach(List<AppleDevice> targets, Function<AppleDevice, Callable<T>> action) {
        return invokeAll(targets.stream().map(action).toList());
    }

    private <T> List<T> invokeAll(List<Callable<T>> tasks) {
        return Futures.all(tasks.stream().map(pool::submit).toList(), "connecting");
    }

    /** Latencies of one worker, in nanoseconds. */
    private static final class Samples {
        private long[] nanos = new long[1024];
        private int count;
        private int failures;

        void add(long latency, boolean failed) {
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, count * 2);
            }
            nanos[count++] = latency;
            if (failed) {
                failures++;
            }
        }

        void addAll(Samples other) {
            for (int i = 0; i < other.count; i++) {
                add(other.nanos[i], false);
            }
            failures += other.failures;
        }

        LoadReport report(Duration duration) {
            long[] sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
            return new LoadReport(count, failures, duration, percentile(sorted, 50), percentile(sorted, 99),
                    Duration.ofNanos(count == 0 ? 0 : sorted[count - 1]));
        }

        /** Nearest rank. */
        private static Duration percentile(long[] sorted, int percent) {
            if (sorted.length == 0) {
                return Duration.ZERO;
            }
            int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
            return Duration.ofNanos(sorted[Math.max(0, rank - 1)]);
        }
    }
}
