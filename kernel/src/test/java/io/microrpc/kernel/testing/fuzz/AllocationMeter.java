package io.microrpc.kernel.testing.fuzz;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocated on the heap so far, from HotSpot's per-thread counter (a read of
 * a thread-local field, cheap enough to take around every fuzzed input). Used to prove that a length a
 * peer declares is not allocated before the bytes behind it arrived. Not thread-safe.
 */
final class AllocationMeter {

    private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Where {@link Fuzz.Input#startAllocationCount} started counting. */
    long mark;

    AllocationMeter() {
        if (!threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread; the fuzz tests need"
                    + " HotSpot's com.sun.management.ThreadMXBean with thread allocated memory enabled");
        }
    }

    /** CPU time of the current thread: the fuzzer's speed, whatever else the machine runs. */
    long cpuNanos() {
        return threads.getCurrentThreadCpuTime();
    }

    long allocatedBytes() {
        return threads.getCurrentThreadAllocatedBytes();
    }
}
