package io.microrpc.kernel.swap;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;

import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.PluginJarBuilder;

/**
 * The versioned test plugins of the swap tests, one builder per point: each JAR carries its version as
 * the resource {@code swap-version.txt}, which its extension reports to {@link SwapProbe}.
 */
final class VersionedJars {

    private VersionedJars() {}

    /** Plugin {@code lb-versioned}: the load balancer named "versioned" at {@code version}. */
    static PluginJarBuilder balancer(String version) {
        return versioned("lb-versioned", version, VersionedBalancer.class);
    }

    /** Plugin {@code codec-versioned}: the serializer {@code java-test} (id 100). */
    static PluginJarBuilder codec(String version) {
        return versioned("codec-versioned", version, VersionedSerializer.class).withClass(JavaTestSerializer.class);
    }

    /** Plugin {@code filter-versioned}: the client filter {@code versioned-filter}. */
    static PluginJarBuilder filter(String version) {
        return versioned("filter-versioned", version, VersionedFilter.class);
    }

    /** Plugin {@code policy-versioned}: the one-attempt cluster policy {@code versioned-policy}. */
    static PluginJarBuilder policy(String version) {
        return versioned("policy-versioned", version, VersionedPolicy.class);
    }

    /** Plugin {@code greeter}: a service plugin exporting {@link GreeterApi}. */
    static PluginJarBuilder greeter(String version) {
        return versioned("greeter", version, VersionedGreeterPlugin.class);
    }

    /** {@link VersionedBalancer} holds the helper that reads the version, so every JAR packages it. */
    private static PluginJarBuilder versioned(String id, String version, Class<?> extension) {
        PluginJarBuilder b = plugin(id).version(version).extension(extension).resource("swap-version.txt", version);
        return extension == VersionedBalancer.class ? b : b.withClass(VersionedBalancer.class);
    }
}
