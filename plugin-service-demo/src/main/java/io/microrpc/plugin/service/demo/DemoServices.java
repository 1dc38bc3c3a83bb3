package io.microrpc.plugin.service.demo;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.UserService;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.ServiceDefinition;
import io.microrpc.spi.ServiceProvider;
import java.util.List;
import org.pf4j.Extension;

/**
 * Exports the demo {@link EchoService} and {@link UserService}, configured by the {@code service.demo.*}
 * keys ({@link DemoSettings}). The implementations are created in {@link #start}, once per extension
 * instance, so a reloaded plugin, or one restarted with edited keys, starts with an empty user store.
 *
 * <p>Both run on the IO thread that decoded the request ({@link ServiceDefinition#onIoThread()}): they
 * never block and finish in microseconds, so the hop to a worker thread would cost more than the call
 * (measured in docs/PERFORMANCE.md). A service that blocks must not do this.
 */
@Extension
public final class DemoServices implements ServiceProvider {

    // Written by start, read by the kernel after start returned (SPI contract), possibly on another thread.
    private volatile List<ServiceDefinition<?>> services;

    @Override
    public String name() {
        return "demo";
    }

    /** Reads the {@code service.demo.*} keys; an unknown key or a bad value refuses the start, naming it. */
    @Override
    public void start(PluginContext context) {
        DemoSettings settings = DemoSettings.parse(context.config());
        services = List.of(
                ServiceDefinition.of(EchoService.class, new DefaultEchoService())
                        .onIoThread(),
                ServiceDefinition.of(UserService.class, new DefaultUserService(settings))
                        .onIoThread());
    }

    @Override
    public List<ServiceDefinition<?>> services() {
        List<ServiceDefinition<?>> s = services;
        if (s == null) {
            throw new IllegalStateException("services() called before start(PluginContext): the demo services "
                    + "are built from the service.demo.* keys that start reads");
        }
        return s;
    }
}
