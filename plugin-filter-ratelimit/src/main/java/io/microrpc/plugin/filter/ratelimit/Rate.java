package io.microrpc.plugin.filter.ratelimit;

import java.util.concurrent.TimeUnit;

/** A configured rate such as {@code 500/s}, {@code 20/m} or {@code 1/h}. Immutable. */
final class Rate {

    private final long calls;
    private final TimeUnit unit;
    private final String text;

    private Rate(long calls, TimeUnit unit, String text) {
        this.calls = calls;
        this.unit = unit;
        this.text = text;
    }

    /**
     * Parses {@code <calls>/<s|m|h>}.
     *
     * @throws IllegalArgumentException naming what is wrong, without the key (the caller adds it)
     */
    static Rate parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash <= 0 || slash == t.length() - 1) {
            throw new IllegalArgumentException("a rate such as 500/s, 20/m or 1/h");
        }
        long calls;
        try {
            calls = Long.parseLong(t.substring(0, slash).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a whole number of calls before the '/', e.g. 500/s");
        }
        if (calls < 1 || calls > 1_000_000_000L) {
            throw new IllegalArgumentException("1 to 1000000000 calls per unit");
        }
        TimeUnit unit = switch (t.substring(slash + 1).trim()) {
            case "s" -> TimeUnit.SECONDS;
            case "m" -> TimeUnit.MINUTES;
            case "h" -> TimeUnit.HOURS;
            default -> throw new IllegalArgumentException("a unit of s, m or h after the '/', e.g. 500/s");
        };
        return new Rate(calls, unit, calls + "/" + t.substring(slash + 1).trim());
    }

    /** Nanoseconds between calls at this rate. */
    long intervalNanos() {
        return Math.max(1, unit.toNanos(1) / calls);
    }

    @Override
    public String toString() {
        return text;
    }
}
