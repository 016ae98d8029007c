package io.mooring.core.internal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.mooring.api.MooringException;
import io.mooring.api.PlatformId;
import io.mooring.api.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls into plugin code with a deadline. Plugins are untrusted for time: one that hangs or throws must
 * not block the caller (an admin request, another platform's check-in), so the call runs on a bounded
 * pool and the caller stops waiting at the deadline. Mooring's own exceptions pass through unchanged;
 * anything else a plugin throws becomes an {@link UnavailableException} naming the platform.
 */
final class PluginCalls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginCalls.class);

    private final Duration timeout;
    private final ThreadPoolExecutor pool;

    PluginCalls(Duration timeout, int maxThreads) {
        this.timeout = timeout;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(maxThreads, maxThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1_000), r -> {
            Thread t = new Thread(r, "mooring-plugin-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    <T> T call(PlatformId platform, String what, Callable<T> work) {
        Future<T> future;
        try {
            future = pool.submit(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new UnavailableException("the server is too busy to reach platform '" + platform + "'; try again shortly");
        }
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            LOG.warn("Platform {} did not answer {} within {} ms", platform, what, timeout.toMillis());
            throw new UnavailableException("platform '" + platform + "' did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for platform '" + platform + "'");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MooringException m) {
                throw m;
            }
            LOG.warn("Platform {} failed in {}", platform, what, e.getCause());
            throw new UnavailableException("platform '" + platform + "' failed: " + e.getCause().getClass().getSimpleName());
        }
    }

    void run(PlatformId platform, String what, Runnable work) {
        call(platform, what, () -> {
            work.run();
            return null;
        });
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
