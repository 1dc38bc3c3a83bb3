package io.microrpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.OneWay;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.ServiceDefinition;
import io.microrpc.spi.ServiceProvider;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ServiceProvider} passes: after {@code start}, {@link ServiceProvider#services()}
 * returns at least one service, each a public interface the kernel can export (unique method names, as
 * the wire names a method by name alone; {@code @OneWay} methods return {@code void}), no service twice,
 * the same services on every call; and a second instance runs beside the first (the kernel starts a new
 * instance before stopping the old one when the provider's keys change), each stopping cleanly.
 *
 * <p>Subclass it in the provider's tests and implement {@link #newProvider()}; override
 * {@link #newContext()} to start it with configuration ({@code service.<name>.*} keys). Test what the
 * services do in a class of their own.
 */
public abstract class ServiceProviderContractTest {

    /** The provider under test, started with {@link #newContext()}. */
    protected ServiceProvider provider;

    /** A new, not yet started instance of the provider under test. */
    protected abstract ServiceProvider newProvider();

    /** The context a provider is started with; override to give it configuration keys. */
    protected PluginContext newContext() {
        return TestPluginContext.empty();
    }

    @BeforeEach
    void startProvider() throws Exception {
        provider = newProvider();
        provider.start(newContext());
    }

    @AfterEach
    void stopProvider() {
        provider.stop();
    }

    @Test
    void hasAConfigurableName() {
        assertThat(provider.name()).matches("[a-z0-9-]+");
        assertThat(newProvider().name()).isEqualTo(provider.name());
    }

    @Test
    void providesAtLeastOneService() {
        assertThat(provider.services()).as("services of %s", provider.name()).isNotEmpty();
    }

    @Test
    void providesEachServiceOnce() {
        List<String> names = serviceNames(provider);
        assertThat(new HashSet<>(names))
                .as("services of %s: the kernel exports a service name once", provider.name())
                .hasSameSizeAs(names);
    }

    @Test
    void providesTheSameServicesOnEveryCall() {
        assertThat(serviceNames(provider)).isEqualTo(serviceNames(provider));
    }

    @Test
    void everyServiceIsAnInterfaceTheKernelCanExport() {
        for (ServiceDefinition<?> definition : provider.services()) {
            Class<?> type = definition.type();
            assertThat(Modifier.isPublic(type.getModifiers()))
                    .as("%s is public (callers' proxies implement it)", type.getName())
                    .isTrue();
            Set<String> methods = new HashSet<>();
            for (Method m : type.getMethods()) {
                if (m.isDefault() || Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                assertThat(methods.add(m.getName()))
                        .as(
                                "%s overloads method '%s' (the wire identifies a method by name)",
                                type.getName(), m.getName())
                        .isTrue();
                if (m.isAnnotationPresent(OneWay.class)) {
                    assertThat(m.getReturnType())
                            .as("%s.%s is @OneWay", type.getName(), m.getName())
                            .isEqualTo(void.class);
                }
            }
        }
    }

    @Test
    void aSecondInstanceRunsBesideTheFirst() throws Exception {
        ServiceProvider second = newProvider();
        second.start(newContext());
        try {
            assertThat(serviceNames(second)).isEqualTo(serviceNames(provider));
        } finally {
            second.stop();
        }
        assertThat(serviceNames(provider))
                .as("the first instance still provides its services after the second stopped")
                .isNotEmpty();
    }

    private static List<String> serviceNames(ServiceProvider provider) {
        return provider.services().stream().map(ServiceDefinition::serviceName).collect(Collectors.toList());
    }
}
