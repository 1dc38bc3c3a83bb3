package io.microrpc.kernel.swap;

import io.microrpc.spi.ClientFilter;
import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.PluginContext;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.pf4j.Extension;

/** A client filter packaged into test plugin JARs; reports its JAR's version to {@link SwapProbe}. */
@Extension
public final class VersionedFilter implements ClientFilter {

    private volatile String version = "unknown";

    @Override
    public String name() {
        return "versioned-filter";
    }

    @Override
    public void start(PluginContext context) throws IOException {
        version = VersionedBalancer.readVersion(getClass());
    }

    @Override
    public CompletableFuture<Object> invoke(ClientRequestContext context, Invocation invocation, Invoker next) {
        SwapProbe.served("filter", version, getClass().getClassLoader());
        return next.invoke(invocation.withAttachment("filter-version", version));
    }
}
