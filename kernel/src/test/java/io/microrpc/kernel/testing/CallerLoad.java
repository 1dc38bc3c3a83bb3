package io.microrpc.kernel.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads making a call back to back until stopped, counting calls and recording every failure (an
 * exception, or an {@link AssertionError} for a wrong answer): the continuous load of the hot-swap,
 * registry and failover tests.
 */
public final class CallerLoad {

    /** One call; throws on failure. */
    @FunctionalInterface
    public interface Call {
        void run() throws Exception;
    }

    private final Call call;
    private final int threads;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong calls = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> started = new ArrayList<>();

    /** Calls {@code echo.echo("load")} and checks the answer. */
    public CallerLoad(EchoApi echo, int threads) {
        this(
                () -> {
                    if (!"load".equals(echo.echo("load"))) {
                        throw new AssertionError("wrong answer");
                    }
                },
                threads);
    }

    public CallerLoad(Call call, int threads) {
        this.call = call;
        this.threads = threads;
    }

    /** Starts the caller threads; after {@link #stop()} it starts new ones. */
    public synchronized CallerLoad start() {
        running.set(true);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(
                    () -> {
                        while (running.get()) {
                            try {
                                call.run();
                                calls.incrementAndGet();
                            } catch (Throwable e) {
                                failures.add(e);
                            }
                        }
                    },
                    "load-" + i);
            t.start();
            started.add(t);
        }
        return this;
    }

    /** Stops the callers and waits for their last calls. */
    public synchronized void stop() {
        running.set(false);
        for (Thread t : started) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
    }

    public long calls() {
        return calls.get();
    }

    public ConcurrentLinkedQueue<Throwable> failures() {
        return failures;
    }
}
