package io.microrpc.kernel.swap;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lives on the test class path (never packaged into a plugin JAR), so plugin classes of every
 * generation report to the same instance: which version served calls, and weak references to their
 * class loaders. Holds nothing of a plugin strongly.
 */
public final class SwapProbe {

    private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();
    private static final Map<String, WeakReference<ClassLoader>> LOADERS = new ConcurrentHashMap<>();

    private SwapProbe() {}

    /** Called by plugin code: {@code point} served a call in {@code version}. */
    public static void served(String point, String version, ClassLoader loader) {
        String key = point + '@' + version;
        CALLS.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        LOADERS.computeIfAbsent(key, k -> new WeakReference<>(loader));
    }

    public static long calls(String point, String version) {
        AtomicLong n = CALLS.get(point + '@' + version);
        return n == null ? 0 : n.get();
    }

    public static WeakReference<ClassLoader> loader(String point, String version) {
        return LOADERS.get(point + '@' + version);
    }

    public static void reset() {
        CALLS.clear();
        LOADERS.clear();
    }
}
