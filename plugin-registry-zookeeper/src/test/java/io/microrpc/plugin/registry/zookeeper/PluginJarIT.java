package io.microrpc.plugin.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.PackagedPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged plugin JAR, loaded by the kernel from a plugins folder in its own class loader. */
class PluginJarIT {

    @TempDir
    Path dir;

    private KernelSettings settings(String name, Path plugins, TestingServer server) {
        return KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .dataDir(dir.resolve(name))
                .extensionKey("registry.zookeeper.address", server.getConnectString())
                .extensionKey("registry.zookeeper.session-timeout", "4s")
                .build();
    }

    @Test
    void theShadedJarRegistersAndDiscoversFromAPluginsFolder() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "registry-zookeeper.jar");

        try (TestingServer server = ZkTesting.server();
                MicroRpc provider = MicroRpc.builder()
                        .settings(settings("p", plugins, server))
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc consumer = MicroRpc.builder()
                        .settings(settings("c", plugins, server))
                        .extension(new JavaTestSerializer())
                        .start()) {
            assertThat(consumer.admin().activeExtensions().get("registry")).contains("zookeeper");
            provider.export(EchoApi.class, new EchoImpl());
            EchoApi echo =
                    consumer.reference(EchoApi.class, ReferenceOptions.builder().build());

            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> echo.echo("via a plugin JAR").equals("via a plugin JAR"));
            assertThat(dir.resolve("c/plugins/registry-zookeeper/snapshots"))
                    .isDirectoryContaining("glob:**.providers");
        }
    }

    /**
     * With no address the JAR's embedded ZooKeeper server starts in the first kernel and the second joins
     * it: this runs ZooKeeper's server classes from the shaded JAR, which need libraries ZooKeeper itself
     * only declares as "provided" (metrics-core, snappy-java).
     */
    @Test
    void theShadedJarsEmbeddedServerServesASecondKernel() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "registry-zookeeper.jar");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        KernelSettings.Builder base = KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .extensionKey("registry.zookeeper.embedded-port", String.valueOf(port))
                .extensionKey("registry.zookeeper.session-timeout", "4s");
        try (MicroRpc provider = MicroRpc.builder()
                        .settings(base.dataDir(dir.resolve("ep")).build())
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc consumer = MicroRpc.builder()
                        .settings(base.dataDir(dir.resolve("ec")).build())
                        .extension(new JavaTestSerializer())
                        .start()) {
            assertThat(provider.plugins()).allMatch(r -> r.isStarted(), "the registry plugin started");
            provider.export(EchoApi.class, new EchoImpl());
            EchoApi echo =
                    consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
            await().atMost(Duration.ofSeconds(15))
                    .ignoreExceptions()
                    .until(() -> echo.echo("embedded").equals("embedded"));
        }
    }

    /**
     * The plugin JAR replaced in a running provider and consumer: the new version registers (taking the
     * node over) and subscribes before the old one is retired and unloaded, so the provider's node never
     * disappears, no call fails, and exactly one registration is left.
     */
    @Test
    void replacingTheJarAtRuntimeMovesRegistrationAndDiscoveryToTheNewVersionWithoutAGap() throws Exception {
        Path jar = PackagedPlugin.jar();
        Path providerPlugins = PackagedPlugin.copyInto(dir.resolve("provider-plugins"), "registry-zookeeper.jar");
        Path consumerPlugins = PackagedPlugin.copyInto(dir.resolve("consumer-plugins"), "registry-zookeeper.jar");
        Path newer = withPluginVersion(jar, "0.1.1", dir.resolve("registry-zookeeper-0.1.1.jar"));
        String providers = "/microrpc/" + EchoApi.class.getName() + "/providers";

        try (TestingServer server = ZkTesting.server();
                CuratorFramework admin = ZkTesting.client(server);
                MicroRpc provider = MicroRpc.builder()
                        .settings(watching(settings("p", providerPlugins, server)))
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc consumer = MicroRpc.builder()
                        .settings(watching(settings("c", consumerPlugins, server)))
                        .extension(new JavaTestSerializer())
                        .start()) {
            provider.export(EchoApi.class, new EchoImpl());
            String node = providers + "/127.0.0.1:" + provider.port();
            long firstOwner = admin.checkExists().forPath(node).getEphemeralOwner();
            EchoApi echo =
                    consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
            CallerLoad load = new CallerLoad(echo, 2).start();
            AtomicBoolean nodeMissing = new AtomicBoolean();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(
                    () -> {
                        while (watching.get()) {
                            try {
                                if (admin.checkExists().forPath(node) == null) {
                                    nodeMissing.set(true);
                                }
                            } catch (Exception e) {
                                nodeMissing.set(true);
                            }
                        }
                    },
                    "node-watcher");
            watcher.start();
            try {
                replace(newer, providerPlugins.resolve("registry-zookeeper.jar"));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> provider.admin()
                                        .activeExtensions()
                                        .get("registry")
                                        .contains("0.1.1")
                                && provider.generations().size() == 1);
                long secondOwner = admin.checkExists().forPath(node).getEphemeralOwner();
                assertThat(secondOwner)
                        .as("the new version's session owns the node")
                        .isNotEqualTo(firstOwner);

                replace(newer, consumerPlugins.resolve("registry-zookeeper.jar"));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> consumer.admin()
                                        .activeExtensions()
                                        .get("registry")
                                        .contains("0.1.1")
                                && consumer.generations().size() == 1);
                long before = load.calls();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > before + 100);
                assertThat(admin.checkExists().forPath(node).getEphemeralOwner())
                        .as("the old version's session ended without taking the node along")
                        .isEqualTo(secondOwner);
            } finally {
                watching.set(false);
                watcher.join(5_000);
                load.stop();
            }
            assertThat(load.failures()).as("failed calls during the swaps").isEmpty();
            assertThat(nodeMissing)
                    .as("the provider's node was missing at some moment")
                    .isFalse();
            assertThat(admin.getChildren().forPath(providers)).containsExactly("127.0.0.1:" + provider.port());
            assertThat(consumer.admin().discoveredProviders().get(EchoApi.class.getName()))
                    .hasSize(1);
        }
    }

    private static KernelSettings watching(KernelSettings s) {
        return s.toBuilder()
                .pluginsWatch(true)
                .pluginsWatchDebounce(Duration.ofMillis(100))
                .build();
    }

    /** Moves a copy of {@code jar} into place at once, as a deployment tool would. */
    private static void replace(Path jar, Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A copy of {@code jar} whose PF4J manifest says {@code version}: the "next release" of the plugin. */
    private static Path withPluginVersion(Path jar, String version, Path out) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Plugin-Version", version);
            try (JarOutputStream os = new JarOutputStream(Files.newOutputStream(out), manifest)) {
                for (JarEntry e : Collections.list(in.entries())) {
                    if (e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)
                            || e.getName().equalsIgnoreCase("META-INF/")) {
                        continue;
                    }
                    os.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(os);
                    }
                    os.closeEntry();
                }
            }
        }
        return out;
    }
}
