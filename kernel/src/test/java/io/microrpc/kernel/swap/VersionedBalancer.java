package io.microrpc.kernel.swap;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.pf4j.Extension;

/** A round-robin load balancer packaged into test plugin JARs; reports its JAR's version to {@link SwapProbe}. */
@Extension
public final class VersionedBalancer implements LoadBalancer {

    private final AtomicInteger next = new AtomicInteger();
    private volatile String version = "unknown";

    @Override
    public String name() {
        return "versioned";
    }

    /** A JAR holding this resource fails to start, as a release with a missing dependency would. */
    public static final String FAIL_START = "swap-fail-start.txt";

    @Override
    public void start(PluginContext context) throws IOException {
        version = readVersion(getClass());
        if (getClass().getClassLoader().getResource(FAIL_START) != null) {
            throw new IllegalStateException("lb-versioned " + version + " cannot start (broken on purpose)");
        }
    }

    @Override
    public Selector newSelector(String service, List<Endpoint> all, Selector previous) {
        return (context, invocation, excluded) -> {
            List<Endpoint> candidates = excluded.isEmpty()
                    ? all
                    : all.stream().filter(e -> !excluded.contains(e)).toList();
            SwapProbe.served("lb", version, getClass().getClassLoader());
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
        };
    }

    /** The version written into the test JAR as the resource {@code swap-version.txt}. */
    static String readVersion(Class<?> c) throws IOException {
        try (InputStream in = c.getClassLoader().getResourceAsStream("swap-version.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
