package io.microrpc.plugin.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged plugin JAR, loaded by the kernel from a plugins folder in its own class loader. */
class PluginJarIT {

    @TempDir
    Path dir;

    private KernelSettings settings(String name, Path plugins, TestingServer server) {
        return KernelSettings.builder().serverPort(0).serverHost("127.0.0.1").serializer("java-test")
                .pluginsDir(plugins).pluginsWatch(false).dataDir(dir.resolve(name))
                .extensionKey("registry.zookeeper.address", server.getConnectString())
                .extensionKey("registry.zookeeper.session-timeout", "4s")
                .build();
    }

    @Test
    void theShadedJarRegistersAndDiscoversFromAPluginsFolder() throws Exception {
        Path jar = Path.of(System.getProperty("registry.plugin.jar", "target/plugin-registry-zookeeper.jar"));
        assertThat(jar).as("mvn verify packages the plugin JAR first").isRegularFile();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(jar, plugins.resolve("registry-zookeeper.jar"));

        try (TestingServer server = ZkTesting.server();
             MicroRpc provider = MicroRpc.builder().settings(settings("p", plugins, server)).extension(new JavaTestSerializer()).start();
             MicroRpc consumer = MicroRpc.builder().settings(settings("c", plugins, server)).extension(new JavaTestSerializer()).start()) {
            assertThat(consumer.activeExtensions().get("registry")).contains("zookeeper");
            provider.export(EchoApi.class, new EchoImpl());
            EchoApi echo = consumer.reference(EchoApi.class, ReferenceOptions.builder().build());

            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> echo.echo("via a plugin JAR").equals("via a plugin JAR"));
            assertThat(dir.resolve("c/plugins/registry-zookeeper/snapshots")).isDirectoryContaining("glob:**.providers");
        }
    }

    /**
     * With no address the JAR's embedded ZooKeeper server starts in the first kernel and the second joins
     * it: this runs ZooKeeper's server classes from the shaded JAR, which need libraries ZooKeeper itself
     * only declares as "provided" (metrics-core, snappy-java).
     */
    @Test
    void theShadedJarsEmbeddedServerServesASecondKernel() throws Exception {
        Path jar = Path.of(System.getProperty("registry.plugin.jar", "target/plugin-registry-zookeeper.jar"));
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(jar, plugins.resolve("registry-zookeeper.jar"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        KernelSettings.Builder base = KernelSettings.builder().serverPort(0).serverHost("127.0.0.1").serializer("java-test")
                .pluginsDir(plugins).pluginsWatch(false)
                .extensionKey("registry.zookeeper.embedded-port", String.valueOf(port))
                .extensionKey("registry.zookeeper.session-timeout", "4s");
        try (MicroRpc provider = MicroRpc.builder().settings(base.dataDir(dir.resolve("ep")).build())
                     .extension(new JavaTestSerializer()).start();
             MicroRpc consumer = MicroRpc.builder().settings(base.dataDir(dir.resolve("ec")).build())
                     .extension(new JavaTestSerializer()).start()) {
            assertThat(provider.plugins()).allMatch(r -> r.isStarted(), "the registry plugin started");
            provider.export(EchoApi.class, new EchoImpl());
            EchoApi echo = consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> echo.echo("embedded").equals("embedded"));
        }
    }
}
