package io.microrpc.testkit;

import io.microrpc.spi.ServiceDefinition;
import io.microrpc.spi.ServiceProvider;
import java.util.List;

/** The service provider suite passes a minimal provider. */
class GreeterProviderContractTest extends ServiceProviderContractTest {

    /** The RPC interface of the provider below. */
    public interface Greeter {
        String greet(String name);
    }

    static final class GreeterProvider implements ServiceProvider {
        @Override
        public String name() {
            return "greeter";
        }

        @Override
        public List<ServiceDefinition<?>> services() {
            return List.of(ServiceDefinition.of(Greeter.class, name -> "hello " + name));
        }
    }

    @Override
    protected ServiceProvider newProvider() {
        return new GreeterProvider();
    }
}
