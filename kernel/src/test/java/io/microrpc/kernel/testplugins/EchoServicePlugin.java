package io.microrpc.kernel.testplugins;

import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.spi.ServiceDefinition;
import io.microrpc.spi.ServiceProvider;
import java.util.List;
import org.pf4j.Extension;

/** A service plugin exporting {@link EchoApi}. */
@Extension
public final class EchoServicePlugin implements ServiceProvider {

    @Override
    public String name() {
        return "echo-service";
    }

    @Override
    public List<ServiceDefinition<?>> services() {
        return List.of(ServiceDefinition.of(EchoApi.class, new EchoImpl()));
    }
}
