package io.microrpc.kernel.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads calling {@link EchoApi#echo} back to back until stopped, counting calls and recording every
 * failure (an exception or a wrong answer): the continuous load of the hot-swap and registry tests.
 */
public final class CallerLoad {

    private final EchoApi echo;
    private final int threads;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong calls = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> started = new ArrayList<>();

    public CallerLoad(EchoApi echo, int threads) {
        this.echo = echo;
        this.threads = threads;
    }

    /** Starts the caller threads; after {@link #stop()} it starts new ones. */
    public synchronized CallerLoad start() {
        running.set(true);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        if (!"load".equals(echo.echo("load"))) {
                            failures.add(new AssertionError("wrong answer"));
                        }
                        calls.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }, "load-" + i);
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
