package io.microrpc.kernel;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.transport.AdvertisedHost;
import io.microrpc.kernel.testing.BoardRegistry;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.PluginJarBuilder;
import io.microrpc.kernel.testing.RegistryBoard;
import io.microrpc.spi.ServiceInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery through the active Registry extension, and a registry plugin replaced at runtime. */
class RegistryDiscoveryTest {

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        RegistryBoard.reset();
    }

    @AfterEach
    void check() {
        RegistryBoard.reset();
    }

    private KernelSettings settings(String name, Path plugins) {
        return KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .dataDir(dir.resolve(name))
                .pluginsWatchDebounce(Duration.ofMillis(100))
                .build();
    }

    @Test
    void providersRegisterAndConsumersFollowThemWithoutAddresses() {
        try (MicroRpc p1 = MicroRpc.builder()
                        .settings(settings("p1", dir.resolve("none")))
                        .extension(new JavaTestSerializer())
                        .extension(new BoardRegistry())
                        .start();
                MicroRpc consumer = MicroRpc.builder()
                        .settings(settings("c", dir.resolve("none")))
                        .extension(new JavaTestSerializer())
                        .extension(new BoardRegistry())
                        .start()) {
            p1.export(EchoApi.class, new EchoImpl());
            assertThat(RegistryBoard.providers(EchoApi.class.getName()))
                    .singleElement()
                    .extracting(ServiceInstance::address)
                    .isEqualTo("127.0.0.1:" + p1.port());
            assertThat(RegistryBoard.providers(EchoApi.class.getName()))
                    .singleElement()
                    .extracting(ServiceInstance::serializers)
                    .asList()
                    .containsExactly("java-test");
            EchoApi echo =
                    consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
            assertThat(echo.echo("via registry")).isEqualTo("via registry");
            p1.close();
            assertThat(RegistryBoard.providers(EchoApi.class.getName()))
                    .as("unregistered on close")
                    .isEmpty();
        }
    }

    @Test
    void aServerBoundToEveryInterfacePublishesAnInterfaceAddressNotTheHostName() {
        String expected = AdvertisedHost.choose(AdvertisedHost.ofThisMachine())
                .map(AdvertisedHost.Choice::host)
                .orElse("127.0.0.1");
        try (MicroRpc wildcard = MicroRpc.builder()
                        .settings(settings("w", dir.resolve("none")).toBuilder()
                                .serverHost("0.0.0.0")
                                .build())
                        .extension(new JavaTestSerializer())
                        .extension(new BoardRegistry())
                        .start();
                MicroRpc explicit = MicroRpc.builder()
                        .settings(settings("e", dir.resolve("none")).toBuilder()
                                .serverHost("0.0.0.0")
                                .serverAdvertiseHost("rpc.example.com")
                                .build())
                        .extension(new JavaTestSerializer())
                        .extension(new BoardRegistry())
                        .start()) {
            wildcard.export(EchoApi.class, new EchoImpl());
            explicit.export(EchoApi.class, new EchoImpl());
            assertThat(RegistryBoard.providers(EchoApi.class.getName()))
                    .extracting(ServiceInstance::address)
                    .containsExactlyInAnyOrder(expected + ":" + wildcard.port(), "rpc.example.com:" + explicit.port());
        }
    }

    @Test
    void referenceWithoutAddressesOrRegistryFailsWithWhatToDo() {
        try (MicroRpc consumer = MicroRpc.builder()
                .settings(settings("c", dir.resolve("none")))
                .extension(new JavaTestSerializer())
                .start()) {
            assertThatThrownBy(() -> consumer.reference(
                            EchoApi.class, ReferenceOptions.builder().build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no Registry plugin")
                    .hasMessageContaining("plugin-registry-zookeeper");
        }
    }

    private static PluginJarBuilder registryJar(String version) {
        return plugin("registry-board")
                .version(version)
                .extension(BoardRegistry.class)
                .resource("swap-version.txt", version);
    }

    @Test
    void replacedRegistryPluginReRegistersAndReSubscribesWithoutAFailedCall() throws Exception {
        Path providerPlugins = Files.createDirectories(dir.resolve("provider-plugins"));
        Path consumerPlugins = Files.createDirectories(dir.resolve("consumer-plugins"));
        registryJar("1.0.0").writeTo(providerPlugins, "registry.jar");
        registryJar("1.0.0").writeTo(consumerPlugins, "registry.jar");
        String service = EchoApi.class.getName();
        try (MicroRpc provider = MicroRpc.builder()
                        .settings(settings("p", providerPlugins))
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc consumer = MicroRpc.builder()
                        .settings(settings("c", consumerPlugins))
                        .extension(new JavaTestSerializer())
                        .start()) {
            provider.export(EchoApi.class, new EchoImpl());
            EchoApi echo =
                    consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
            CallerLoad load = new CallerLoad(echo, 1).start();
            try {
                registryJar("2.0.0").writeTo(providerPlugins, "registry.jar");
                await().atMost(Duration.ofSeconds(10)).until(() -> RegistryBoard.registrations("2.0.0", service) > 0);
                registryJar("2.0.0").writeTo(consumerPlugins, "registry.jar");
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> consumer.admin()
                                .activeExtensions()
                                .get("registry")
                                .contains("2.0.0"));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> provider.generations().size() == 1
                                && consumer.generations().size() == 1);
                long before = load.calls();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > before + 100);
            } finally {
                load.stop();
            }
            assertThat(load.failures()).isEmpty();
            assertThat(RegistryBoard.providers(service))
                    .as("exactly one registration left")
                    .hasSize(1);
            assertThat(RegistryBoard.watchCount())
                    .as("the old registry's subscription was closed")
                    .isEqualTo(1);
            assertThat(RegistryBoard.retiredRegistrants())
                    .as("each kernel retired its old registry once")
                    .containsExactly("1.0.0", "1.0.0");
        }
    }
}
