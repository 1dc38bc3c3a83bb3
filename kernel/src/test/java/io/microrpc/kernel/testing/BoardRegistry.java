package io.microrpc.kernel.testing;

import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.pf4j.Extension;

/** A test registry over {@link RegistryBoard}, usable embedded or packaged into a plugin JAR. */
@Extension
public final class BoardRegistry implements Registry {

    private volatile String version = "embedded";

    @Override
    public String name() {
        return "board";
    }

    @Override
    public void start(PluginContext context) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("swap-version.txt")) {
            if (in != null) {
                version = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        }
    }

    @Override
    public void register(ServiceInstance instance) {
        RegistryBoard.register(version, instance);
    }

    @Override
    public void unregister(ServiceInstance instance) {
        RegistryBoard.unregister(instance);
    }

    @Override
    public void retire() {
        RegistryBoard.retired(version);
    }

    @Override
    public Subscription subscribe(String service, Listener listener) {
        return RegistryBoard.subscribe(service, listener);
    }
}
