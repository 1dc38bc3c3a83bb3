package io.microrpc.plugin.service.demo;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.UserService;
import io.microrpc.spi.ServiceDefinition;
import io.microrpc.spi.ServiceProvider;
import java.util.List;
import org.pf4j.Extension;

/**
 * Exports the demo {@link EchoService} and {@link UserService}. The implementations are created once
 * per extension instance, so a reloaded plugin starts with an empty user store.
 *
 * <p>Both run on the IO thread that decoded the request ({@link ServiceDefinition#onIoThread()}): they
 * never block and finish in microseconds, so the hop to a worker thread would cost more than the call
 * (measured in docs/PERFORMANCE.md). A service that blocks must not do this.
 */
@Extension
public final class DemoServices implements ServiceProvider {

    private final List<ServiceDefinition<?>> services = List.of(
            ServiceDefinition.of(EchoService.class, new DefaultEchoService()).onIoThread(),
            ServiceDefinition.of(UserService.class, new DefaultUserService()).onIoThread());

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public List<ServiceDefinition<?>> services() {
        return services;
    }
}
