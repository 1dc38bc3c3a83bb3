package io.microrpc.kernel.swap;

import io.microrpc.spi.PluginContext;
import io.microrpc.spi.ServiceDefinition;
import io.microrpc.spi.ServiceProvider;
import java.io.IOException;
import java.util.List;
import org.pf4j.Extension;

/** A service plugin packaged into test JARs: exports {@link GreeterApi} answering with its JAR's version. */
@Extension
public final class VersionedGreeterPlugin implements ServiceProvider {

    private volatile String version = "unknown";

    @Override
    public String name() {
        return "greeter";
    }

    @Override
    public void start(PluginContext context) throws IOException {
        version = VersionedBalancer.readVersion(getClass());
    }

    @Override
    public List<ServiceDefinition<?>> services() {
        String v = version;
        return List.of(ServiceDefinition.of(GreeterApi.class, () -> v));
    }
}
