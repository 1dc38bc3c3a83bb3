package io.microrpc.plugin.service.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.UserService;
import io.microrpc.spi.ServiceDefinition;
import org.junit.jupiter.api.Test;

class DemoServicesTest {

    @Test
    void exportsEchoAndUserServicesOnTheIoThread() {
        DemoServices provider = new DemoServices();

        assertThat(provider.name()).isEqualTo("demo");
        assertThat(provider.services())
                .extracting(ServiceDefinition::serviceName)
                .containsExactly(EchoService.class.getName(), UserService.class.getName());
        assertThat(provider.services()).allMatch(ServiceDefinition::runOnIoThread);
        assertThat(provider.services()).isSameAs(provider.services());
        assertThat(provider.services().get(0).implementation()).isInstanceOf(DefaultEchoService.class);
        assertThat(provider.services().get(1).implementation()).isInstanceOf(DefaultUserService.class);
    }
}
