package io.microrpc.kernel.internal.plugin;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.KernelEvent;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.PluginJarBuilder;
import io.microrpc.kernel.testplugins.EchoServicePlugin;
import io.microrpc.kernel.testplugins.MisbehavingFilter;
import io.microrpc.kernel.testplugins.MisbehavingPlugin;
import io.microrpc.kernel.testplugins.Misbehaviour;
import io.microrpc.kernel.testplugins.PluginCodec;
import io.microrpc.kernel.testplugins.TwinCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Plugins whose {@code start()} misbehaves, as real plugin JARs loaded through the real plugin host: one
 * that throws an {@code Error}, or never returns, is reported {@code FAILED} with the reason (and an
 * operator event), and the kernel, the other plugins and later changes of the folder carry on. The cases
 * that end the process (SIGTERM while a start hangs, {@code System.exit} from a start) run in a child
 * JVM: {@code launcher.ServeWithMisbehavingPluginsTest}.
 */
class MisbehavingStartTest {

    /** How long a test may take to close a kernel: its stop must not wait for a hanging start. */
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private Path plugins;
    private final List<MicroRpc> kernels = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Misbehaviour.Journal.reset();
        plugins = Files.createDirectories(dir.resolve("plugins"));
    }

    @AfterEach
    void tearDown() {
        assertTimeoutPreemptively(CLOSE_BOUND, () -> kernels.forEach(MicroRpc::close));
    }

    private static PluginJarBuilder misbehaving(String id, String what) {
        return plugin(id).extension(MisbehavingFilter.class).resource(Misbehaviour.RESOURCE, what);
    }

    private KernelSettings.Builder settings(Duration startTimeout) {
        return KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .pluginsDir(plugins)
                .dataDir(dir.resolve("data"))
                .pluginsStartTimeout(startTimeout)
                .pluginsWatchDebounce(Duration.ofMillis(100))
                .pluginsReplaceGrace(Duration.ofMillis(200));
    }

    private MicroRpc start(KernelSettings s) {
        MicroRpc rpc = MicroRpc.builder().settings(s).start();
        kernels.add(rpc);
        return rpc;
    }

    private static PluginReport report(MicroRpc rpc, String file) {
        return rpc.plugins().stream()
                .filter(r -> r.file().equals(file))
                .findFirst()
                .orElse(null);
    }

    /** Whether {@code file} has a report other than STARTING: it started, failed or was refused. */
    private static boolean settled(MicroRpc rpc, String file) {
        PluginReport r = report(rpc, file);
        return r != null && r.state() != PluginReport.State.STARTING;
    }

    private static List<String> events(MicroRpc rpc) {
        return rpc.events(0).stream().map(KernelEvent::text).toList();
    }

    @ParameterizedTest(name = "{0} in the {1}")
    @CsvSource({
        "error:oom,            extension, java.lang.OutOfMemoryError: " + Misbehaviour.OOM,
        "error:stack-overflow, extension, java.lang.StackOverflowError",
        "error:linkage,        extension, java.lang.NoClassDefFoundError: com/acme/missing/Helper",
        "error:oom,            Plugin class, java.lang.OutOfMemoryError: " + Misbehaviour.OOM,
    })
    void anErrorThrownByStartAtKernelStartFailsThatPluginOnly(String what, String where, String expected)
            throws Exception {
        PluginJarBuilder bad = where.equals("extension")
                ? misbehaving("bad", what)
                : plugin("bad")
                        .pluginClass(MisbehavingPlugin.class)
                        .extension(TwinCodec.class)
                        .resource(Misbehaviour.RESOURCE, what);
        bad.writeTo(plugins, "bad.jar");
        plugin("good-codec").extension(PluginCodec.class).writeTo(plugins, "good.jar");

        MicroRpc rpc = start(settings(Duration.ofSeconds(10)).build());

        PluginReport r = report(rpc, "bad.jar");
        assertThat(r.state()).isEqualTo(PluginReport.State.FAILED);
        assertThat(r.reason())
                .contains(
                        where.equals("extension") ? "an extension failed to start" : "its Plugin class failed to start")
                .contains(expected);
        assertThat(events(rpc))
                .anySatisfy(e -> assertThat(e).startsWith("bad.jar failed: ").contains(expected));
        assertThat(report(rpc, "good.jar").state()).isEqualTo(PluginReport.State.STARTED);
        assertThat(rpc.extensions().get("serializer"))
                .anySatisfy(s -> assertThat(s).startsWith("plugin-java"));
        assertThat(rpc.extensions().get("filter")).isEmpty();
        assertThat(rpc.generations()).singleElement().asString().startsWith("good-codec");
    }

    /**
     * Before: the {@code Error} escaped the reconcile, nothing was logged, and every later change was
     * abandoned (a removed service plugin's service stayed exported) until the bad JAR went.
     */
    @Test
    void anErrorThrownByStartAtRuntimeFailsThatPluginAndLaterChangesStillApply() throws Exception {
        plugin("echo-service").extension(EchoServicePlugin.class).writeTo(plugins, "echo.jar");
        MicroRpc rpc = start(settings(Duration.ofSeconds(10)).build());
        assertThat(rpc.exportedServices()).containsExactly(EchoApi.class.getName());

        misbehaving("bad", "error:oom").writeTo(plugins, "bad.jar");
        await().atMost(Duration.ofSeconds(10)).until(() -> settled(rpc, "bad.jar"));
        assertThat(report(rpc, "bad.jar").state()).isEqualTo(PluginReport.State.FAILED);
        assertThat(report(rpc, "bad.jar").reason()).contains("java.lang.OutOfMemoryError: " + Misbehaviour.OOM);
        assertThat(events(rpc))
                .anySatisfy(e -> assertThat(e).startsWith("bad.jar failed: ").contains("OutOfMemoryError"));

        Files.delete(plugins.resolve("echo.jar"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> rpc.exportedServices().isEmpty());
        plugin("twin").extension(TwinCodec.class).writeTo(plugins, "twin.jar");
        await().atMost(Duration.ofSeconds(10)).until(() -> settled(rpc, "twin.jar"));
        assertThat(report(rpc, "twin.jar").state()).isEqualTo(PluginReport.State.STARTED);
        assertThat(Misbehaviour.Journal.starts())
                .as("the bad JAR is not started again")
                .containsExactly("error:oom");
    }

    @Test
    void aStartThatNeverReturnsAtKernelStartFailsAfterTheTimeoutAndTheOtherPluginsLoad() throws Exception {
        // "a-" sorts first: the plugin after it must still load.
        misbehaving("hang", "hang").writeTo(plugins, "a-hang.jar");
        plugin("good-codec").extension(PluginCodec.class).writeTo(plugins, "good.jar");

        MicroRpc rpc = start(settings(Duration.ofSeconds(1)).build());

        PluginReport r = report(rpc, "a-hang.jar");
        assertThat(r.state()).isEqualTo(PluginReport.State.FAILED);
        assertThat(r.reason())
                .contains("did not finish starting within plugins.start-timeout 1s")
                .contains("stuck at " + Misbehaviour.class.getName() + ".hang(")
                .contains("its thread microrpc-plugin-start-hang#")
                .contains("is abandoned");
        assertThat(report(rpc, "good.jar").state()).isEqualTo(PluginReport.State.STARTED);
        assertThat(events(rpc)).anySatisfy(e -> assertThat(e).startsWith("a-hang.jar failed: did not finish starting"));

        Thread stuck = Misbehaviour.Journal.threads().get(0);
        assertThat(stuck.getName()).startsWith("microrpc-plugin-start-hang#");
        assertThat(stuck.isDaemon())
                .as("a daemon thread: it cannot keep the process alive")
                .isTrue();
        assertThat(stuck.isAlive()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> Misbehaviour.Journal.interrupts() > 0);

        // Its class loader is not reused: the same content is not started again.
        rpc.reloadPlugins();
        assertThat(Misbehaviour.Journal.starts()).containsExactly("hang");
    }

    /**
     * Before: the single plugin thread was stuck for good; later plugins never loaded, {@code POST /reload}
     * and with it the admin endpoint blocked forever.
     */
    /** A start that takes long shows in the status while it runs, not only once it failed. */
    @Test
    void aStartInProgressShowsAsStarting() throws Exception {
        MicroRpc rpc = start(settings(Duration.ofSeconds(30)).build());

        misbehaving("hang", "hang").writeTo(plugins, "hang.jar");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Misbehaviour.Journal.starts().contains("hang"));
        PluginReport r = report(rpc, "hang.jar");
        assertThat(r.state()).isEqualTo(PluginReport.State.STARTING);
        assertThat(r.reason()).startsWith("start() running since ").endsWith("at most plugins.start-timeout 30s");
    }

    @Test
    void aStartThatNeverReturnsAtRuntimeBlocksNeitherStatusNorLaterPluginsNorReload() throws Exception {
        MicroRpc rpc = start(settings(Duration.ofSeconds(2)).build());

        misbehaving("hang", "hang").writeTo(plugins, "hang.jar");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Misbehaviour.Journal.starts().contains("hang"));
        // While it hangs: the status answers at once (GET /plugins, microrpc status read these) ...
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            rpc.plugins();
            rpc.generations();
            rpc.admin().activeExtensions();
        });
        // ... a reload answers once the stuck start timed out, and a plugin put in meanwhile loads.
        plugin("twin").extension(TwinCodec.class).writeTo(plugins, "twin.jar");
        assertTimeoutPreemptively(Duration.ofSeconds(10), rpc::reloadPlugins);
        assertThat(report(rpc, "hang.jar").state()).isEqualTo(PluginReport.State.FAILED);
        assertThat(report(rpc, "hang.jar").reason()).contains("plugins.start-timeout 2s");
        await().atMost(Duration.ofSeconds(10)).until(() -> settled(rpc, "twin.jar"));
        assertThat(report(rpc, "twin.jar").state()).isEqualTo(PluginReport.State.STARTED);

        // And later changes of the folder keep being applied.
        Files.delete(plugins.resolve("twin.jar"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> rpc.extensions().get("serializer").isEmpty());
        assertThat(Misbehaviour.Journal.starts()).containsExactly("hang");
    }

    @Test
    void aStartThatReturnsAfterTheTimeoutStaysFailedAndWhatItStartedIsStopped() throws Exception {
        misbehaving("slow", "slow:1500").writeTo(plugins, "slow.jar");

        MicroRpc rpc = start(settings(Duration.ofMillis(500)).build());

        assertThat(report(rpc, "slow.jar").state()).isEqualTo(PluginReport.State.FAILED);
        assertThat(report(rpc, "slow.jar").reason())
                .contains("did not finish starting within plugins.start-timeout 500ms");
        await().atMost(Duration.ofSeconds(10)).until(() -> Misbehaviour.Journal.stops() == 1);
        assertThat(Misbehaviour.Journal.interrupts())
                .as("its thread was interrupted at the timeout")
                .isPositive();
        assertThat(rpc.extensions().get("filter")).isEmpty();
        assertThat(report(rpc, "slow.jar").state()).isEqualTo(PluginReport.State.FAILED);
    }

    @Test
    void closingWhileAStartHangsAbandonsItAndStopsTheOtherPlugins() throws Exception {
        plugin("twin").extension(TwinCodec.class).writeTo(plugins, "twin.jar");
        MicroRpc rpc = start(settings(Duration.ofMinutes(5)).build());

        misbehaving("hang", "hang").writeTo(plugins, "hang.jar");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Misbehaviour.Journal.starts().contains("hang"));

        assertTimeoutPreemptively(CLOSE_BOUND, rpc::close);
        assertThat(rpc.generations()).isEmpty();
        assertThat(report(rpc, "hang.jar").reason())
                .contains("start abandoned")
                .contains("the kernel is shutting down");
    }

    @ParameterizedTest
    @CsvSource({
        "then:hang, did not start with the new keys within plugins.start-timeout 1s",
        "then:error:oom, java.lang.OutOfMemoryError: " + Misbehaviour.OOM
    })
    void aRestartWithNewKeysThatHangsOrThrowsAnErrorIsRefusedAndTheOldInstanceStays(String what, String expected)
            throws Exception {
        misbehaving("flaky", what).writeTo(plugins, "flaky.jar");
        MicroRpc rpc = start(settings(Duration.ofSeconds(1)).build());
        assertThat(rpc.extensions().get("filter")).singleElement().asString().startsWith("misbehaving");

        KernelSettings edited = rpc.settings().toBuilder()
                .extensionKey("filter.misbehaving.mode", "other")
                .build();

        assertThatThrownBy(() -> rpc.reconfigure(edited))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected);
        assertThat(rpc.extensions().get("filter")).singleElement().asString().startsWith("misbehaving");
        assertThat(events(rpc))
                .anySatisfy(
                        e -> assertThat(e).startsWith("configuration refused: ").contains(expected));
        assertThat(report(rpc, "flaky.jar").state()).isEqualTo(PluginReport.State.STARTED);
    }
}
