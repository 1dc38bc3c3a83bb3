package io.microrpc.kernel.internal.plugin;

import io.microrpc.spi.ClusterPolicy;
import io.microrpc.spi.Filter;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.Pluggable;
import io.microrpc.spi.Registry;
import io.microrpc.spi.Serializer;
import io.microrpc.spi.ServiceProvider;
import java.util.ArrayList;
import java.util.List;

/** The kernel's extension points: their configuration names and the plugins that provide defaults. */
public enum ExtensionPoints {
    SERIALIZER("serializer", Serializer.class, "plugin-codec-protostuff"),
    LOAD_BALANCER("loadbalancer", LoadBalancer.class, "plugin-lb-weighted"),
    CLUSTER("cluster", ClusterPolicy.class, "plugin-cluster-failover"),
    FILTER("filter", Filter.class, "a filter plugin"),
    REGISTRY("registry", Registry.class, "plugin-registry-zookeeper"),
    SERVICE("service", ServiceProvider.class, "a service plugin such as plugin-service-demo");

    private final String key;
    private final Class<? extends Pluggable> type;
    private final String suggestedPlugin;

    ExtensionPoints(String key, Class<? extends Pluggable> type, String suggestedPlugin) {
        this.key = key;
        this.type = type;
        this.suggestedPlugin = suggestedPlugin;
    }

    /** The configuration prefix and the name shown to users, e.g. {@code loadbalancer}. */
    public String key() {
        return key;
    }

    public Class<? extends Pluggable> type() {
        return type;
    }

    /** The plugin a user should install to get this point, for error messages. */
    public String suggestedPlugin() {
        return suggestedPlugin;
    }

    /** The points {@code extension} implements (usually one). */
    public static List<ExtensionPoints> of(Pluggable extension) {
        List<ExtensionPoints> points = new ArrayList<>(1);
        for (ExtensionPoints p : values()) {
            if (p.type.isInstance(extension)) {
                points.add(p);
            }
        }
        return points;
    }
}
