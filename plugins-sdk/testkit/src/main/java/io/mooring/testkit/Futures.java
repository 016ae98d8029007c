package io.mooring.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for every simulated device's task of a fleet; an interrupt cancels the rest. */
final class Futures {
    private Futures() {
    }

    static <T> List<T> all(List<Future<T>> futures, String doing) {
        List<T> results = new ArrayList<>(futures.size());
        for (Future<T> future : futures) {
            try {
                results.add(future.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw new IllegalStateException("interrupted while devices were " + doing, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a simulated device failed", e.getCause());
            }
        }
        return results;
    }
}
