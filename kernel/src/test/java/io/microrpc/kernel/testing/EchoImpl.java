package io.microrpc.kernel.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The kernel tests' EchoApi implementation; records what it was asked. */
public final class EchoImpl implements EchoApi {

    public final List<String> fired = new CopyOnWriteArrayList<>();
    public final AtomicInteger slowStarted = new AtomicInteger();
    /** When set, {@link #slow} waits for it instead of sleeping. */
    public volatile CountDownLatch gate;

    @Override
    public String echo(String message) {
        return message;
    }

    @Override
    public CompletableFuture<String> echoAsync(String message) {
        return CompletableFuture.supplyAsync(() -> "async:" + message);
    }

    @Override
    public void fire(String message) {
        fired.add(message);
    }

    @Override
    public long slow(long millis) {
        slowStarted.incrementAndGet();
        try {
            CountDownLatch g = gate;
            if (g != null) {
                g.await(30, TimeUnit.SECONDS);
            } else {
                // The behaviour under test is "takes a while"; this sleep is the workload, not a synchronization.
                Thread.sleep(millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return millis;
    }

    @Override
    public String fail(String message) {
        throw new IllegalStateException(message);
    }

    @Override
    public int add(int a, int b) {
        return a + b;
    }
}
