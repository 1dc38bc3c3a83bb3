package io.microrpc.kernel.swap;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.ClusterPolicy;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Providers;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.pf4j.Extension;

/** A one-attempt cluster policy packaged into test plugin JARs; reports its JAR's version to {@link SwapProbe}. */
@Extension
public final class VersionedPolicy implements ClusterPolicy {

    private volatile String version = "unknown";

    @Override
    public String name() {
        return "versioned-policy";
    }

    @Override
    public void start(PluginContext context) throws IOException {
        version = VersionedBalancer.readVersion(getClass());
    }

    @Override
    public CompletableFuture<Object> invoke(ClientRequestContext context, Invocation invocation, Providers providers) {
        SwapProbe.served("policy", version, getClass().getClassLoader());
        return providers.attempt(providers.select(invocation, List.of()), invocation);
    }
}
