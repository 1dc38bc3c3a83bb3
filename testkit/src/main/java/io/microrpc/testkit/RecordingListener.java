package io.microrpc.testkit;

import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A {@link Registry.Listener} that keeps every provider list it is told, so a test can wait for the
 * list it expects ({@link #await}) instead of sleeping.
 *
 * <p>Thread-safe: the registry's notification thread records, the test's thread reads and waits. It
 * also counts notifications that overlap (a registry must call one subscription's listener one
 * notification at a time): {@link #maxConcurrentCalls()}.
 */
public final class RecordingListener implements Registry.Listener {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<List<ServiceInstance>> lists = new ArrayList<>();
    private int inside;
    private int maxInside;

    @Override
    public void onProviders(List<ServiceInstance> providers) {
        lock.lock();
        try {
            inside++;
            maxInside = Math.max(maxInside, inside);
        } finally {
            lock.unlock();
        }
        List<ServiceInstance> copy = List.copyOf(providers);
        // Let another call of this listener overlap this one, if the registry makes any.
        Thread.yield();
        lock.lock();
        try {
            inside--;
            lists.add(copy);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the latest list satisfies {@code condition} and returns it; fails after {@code timeout}
     * with every list received, naming {@code what} was expected.
     */
    public List<ServiceInstance> await(String what, Predicate<List<ServiceInstance>> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (lists.isEmpty() || !condition.test(lists.get(lists.size() - 1))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no provider list " + what + " within " + timeout + "; received "
                            + (lists.isEmpty() ? "none" : lists.toString()));
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
            return lists.get(lists.size() - 1);
        } finally {
            lock.unlock();
        }
    }

    /** Every list received so far, oldest first. */
    public List<List<ServiceInstance>> all() {
        lock.lock();
        try {
            return List.copyOf(lists);
        } finally {
            lock.unlock();
        }
    }

    /** How many notifications were received. */
    public int count() {
        lock.lock();
        try {
            return lists.size();
        } finally {
            lock.unlock();
        }
    }

    /** The most calls of {@link #onProviders} that ran at the same time: 1 for a registry that keeps the rule. */
    public int maxConcurrentCalls() {
        lock.lock();
        try {
            return maxInside;
        } finally {
            lock.unlock();
        }
    }
}
