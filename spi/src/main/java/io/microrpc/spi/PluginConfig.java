package io.microrpc.spi;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration keys addressed to one extension, with the prefix removed. For the extension
 * named {@code zookeeper} of point {@code registry}, the file line
 * {@code registry.zookeeper.address=zk1:2181} becomes the key {@code address}.
 *
 * <p>Immutable. Extensions parse it once, in {@link Pluggable#start}, into typed settings of their
 * own; the typed getters fail with a message that names the full key, the value and what was expected.
 */
public final class PluginConfig {

    private static final PluginConfig EMPTY = new PluginConfig("", Map.of());

    private final String prefix;
    private final Map<String, String> values;

    private PluginConfig(String prefix, Map<String, String> values) {
        this.prefix = prefix;
        this.values = values;
    }

    /** Returns a config holding a copy of {@code values}, whose keys were found under {@code prefix}. */
    public static PluginConfig of(String prefix, Map<String, String> values) {
        Objects.requireNonNull(prefix, "prefix");
        return new PluginConfig(prefix, Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }

    public static PluginConfig empty() {
        return EMPTY;
    }

    /** The prefix the keys had in the configuration file, e.g. {@code registry.zookeeper.}. */
    public String prefix() {
        return prefix;
    }

    /** All keys and values, without the prefix. */
    public Map<String, String> asMap() {
        return values;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String getString(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    public int getInt(String key, int defaultValue) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.get());
        } catch (NumberFormatException e) {
            throw invalid(key, value.get(), "an integer");
        }
    }

    public long getLong(String key, long defaultValue) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.get());
        } catch (NumberFormatException e) {
            throw invalid(key, value.get(), "an integer");
        }
    }

    /** A finite decimal number such as {@code 0.2} or {@code 1.5}. */
    public double getDouble(String key, double defaultValue) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            double d = Double.parseDouble(value.get());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, value.get(), "a decimal number such as 0.2");
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String v = value.get().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw invalid(key, value.get(), "true or false");
    }

    /** Parses durations such as {@code 250ms}, {@code 3s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT3S}. */
    public Duration getDuration(String key, Duration defaultValue) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Durations.parse(value.get());
        } catch (IllegalArgumentException e) {
            throw invalid(key, value.get(), "a duration such as 250ms, 3s, 2m or PT3S");
        }
    }

    /**
     * The sides of a call a filter acts on: {@code server}, {@code client} or {@code both} (case and
     * surrounding spaces ignored), {@code defaultValue} when the key is not set. For filters that
     * implement both {@link ClientFilter} and {@link ServerFilter} and let the operator choose.
     */
    public Set<RequestContext.Side> getSides(String key, String defaultValue) {
        String value = getString(key, defaultValue);
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "server":
                return EnumSet.of(RequestContext.Side.SERVER);
            case "client":
                return EnumSet.of(RequestContext.Side.CLIENT);
            case "both":
                return EnumSet.allOf(RequestContext.Side.class);
            default:
                throw invalid(key, value, "server, client or both");
        }
    }

    /**
     * Refuses keys other than {@code known}, so a typo in the configuration fails the extension's start
     * (and an edit of a running kernel's file) instead of being ignored: {@code
     * cluster.failover.retrys: unknown key (expected: one of [cluster.failover.retries, ...])}.
     *
     * @throws IllegalArgumentException naming the first unknown key
     */
    public void checkKnown(String... known) {
        Set<String> allowed = Set.of(known);
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(prefix + key + ": unknown key (expected: "
                        + (known.length == 0
                                ? "none; this extension has no settings"
                                : "one of "
                                        + Arrays.stream(known)
                                                .sorted()
                                                .map(k -> prefix + k)
                                                .toList())
                        + ")");
            }
        }
    }

    /**
     * The error for a value an extension cannot use, in the kernel's form: it names the full key, the
     * value and what was expected, e.g. {@code cluster.failover.retries: '-1' (expected: 0-10)}.
     */
    public IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException(prefix + key + ": '" + value + "' (expected: " + expected + ")");
    }

    /** Equal when the prefix and every key and value are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PluginConfig c && prefix.equals(c.prefix) && values.equals(c.values);
    }

    @Override
    public int hashCode() {
        return prefix.hashCode() * 31 + values.hashCode();
    }

    @Override
    public String toString() {
        return "PluginConfig{" + prefix + values + '}';
    }
}
