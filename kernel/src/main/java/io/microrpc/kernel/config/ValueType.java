package io.microrpc.kernel.config;

import io.microrpc.spi.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How the value of a {@link KernelOption} is read from and written as text: the configuration file's
 * form, also used in messages, {@link KernelSettings#values()} and docs/CONFIGURATION.md. {@link #format}
 * writes what {@link #parse} reads back. Immutable.
 */
final class ValueType<T> {

    static final ValueType<String> STRING = new ValueType<>(s -> s, s -> s, Function.identity(), "text");

    static final ValueType<Integer> INT =
            new ValueType<>(Integer::parseInt, String::valueOf, Function.identity(), "an integer");

    /**
     * Bytes, or with a unit: {@code 8MiB}, {@code 512KiB}. Any other unit is refused rather than dropped:
     * {@code 8GiB} must not silently become 8 bytes, nor {@code 4096x} 4096.
     */
    static final ValueType<Integer> SIZE = new ValueType<>(
            ValueType::parseSize,
            ValueType::formatSize,
            Function.identity(),
            "a size in bytes such as 8388608, 512KiB or 8MiB");

    static final ValueType<Duration> DURATION = new ValueType<>(
            Durations::parse, Durations::format, Function.identity(), "a duration such as 250ms, 3s, 2m or PT3S");

    static final ValueType<Boolean> BOOLEAN =
            new ValueType<>(ValueType::parseBoolean, String::valueOf, Function.identity(), "true or false");

    static final ValueType<Path> PATH = new ValueType<>(Path::of, Path::toString, Function.identity(), "a path");

    /** Comma-separated; blanks around and between the commas are dropped. */
    static final ValueType<List<String>> LIST =
            new ValueType<>(ValueType::parseList, l -> String.join(",", l), List::copyOf, "comma-separated names");

    private final Function<String, T> parser;
    private final Function<T, String> formatter;
    private final Function<T, T> immutableCopy;
    private final String description;

    private ValueType(
            Function<String, T> parser,
            Function<T, String> formatter,
            Function<T, T> immutableCopy,
            String description) {
        this.parser = parser;
        this.formatter = formatter;
        this.immutableCopy = immutableCopy;
        this.description = description;
    }

    /** Reads {@code text}; throws a {@link RuntimeException} when it is not of this type. */
    T parse(String text) {
        return parser.apply(text);
    }

    String format(T value) {
        return formatter.apply(value);
    }

    /** {@code value} as the settings keep it: lists are copied so no caller can change them afterwards. */
    T immutable(T value) {
        return immutableCopy.apply(value);
    }

    /** What a value of this type looks like, for messages: "a duration such as 250ms, 3s, 2m or PT3S". */
    String description() {
        return description;
    }

    private static boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("not a boolean: '" + text + "'");
    }

    private static List<String> parseList(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return List.copyOf(out);
    }

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    static int parseSize(String text) {
        String s = text.toLowerCase(Locale.ROOT).replace(" ", "");
        String unit = s.replaceFirst("^[0-9]+", "");
        long factor = switch (unit) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> KIB;
            case "m", "mb", "mib" -> MIB;
            default -> throw new NumberFormatException("unknown unit '" + unit + "'");
        };
        long bytes = Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - unit.length())), factor);
        if (bytes > Integer.MAX_VALUE) {
            throw new NumberFormatException("too large");
        }
        return (int) bytes;
    }

    /** The largest binary unit that divides {@code bytes} exactly: {@code 8MiB}, {@code 512KiB}, {@code 1000}. */
    static String formatSize(int bytes) {
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return String.valueOf(bytes);
    }
}
