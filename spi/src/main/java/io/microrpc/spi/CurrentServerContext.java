package io.microrpc.spi;

/**
 * The holder behind {@link ServerRequestContext#current()}; the kernel sets and clears it around each
 * implementation call. Not for plugins.
 */
public final class CurrentServerContext {

    private static final ThreadLocal<ServerRequestContext> CURRENT = new ThreadLocal<>();

    private CurrentServerContext() {}

    static ServerRequestContext get() {
        return CURRENT.get();
    }

    /** Makes {@code context} current on this thread; returns the one it replaces, for {@link #restore}. */
    public static ServerRequestContext enter(ServerRequestContext context) {
        ServerRequestContext previous = CURRENT.get();
        CURRENT.set(context);
        return previous;
    }

    public static void restore(ServerRequestContext previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
