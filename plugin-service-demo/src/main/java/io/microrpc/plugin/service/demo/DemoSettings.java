package io.microrpc.plugin.service.demo;

import io.microrpc.spi.PluginConfig;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code service.demo.*} keys: how much the demo {@code UserService} stores, so a demo exported on a
 * public address cannot be used to fill the heap. Parsed once; immutable. Every invalid value fails
 * {@link #parse} with the full key, the value and what was expected; docs/CONFIGURATION.md lists the
 * keys and the figures behind the defaults.
 */
final class DemoSettings {

    static final String MAX_USERS = "max-users";
    static final String MAX_STRING_LENGTH = "max-string-length";
    static final String MAX_TAGS = "max-tags";
    static final String MAX_ATTRIBUTES = "max-attributes";
    static final String MAX_STORED_BYTES = "max-stored-bytes";

    /** The settings without any key. */
    static final DemoSettings DEFAULTS = parse(PluginConfig.of("service.demo.", Map.of()));

    /** The prefix of the keys in the configuration file, for messages: {@code service.demo.}. */
    final String prefix;
    /** Users {@code createUser} stores; past it, it refuses. */
    final int maxUsers;
    /** Characters of each string of a user: name, email, city, country, each tag, each attribute key and value. */
    final int maxStringLength;
    /** Tags of one user. */
    final int maxTags;
    /** Attributes of one user. */
    final int maxAttributes;
    /** Estimated heap bytes of all stored users ({@link UserFootprint}). */
    final long maxStoredBytes;

    private DemoSettings(PluginConfig c) {
        c.checkKnown(MAX_USERS, MAX_STRING_LENGTH, MAX_TAGS, MAX_ATTRIBUTES, MAX_STORED_BYTES);
        prefix = c.prefix();
        maxUsers = atLeast(c, MAX_USERS, c.getInt(MAX_USERS, 100_000), 0, ">= 0 users; 0 refuses every createUser");
        maxStringLength = atLeast(c, MAX_STRING_LENGTH, c.getInt(MAX_STRING_LENGTH, 256), 1, ">= 1 characters");
        maxTags = atLeast(c, MAX_TAGS, c.getInt(MAX_TAGS, 32), 0, ">= 0 tags");
        maxAttributes = atLeast(c, MAX_ATTRIBUTES, c.getInt(MAX_ATTRIBUTES, 32), 0, ">= 0 attributes");
        maxStoredBytes = size(c, MAX_STORED_BYTES, c.getString(MAX_STORED_BYTES, "64MiB"));
    }

    static DemoSettings parse(PluginConfig config) {
        return new DemoSettings(config);
    }

    /** The full key, e.g. {@code service.demo.max-users}. */
    String key(String key) {
        return prefix + key;
    }

    private static int atLeast(PluginConfig c, String key, int value, int min, String expected) {
        if (value < min) {
            throw c.invalid(key, String.valueOf(value), expected);
        }
        return value;
    }

    /** Bytes, or with a unit as the kernel's sizes: {@code 67108864}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB}. */
    private static long size(PluginConfig c, String key, String value) {
        String s = value.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        String unit = s.replaceFirst("^[0-9]+", "");
        long factor = switch (unit) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> 1024;
            case "m", "mb", "mib" -> 1024 * 1024;
            case "g", "gb", "gib" -> 1024 * 1024 * 1024;
            default -> -1;
        };
        String digits = s.substring(0, s.length() - unit.length());
        if (factor < 0 || digits.isEmpty()) {
            throw c.invalid(key, value, "a size in bytes such as 67108864, 512KiB or 64MiB");
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw c.invalid(key, value, "a size in bytes such as 67108864, 512KiB or 64MiB");
        }
    }
}
