package io.microrpc.kernel.admin;

import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry whose {@code register} hangs while the gate is closed, as one that cannot reach its
 * servers does: {@code POST /weight} then blocks in the admin action. Bounded: a closed gate opens by
 * itself after 30 s, so a failing test cannot hang the build.
 */
final class GateRegistry implements Registry {

    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final CountDownLatch entered = new CountDownLatch(1);
    private final AtomicInteger registrations = new AtomicInteger();

    @Override
    public String name() {
        return "gate";
    }

    void close() {
        gate = new CountDownLatch(1);
    }

    void open() {
        gate.countDown();
    }

    /** Waits until a {@code register} call is held by the closed gate. */
    void awaitHeld() throws InterruptedException {
        if (!entered.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no register call reached the closed gate within 10 s");
        }
    }

    int registrations() {
        return registrations.get();
    }

    @Override
    public void register(ServiceInstance instance) throws InterruptedException {
        CountDownLatch g = gate;
        if (g.getCount() > 0) {
            entered.countDown();
            g.await(30, TimeUnit.SECONDS);
        }
        registrations.incrementAndGet();
    }

    @Override
    public void unregister(ServiceInstance instance) {}

    @Override
    public Subscription subscribe(String service, Listener listener) {
        return () -> {};
    }
}
