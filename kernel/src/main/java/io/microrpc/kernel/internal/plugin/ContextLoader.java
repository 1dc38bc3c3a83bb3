package io.microrpc.kernel.internal.plugin;

/**
 * Makes a plugin's class loader the thread's context loader while its code runs, as libraries inside
 * plugins (serialization frameworks, ZooKeeper clients) expect, and restores the previous one after.
 *
 * <pre>{@code
 * ClassLoader previous = ContextLoader.enter(extension);
 * try { ... } finally { ContextLoader.exit(previous); }
 * }</pre>
 */
public final class ContextLoader {

    private ContextLoader() {}

    /** Sets the context loader to {@code code}'s loader and returns the previous one. */
    public static ClassLoader enter(Object code) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        ClassLoader loader = code.getClass().getClassLoader();
        if (loader != previous) {
            t.setContextClassLoader(loader);
        }
        return previous;
    }

    public static void exit(ClassLoader previous) {
        Thread t = Thread.currentThread();
        if (t.getContextClassLoader() != previous) {
            t.setContextClassLoader(previous);
        }
    }
}
