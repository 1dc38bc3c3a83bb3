package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.PluginConfig;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The configuration of the consistent-hash balancer, parsed and checked once in {@code start}:
 * {@code virtual-nodes} (default 160), {@code bounded-load-factor} (default 0 = off) and
 * {@code key.<service>/<method>}. Immutable.
 */
final class HashSettings {

    static final int DEFAULT_VIRTUAL_NODES = 160;
    static final int MAX_VIRTUAL_NODES = 10_000;
    static final String VIRTUAL_NODES = "virtual-nodes";
    static final String BOUNDED_LOAD_FACTOR = "bounded-load-factor";
    static final String KEY_PREFIX = "key.";

    static final HashSettings DEFAULT = new HashSettings(DEFAULT_VIRTUAL_NODES, 0, Map.of());

    final int virtualNodes;
    /** 0 when off, else >= 1: no node takes more than this × the average calls in flight. */
    final double boundedLoadFactor;
    /** service → method → key. */
    private final Map<String, Map<String, KeySpec>> keys;

    private HashSettings(int virtualNodes, double boundedLoadFactor, Map<String, Map<String, KeySpec>> keys) {
        this.virtualNodes = virtualNodes;
        this.boundedLoadFactor = boundedLoadFactor;
        this.keys = keys;
    }

    static HashSettings from(PluginConfig config) {
        String prefix = config.prefix();
        int virtualNodes = config.getInt(VIRTUAL_NODES, DEFAULT_VIRTUAL_NODES);
        if (virtualNodes < 1 || virtualNodes > MAX_VIRTUAL_NODES) {
            throw new IllegalArgumentException(
                    prefix + VIRTUAL_NODES + ": '" + virtualNodes + "' (expected: 1-" + MAX_VIRTUAL_NODES + ")");
        }
        double factor = boundedLoadFactor(config);
        Map<String, Map<String, KeySpec>> keys = new HashMap<>();
        for (Map.Entry<String, String> e : config.asMap().entrySet()) {
            String key = e.getKey();
            if (key.equals(VIRTUAL_NODES) || key.equals(BOUNDED_LOAD_FACTOR)) {
                continue;
            }
            int slash = key.lastIndexOf('/');
            if (!key.startsWith(KEY_PREFIX) || slash <= KEY_PREFIX.length() || slash == key.length() - 1) {
                throw new IllegalArgumentException(prefix + key + ": unknown key (expected: " + prefix + VIRTUAL_NODES
                        + ", " + prefix + BOUNDED_LOAD_FACTOR + " or " + prefix + KEY_PREFIX + "<service>/<method>)");
            }
            String service = key.substring(KEY_PREFIX.length(), slash);
            String method = key.substring(slash + 1);
            keys.computeIfAbsent(service, s -> new HashMap<>()).put(method, KeySpec.parse(prefix + key, e.getValue()));
        }
        Map<String, Map<String, KeySpec>> frozen = new HashMap<>();
        keys.forEach((s, m) -> frozen.put(s, Map.copyOf(m)));
        return new HashSettings(virtualNodes, factor, Collections.unmodifiableMap(frozen));
    }

    private static double boundedLoadFactor(PluginConfig config) {
        String raw = config.get(BOUNDED_LOAD_FACTOR).orElse("0");
        double factor;
        try {
            factor = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            factor = Double.NaN;
        }
        if (!(factor == 0 || (factor >= 1.0 && factor <= 1000))) {
            throw new IllegalArgumentException(config.prefix() + BOUNDED_LOAD_FACTOR + ": '" + raw
                    + "' (expected: 0 for " + "off, or a number from 1.0 to 1000 such as 1.25)");
        }
        return factor;
    }

    /** The keys configured for {@code service}'s methods, by method name; immutable, empty if none. */
    Map<String, KeySpec> keysOf(String service) {
        return keys.getOrDefault(service, Map.of());
    }
}
