package io.microrpc.kernel.internal.transport;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many connections the server holds, in total and per remote IP address
 * ({@code server.max-connections}, {@code server.max-connections-per-address}). A connection over
 * either limit is closed before anything is read from it.
 *
 * <p>The total is also kept below the process's file-descriptor limit: a server that runs out of
 * descriptors cannot accept anything, not even on the admin endpoint, nor open a plugin JAR.
 *
 * <p>Thread-safe.
 */
final class ConnectionLimits {

    private final int max;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    ConnectionLimits(int max, int maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    int max() {
        return max;
    }

    int open() {
        return open.get();
    }

    long refused() {
        return refused.get();
    }

    /** Admits a connection from {@code address}; null when admitted, else why not (the limit named). */
    String tryAdmit(InetAddress address) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.incrementAndGet();
            return max + " connections open (server.max-connections)";
        }
        if (address != null) {
            boolean[] admitted = {false};
            perAddress.compute(address, (a, n) -> {
                int count = n == null ? 0 : n;
                if (count >= maxPerAddress) {
                    return n;
                }
                admitted[0] = true;
                return count + 1;
            });
            if (!admitted[0]) {
                open.decrementAndGet();
                refused.incrementAndGet();
                return maxPerAddress + " connections open from " + address.getHostAddress()
                        + " (server.max-connections-per-address)";
            }
        }
        return null;
    }

    /** Gives back what {@link #tryAdmit} took for a connection from {@code address}. */
    void release(InetAddress address) {
        open.decrementAndGet();
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * {@code configured}, or less when the process may not open that many descriptors: the limit minus
     * a reserve of a tenth (at least 128) for the admin endpoint, plugin JARs, registry sessions and
     * outgoing connections. {@code configured} when the limit is unknown (not a Unix JVM).
     */
    static int underDescriptorLimit(int configured) {
        long limit = maxFileDescriptors();
        if (limit <= 0) {
            return configured;
        }
        long usable = Math.max(16, limit - Math.max(128, limit / 10));
        return (int) Math.min(configured, usable);
    }

    static long maxFileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
