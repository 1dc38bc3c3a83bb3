package io.microrpc.kernel.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a buffer that was garbage-collected without being
 * released. Netty only logs leaks (the build would stay green), and only when a leaked buffer happens
 * to be collected; so after each test this runs a collection, waits for its references to be processed,
 * and makes one tracked allocation, which is when Netty looks for collected, unreleased buffers.
 *
 * <p>Leaks of buffers still reachable (say, stuck in a queue of a kernel that is still open) are not
 * found; close what the test opened in {@code @AfterEach}, which runs before this check.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterEachCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            // Run from an IDE without the surefire argLine: still track every buffer.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ByteBufUtil.setLeakListener((resourceType, records) -> LEAKS.add(resourceType + " leaked:" + records));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // Leaks of earlier test classes are theirs, not this class's.
        collect();
        LEAKS.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        collect();
        List<String> found = new ArrayList<>(LEAKS);
        LEAKS.clear();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " Netty buffer(s) leaked during " + context.getDisplayName() + ":\n"
                    + String.join("\n", found));
        }
    }

    /** Collects garbage and lets Netty report collected, unreleased buffers to the listener. */
    public static void collect() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
            try {
                System.gc();
                // Returns as soon as the reference handler enqueued this collection's references.
                queue.remove(2_000);
            } finally {
                Reference.reachabilityFence(sentinel);
            }
        }
        ByteBufAllocator.DEFAULT.buffer(1).release();
        ByteBufAllocator.DEFAULT.heapBuffer(1).release();
    }
}
