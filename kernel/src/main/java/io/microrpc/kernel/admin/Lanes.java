package io.microrpc.kernel.admin;

import io.microrpc.kernel.admin.AdminRoutes.Lane;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads admin actions run on, off the event loop: two for reads, one for changes (changes keep
 * the order they arrived in, as they always have). Each has a bounded queue; a request beyond it is
 * answered 503 at once rather than queued without end behind an action that hangs. Together they hold
 * fewer requests than {@link AdminLimits#MAX_CONNECTIONS}, so busy connections never fill the cap.
 * Thread-safe.
 */
final class Lanes implements AutoCloseable {

    static final int READ_THREADS = 2;
    static final int READS_QUEUED = 16;
    static final int CHANGES_QUEUED = 8;

    private final ThreadPoolExecutor reads = pool("microrpc-admin-read", READ_THREADS, READS_QUEUED);
    private final ThreadPoolExecutor changes = pool("microrpc-admin-change", 1, CHANGES_QUEUED);
    private volatile AdminRequest runningChange;
    private volatile long runningSince;

    private static ThreadPoolExecutor pool(String name, int threads, int queued) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                threads,
                threads,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queued),
                new KernelThreadFactory(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Runs {@code action} on the lane's threads; throws {@link RejectedExecutionException} when its queue is full. */
    void run(Lane lane, AdminRequest request, Runnable action) {
        if (lane == Lane.READ) {
            reads.execute(action);
        } else {
            changes.execute(() -> {
                runningSince = System.nanoTime();
                runningChange = request;
                try {
                    action.run();
                } finally {
                    runningChange = null;
                }
            });
        }
    }

    /** The answer when the lane's queue is full. */
    String busy(Lane lane) {
        if (lane == Lane.READ) {
            return "too many admin reads waiting (" + READS_QUEUED + " queued behind " + READ_THREADS
                    + " running); try again shortly\n";
        }
        AdminRequest running = runningChange;
        return CHANGES_QUEUED + " admin changes are already waiting; changes run one at a time"
                + (running == null
                        ? ""
                        : " and " + running.line() + " has been running for "
                                + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - runningSince) + "s")
                + "; try again when it has finished (GET /plugins shows the kernel's state meanwhile)\n";
    }

    @Override
    public void close() {
        reads.shutdownNow();
        changes.shutdownNow();
    }
}
