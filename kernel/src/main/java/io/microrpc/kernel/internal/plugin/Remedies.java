package io.microrpc.kernel.internal.plugin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What to tell a user whose call needs an extension nobody provides: the JAR that provided that name
 * before (every extension this kernel loaded is remembered, also after its plugin was removed), else
 * the distribution's plugin of that name, else no guess. Thread-safe: the plugin lifecycle thread
 * records, calls read.
 */
public final class Remedies {

    /** The names the distribution's plugins provide, by point key and name. */
    private static final Map<String, String> SHIPPED = Map.ofEntries(
            Map.entry("serializer:protostuff", "plugin-codec-protostuff"),
            Map.entry("loadbalancer:round-robin", "plugin-lb-weighted"),
            Map.entry("loadbalancer:random", "plugin-lb-weighted"),
            Map.entry("loadbalancer:p2c", "plugin-lb-adaptive"),
            Map.entry("loadbalancer:least-active", "plugin-lb-adaptive"),
            Map.entry("loadbalancer:shortest-response", "plugin-lb-adaptive"),
            Map.entry("loadbalancer:consistent-hash", "plugin-lb-consistenthash"),
            Map.entry("cluster:failover", "plugin-cluster-failover"),
            Map.entry("registry:zookeeper", "plugin-registry-zookeeper"),
            Map.entry("filter:ratelimit", "plugin-filter-ratelimit"));

    private final String pluginsDir;
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    public Remedies(String pluginsDir) {
        this.pluginsDir = pluginsDir;
    }

    /** Remembers that {@code file} (plugin {@code id} {@code version}) provides {@code name} for {@code point}. */
    void learned(ExtensionPoints point, String name, String file, String id, String version) {
        seen.put(point.key() + ':' + name, file + " (plugin " + id + ' ' + version + ')');
    }

    /**
     * The remedy for a point that has none of {@code names} loaded (any extension of it, when empty),
     * e.g. {@code put lowest-port.jar (plugin lb-lowest 1.0.0) back in plugins/}.
     */
    String remedy(ExtensionPoints point, List<String> names) {
        if (names.isEmpty()) {
            return "put " + point.suggestedPlugin() + " in " + pluginsDir + "/";
        }
        for (String name : names) {
            String jar = seen.get(point.key() + ':' + name);
            if (jar != null) {
                return "put " + jar + ", which provided '" + name + "', back in " + pluginsDir + "/, or switch "
                        + point.key() + " to a loaded one";
            }
        }
        for (String name : names) {
            String shipped = SHIPPED.get(point.key() + ':' + name);
            if (shipped != null) {
                return "put " + shipped + " in " + pluginsDir + "/";
            }
        }
        return "no plugin this kernel has loaded provides " + quoted(names)
                + ": put the JAR of the plugin that does in " + pluginsDir + "/, or switch " + point.key()
                + " to a loaded one";
    }

    private static String quoted(List<String> names) {
        return names.size() == 1 ? "'" + names.get(0) + "'" : "any of " + names;
    }
}
