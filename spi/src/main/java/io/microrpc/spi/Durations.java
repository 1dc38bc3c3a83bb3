package io.microrpc.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Parses the duration syntax every microrpc configuration key uses. */
public final class Durations {

    private Durations() {}

    /**
     * Parses {@code 250ms}, {@code 3s}, {@code 2m}, {@code 1h}, {@code 500us}, or ISO-8601 such as
     * {@code PT3S}. Fails with {@link IllegalArgumentException} naming the value otherwise.
     */
    public static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            if (s.endsWith("us")) {
                return Duration.ofNanos(
                        1000 * Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(
                        Long.parseLong(s.substring(0, s.length() - 1).trim()));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(
                        Long.parseLong(s.substring(0, s.length() - 1).trim()));
            }
            if (s.endsWith("h")) {
                return Duration.ofHours(
                        Long.parseLong(s.substring(0, s.length() - 1).trim()));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (expected e.g. 250ms, 3s, 2m, PT3S)", e);
        }
        throw new IllegalArgumentException("not a duration: '" + text + "' (expected e.g. 250ms, 3s, 2m, PT3S)");
    }

    /**
     * The shortest form {@link #parse} reads back exactly, for messages: {@code 5s}, {@code 250ms},
     * {@code 2m}, {@code 90s}; ISO-8601 for what no unit divides.
     */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        long[] units = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        String[] names = {"h", "m", "s", "ms", "us"};
        for (int i = 0; i < units.length; i++) {
            if (nanos % units[i] == 0) {
                return nanos / units[i] + names[i];
            }
        }
        return d.toString();
    }
}
