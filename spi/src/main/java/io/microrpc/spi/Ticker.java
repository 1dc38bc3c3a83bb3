package io.microrpc.spi;

/**
 * A source of monotonic nanoseconds, like {@link System#nanoTime()}. The kernel hands extensions its
 * ticker so that time-dependent logic can be tested with a fake one. Thread-safe.
 */
@FunctionalInterface
public interface Ticker {

    long nanoTime();

    /** The ticker backed by {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
