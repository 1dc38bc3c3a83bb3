package io.microrpc.kernel.internal.plugin;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.kernel.testplugins.BrokenStartCodec;
import io.microrpc.kernel.testplugins.PluginCodec;
import io.microrpc.kernel.testplugins.PluginProbe;
import io.microrpc.kernel.testplugins.TwinCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken JARs in the plugins folder, loaded through the real PF4J-based {@link PluginHost}: each is
 * reported with a state and a reason that names the problem, the kernel starts anyway, and a good
 * plugin in the same folder loads and serves calls (the server has no serializer but the plugin's).
 */
@ExtendWith(NettyLeakCheck.class)
class PluginReportsTest {

    private static final String GOOD = "good.jar";

    @TempDir
    Path dir;

    private Path plugins;
    private final List<MicroRpc> kernels = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        PluginProbe.reset();
        plugins = Files.createDirectories(dir.resolve("plugins"));
        plugin("good-codec").extension(PluginCodec.class).writeTo(plugins, GOOD);
    }

    @AfterEach
    void tearDown() {
        for (int i = kernels.size() - 1; i >= 0; i--) {
            kernels.get(i).close();
        }
    }

    /** Starts a server on the plugins folder; nothing but plugins gives it a serializer. */
    private MicroRpc startServer() {
        KernelSettings s = KernelSettings.builder()
                .serverPort(0)
                .callSerializer("plugin-java")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .dataDir(dir.resolve("server-data"))
                .build();
        MicroRpc server = MicroRpc.builder().settings(s).start();
        kernels.add(server);
        return server;
    }

    private static Map<String, PluginReport> byFile(MicroRpc rpc) {
        return rpc.plugins().stream().collect(Collectors.toMap(PluginReport::file, r -> r));
    }

    /** The good plugin loaded, and its serializer, from its own class loader, carries a real call. */
    private void assertGoodPluginServes(MicroRpc server) {
        PluginReport good = byFile(server).get(GOOD);
        assertThat(good).isNotNull();
        assertThat(good.state()).as("good.jar: %s", good).isEqualTo(PluginReport.State.STARTED);
        assertThat(good.extensions()).contains("serializer:plugin-java");

        server.export(EchoApi.class, new EchoImpl());
        MicroRpc client = MicroRpc.builder()
                .settings(KernelSettings.builder()
                        .callSerializer("plugin-java")
                        .pluginsDir(dir.resolve("none"))
                        .dataDir(dir.resolve("client-data"))
                        .build())
                .extension(new PluginCodec())
                .start();
        kernels.add(client);
        EchoApi echo = client.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(Duration.ofSeconds(5))
                        .build());

        assertThat(echo.echo("through the plugin")).isEqualTo("through the plugin");
        assertThat(PluginProbe.serializerLoaders())
                .as("class loaders of serializers that ran")
                .anySatisfy(loader -> assertThat(loader).isNotSameAs(PluginCodec.class.getClassLoader()));
    }

    private PluginReport reportOf(MicroRpc server, String file) {
        PluginReport r = byFile(server).get(file);
        assertThat(r).as("report of %s among %s", file, server.plugins()).isNotNull();
        return r;
    }

    @Test
    void corruptZipIsRefusedAsNotAReadableJar() throws Exception {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        Files.write(plugins.resolve("x.jar"), random);

        MicroRpc server = startServer();

        PluginReport r = reportOf(server, "x.jar");
        assertThat(r.state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(r.reason()).contains("not a valid JAR");
        assertThat(r.pluginId()).isNull();
        assertGoodPluginServes(server);
    }

    @Test
    void jarWithoutPluginIdIsRefusedNamingTheManifestAttribute() throws Exception {
        plugin(null).extension(TwinCodec.class).writeTo(plugins, "no-id.jar");

        MicroRpc server = startServer();

        PluginReport r = reportOf(server, "no-id.jar");
        assertThat(r.state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(r.reason()).contains("Plugin-Id").contains("MANIFEST.MF");
        assertThat(server.extensions().get("serializer")).noneMatch(s -> s.startsWith("twin"));
        assertGoodPluginServes(server);
    }

    @Test
    void pluginRequiringANewerKernelIsRefusedNamingBothVersions() throws Exception {
        plugin("from-the-future")
                .requires(">=99.0.0")
                .extension(TwinCodec.class)
                .writeTo(plugins, "future.jar");

        MicroRpc server = startServer();

        PluginReport r = reportOf(server, "future.jar");
        assertThat(r.state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(r.pluginId()).isEqualTo("from-the-future");
        assertThat(r.reason()).contains(">=99.0.0").contains(MicroRpc.version());
        assertThat(server.extensions().get("serializer")).noneMatch(s -> s.startsWith("twin"));
        assertGoodPluginServes(server);
    }

    @Test
    void extensionThrowingOnStartIsReportedFailedWithItsError() throws Exception {
        plugin("broken-codec").extension(BrokenStartCodec.class).writeTo(plugins, "broken.jar");

        MicroRpc server = startServer();

        PluginReport r = reportOf(server, "broken.jar");
        assertThat(r.state()).isEqualTo(PluginReport.State.FAILED);
        assertThat(r.pluginId()).isEqualTo("broken-codec");
        assertThat(r.reason()).contains("failed to start").contains(BrokenStartCodec.FAILURE);
        assertThat(server.extensions().get("serializer")).noneMatch(s -> s.startsWith("broken"));
        assertGoodPluginServes(server);
    }

    @Test
    void twoJarsWithTheSamePluginIdAndVersionStartOneAndRefuseTheOther() throws Exception {
        plugin("twin").version("1.0.0").extension(TwinCodec.class).writeTo(plugins, "twin-a.jar");
        plugin("twin")
                .version("1.0.0")
                .extension(TwinCodec.class)
                .resource("note.txt", "the other copy")
                .writeTo(plugins, "twin-b.jar");

        MicroRpc server = startServer();

        PluginReport a = reportOf(server, "twin-a.jar");
        PluginReport b = reportOf(server, "twin-b.jar");
        List<PluginReport> twins = List.of(a, b);
        assertThat(twins).filteredOn(PluginReport::isStarted).hasSize(1);
        PluginReport started = a.isStarted() ? a : b;
        PluginReport refused = a.isStarted() ? b : a;
        assertThat(refused.state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(refused.reason()).contains("same plugin id 'twin'").contains(started.file());
        assertThat(server.extensions().get("serializer"))
                .filteredOn(s -> s.startsWith("twin"))
                .hasSize(1);
        assertGoodPluginServes(server);
    }

    @Test
    void jarWithoutExtensionsIsRefusedSayingHowToDeclareThem() throws Exception {
        plugin("empty").writeTo(plugins, "empty.jar");

        MicroRpc server = startServer();

        PluginReport r = reportOf(server, "empty.jar");
        assertThat(r.state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(r.reason()).contains("no microrpc extension found").contains("extensions.idx");
        assertGoodPluginServes(server);
    }

    @Test
    void temporaryAndHiddenFilesAreIgnored() throws Exception {
        byte[] validPlugin = plugin("twin").extension(TwinCodec.class).bytes();
        Files.write(plugins.resolve("foo.jar.tmp"), validPlugin);
        Files.write(plugins.resolve(".hidden.jar"), validPlugin);

        MicroRpc server = startServer();

        assertThat(byFile(server).keySet()).containsExactly(GOOD);
        assertThat(server.extensions().get("serializer")).noneMatch(s -> s.startsWith("twin"));
        assertGoodPluginServes(server);
    }

    @Test
    void everyBrokenJarTogetherIsReportedAndTheGoodOneStillServes() throws Exception {
        byte[] random = new byte[1000];
        new Random(7).nextBytes(random);
        Files.write(plugins.resolve("x.jar"), random);
        plugin(null).extension(TwinCodec.class).writeTo(plugins, "no-id.jar");
        plugin("from-the-future")
                .requires(">=99.0.0")
                .extension(TwinCodec.class)
                .writeTo(plugins, "future.jar");
        plugin("broken-codec").extension(BrokenStartCodec.class).writeTo(plugins, "broken.jar");
        plugin("empty").writeTo(plugins, "empty.jar");
        Files.write(plugins.resolve("foo.jar.tmp"), random);

        MicroRpc server = startServer();

        Map<String, PluginReport.State> states =
                server.plugins().stream().collect(Collectors.toMap(PluginReport::file, PluginReport::state));
        assertThat(states)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "x.jar",
                        PluginReport.State.REFUSED,
                        "no-id.jar",
                        PluginReport.State.REFUSED,
                        "future.jar",
                        PluginReport.State.REFUSED,
                        "broken.jar",
                        PluginReport.State.FAILED,
                        "empty.jar",
                        PluginReport.State.REFUSED,
                        GOOD,
                        PluginReport.State.STARTED));
        assertThat(server.plugins())
                .filteredOn(r -> !r.isStarted())
                .allSatisfy(r -> assertThat(r.reason()).isNotBlank());
        assertGoodPluginServes(server);
    }
}
