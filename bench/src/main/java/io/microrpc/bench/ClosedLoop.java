package io.microrpc.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Closed-loop load: {@code users} virtual users, each making its next call as soon as its previous one
 * completed, so exactly {@code users} calls are in flight. Runs a warm-up period, whose calls are
 * discarded, then a measurement period, then stops the users and waits (bounded) for their last calls.
 *
 * <p>Latency is the time from issuing a call to its completion, in nanoseconds, into an HdrHistogram
 * {@link Recorder} (3 significant digits). In a closed loop a slow call delays the next one instead of
 * queueing behind it, so these are service times under concurrency C, not the latencies of an
 * open-loop arrival rate; both targets are measured the same way, which is what the ratios need.
 *
 * <p>One instance runs one scenario. Not reusable.
 */
final class ClosedLoop {

    /** Starts one call without blocking; the future completes with its result. */
    @FunctionalInterface
    interface AsyncCall {
        CompletableFuture<?> start() throws Exception;
    }

    /** Makes one call, blocking until its result. */
    @FunctionalInterface
    interface SyncCall {
        Object call() throws Exception;
    }

    /** How long stopped users may take to finish their last call: the default call timeout, and a margin. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private final int users;
    private final Duration warmup;
    private final Duration measurement;
    private final Predicate<Object> valid;
    private final Recorder recorder = new Recorder(3);
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final CountDownLatch stopped;
    private volatile boolean running = true;

    /** {@code valid} checks each result (e.g. the echo's length); a result it refuses counts as an error. */
    ClosedLoop(int users, Duration warmup, Duration measurement, Predicate<Object> valid) {
        if (users < 1) {
            throw new IllegalArgumentException("users: " + users + " (expected: >= 1)");
        }
        this.users = users;
        this.warmup = warmup;
        this.measurement = measurement;
        this.valid = valid;
        this.stopped = new CountDownLatch(users);
    }

    /**
     * Runs users that call asynchronously: each next call is started by the completion of the previous
     * one, on whatever thread completed it (the client's IO thread, for both targets). C is then not
     * bounded by threads, and the client does no thread hand-off the framework does not impose.
     */
    Result runAsync(String label, String target, AsyncCall call) throws InterruptedException {
        for (int i = 0; i < users; i++) {
            new AsyncUser(call).next();
        }
        return measure(label, target);
    }

    /** Runs one thread per user, each blocking in {@code call}: for APIs that are only synchronous. */
    Result runThreads(String label, String target, SyncCall call) throws InterruptedException {
        List<Thread> threads = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            Thread t = new Thread(() -> blockingUser(call), "bench-user-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        return measure(label, target);
    }

    /** The first failure seen, for the report; null when every call succeeded. */
    Throwable firstError() {
        return firstError.get();
    }

    private Result measure(String label, String target) throws InterruptedException {
        waitFor(warmup);
        recorder.getIntervalHistogram();
        errors.reset();
        long start = System.nanoTime();
        waitFor(measurement);
        Histogram latencies = recorder.getIntervalHistogram();
        long end = System.nanoTime();
        long failed = errors.sumThenReset();
        running = false;
        if (!stopped.await(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            System.err.printf(
                    "%s (%s): %d users still waiting for a call %d s after the end; not waiting longer%n",
                    label, target, stopped.getCount(), DRAIN_TIMEOUT.toSeconds());
        }
        return new Result(label, target, users, latencies.getTotalCount(), failed, (end - start) / 1e9, latencies);
    }

    private static void waitFor(Duration period) {
        long deadline = System.nanoTime() + period.toNanos();
        for (long left = period.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private void blockingUser(SyncCall call) {
        try {
            while (running) {
                long start = System.nanoTime();
                Object result;
                try {
                    result = call.call();
                } catch (Exception e) {
                    failed(e);
                    continue;
                }
                completed(start, result);
            }
        } finally {
            stopped.countDown();
        }
    }

    private void completed(long startNanos, Object result) {
        long latency = System.nanoTime() - startNanos;
        if (valid.test(result)) {
            recorder.recordValue(latency);
        } else {
            failed(new IllegalStateException("unexpected result: " + abbreviate(result)));
        }
    }

    private void failed(Throwable t) {
        errors.increment();
        firstError.compareAndSet(null, t);
    }

    private static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() <= 80 ? s : s.substring(0, 80) + "… (" + s.length() + " chars)";
    }

    /** One asynchronous virtual user; it is also the completion callback of its own calls. */
    private final class AsyncUser implements BiConsumer<Object, Throwable> {

        private final AsyncCall call;
        private long startNanos;

        AsyncUser(AsyncCall call) {
            this.call = call;
        }

        /** Starts calls until one is still running (its completion continues the loop) or the run stops. */
        void next() {
            while (running) {
                startNanos = System.nanoTime();
                CompletableFuture<?> f;
                try {
                    f = call.start();
                } catch (Exception e) {
                    failed(e);
                    continue;
                }
                if (!f.isDone()) {
                    f.whenComplete(this);
                    return;
                }
                // Completed at once (typically a failure): loop here rather than recurse.
                Object value;
                try {
                    value = f.join();
                } catch (RuntimeException e) {
                    failed(e.getCause() != null ? e.getCause() : e);
                    continue;
                }
                completed(startNanos, value);
            }
            stopped.countDown();
        }

        @Override
        public void accept(Object value, Throwable error) {
            if (error != null) {
                failed(error);
            } else {
                completed(startNanos, value);
            }
            next();
        }
    }
}
