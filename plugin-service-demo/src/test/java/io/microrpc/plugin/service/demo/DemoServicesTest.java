package io.microrpc.plugin.service.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserService;
import io.microrpc.spi.ServiceDefinition;
import io.microrpc.testkit.TestPluginContext;
import org.junit.jupiter.api.Test;

class DemoServicesTest {

    @Test
    void exportsEchoAndUserServicesOnTheIoThread() {
        DemoServices provider = new DemoServices();
        provider.start(TestPluginContext.empty());

        assertThat(provider.name()).isEqualTo("demo");
        assertThat(provider.services())
                .extracting(ServiceDefinition::serviceName)
                .containsExactly(EchoService.class.getName(), UserService.class.getName());
        assertThat(provider.services()).allMatch(ServiceDefinition::runOnIoThread);
        assertThat(provider.services()).isSameAs(provider.services());
        assertThat(provider.services().get(0).implementation()).isInstanceOf(DefaultEchoService.class);
        assertThat(provider.services().get(1).implementation()).isInstanceOf(DefaultUserService.class);
    }

    @Test
    void theUserServiceIsBoundedByTheKeysOfTheStart() {
        DemoServices provider = new DemoServices();
        provider.start(TestPluginContext.forExtension("service", "demo", "max-users", "1"));
        UserService users = (UserService) provider.services().get(1).implementation();

        users.createUser(new User());
        assertThatThrownBy(() -> users.createUser(new User())).hasMessageContaining("service.demo.max-users");
    }

    @Test
    void anUnknownKeyRefusesTheStart() {
        assertThatThrownBy(() ->
                        new DemoServices().start(TestPluginContext.forExtension("service", "demo", "max-user", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("service.demo.max-user: unknown key (expected: one of [service.demo.max-attributes, "
                        + "service.demo.max-stored-bytes, service.demo.max-string-length, service.demo.max-tags, "
                        + "service.demo.max-users])");
    }

    @Test
    void theServicesAreBuiltByStart() {
        assertThatThrownBy(() -> new DemoServices().services())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before start");
    }
}
