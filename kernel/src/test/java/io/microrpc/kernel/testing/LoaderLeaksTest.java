package io.microrpc.kernel.testing;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.io.IOException;
import java.lang.ref.SoftReference;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.Extension;

/**
 * {@link LoaderLeaks} finds a real leak: a plugin whose extension stores itself in a static field of a
 * class outside the plugin (here, this test class) is unloaded by a running kernel, and the check fails
 * naming that field; once the field is cleared, the same loader is collected and the check passes.
 */
public class LoaderLeaksTest {

    /** Where the leaky plugin leaves itself: on the test class path, outside the plugin (public: another loader reads it). */
    public static final List<Object> KEPT = new CopyOnWriteArrayList<>();

    public static volatile WeakReference<ClassLoader> leakyLoader;

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        KEPT.clear();
        leakyLoader = null;
    }

    /** Packaged into the plugin JAR; keeps itself reachable from {@link #KEPT} when started. */
    @Extension
    public static final class LeakyBalancer implements LoadBalancer {

        @Override
        public String name() {
            return "leaky";
        }

        @Override
        public void start(PluginContext context) {
            KEPT.add(this);
            leakyLoader = new WeakReference<>(getClass().getClassLoader());
        }

        @Override
        public Selector newSelector(String service, List<Endpoint> all, Selector previous) {
            return (context, invocation, excluded) -> {
                List<Endpoint> candidates = excluded.isEmpty()
                        ? all
                        : all.stream().filter(e -> !excluded.contains(e)).toList();
                return candidates.get(0);
            };
        }
    }

    @Test
    void aPluginObjectInAStaticFieldFailsTheCheckNamingTheField() throws Exception {
        Path pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        plugin("lb-leaky").extension(LeakyBalancer.class).writeTo(pluginsDir, "lb-leaky.jar");
        KernelSettings s = KernelSettings.builder()
                .pluginsDir(pluginsDir)
                .dataDir(dir.resolve("data"))
                .pluginsWatchDebounce(Duration.ofMillis(50))
                .build();
        try (MicroRpc kernel = MicroRpc.builder().settings(s).start()) {
            assertThat(leakyLoader).as("the leaky plugin started").isNotNull();
            Files.delete(pluginsDir.resolve("lb-leaky.jar"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> kernel.generations().isEmpty());
        }
        WeakReference<ClassLoader> loader = leakyLoader;

        assertThatThrownBy(() ->
                        LoaderLeaks.assertCollected("class loader of lb-leaky 1.0.0", loader, Duration.ofSeconds(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("class loader of lb-leaky 1.0.0 still reachable")
                .hasMessageContaining("GC root: ")
                .hasMessageContaining("class " + LoaderLeaksTest.class.getName()
                        + "\n    static KEPT -> java.util.concurrent.CopyOnWriteArrayList")
                .hasMessageContaining("-> " + LeakyBalancer.class.getName() + "@")
                .hasMessageContaining("(its class) -> class " + LeakyBalancer.class.getName())
                .hasMessageContaining("(defining loader) -> org.pf4j.")
                .satisfies(e -> deleteDumpNamedIn(e.getMessage()));

        KEPT.clear();
        LoaderLeaks.assertCollected("class loader of lb-leaky 1.0.0", loader, Duration.ofSeconds(10));
        assertThat(loader.get()).isNull();
    }

    /** Held in a soft reference only: {@code System.gc()} leaves it, and the path says why. */
    @SuppressWarnings("UnusedVariable") // the reference the heap dump must find
    private static SoftReference<Object> softlyHeld;

    @Test
    void anObjectHeldOnlyThroughASoftReferenceIsReportedSo() throws Exception {
        WeakReference<Object> weak = holdSoftly();
        LoaderLeaks.Retention retention = LoaderLeaks.retention(weak, "softly-held");
        softlyHeld = null;
        assertThat(retention.inHeap()).isTrue();
        String path = retention.toString();
        assertThat(path)
                .contains("only softly reachable")
                .contains("static softlyHeld -> java.lang.ref.SoftReference@")
                .contains(".referent (soft) -> " + Marker.class.getName() + "@");
        deleteDumpNamedIn(path);
    }

    private static final class Marker {}

    private static WeakReference<Object> holdSoftly() {
        Marker m = new Marker();
        softlyHeld = new SoftReference<>(m);
        return new WeakReference<>(m);
    }

    /** The dump is for a person looking into a real leak; this one was expected. */
    private static void deleteDumpNamedIn(String message) throws IOException {
        Matcher m = Pattern.compile("heap dump (\\S+\\.hprof)").matcher(message);
        assertThat(m.find()).as("the message names the heap dump: %s", message).isTrue();
        Files.delete(Path.of(m.group(1)));
    }
}
