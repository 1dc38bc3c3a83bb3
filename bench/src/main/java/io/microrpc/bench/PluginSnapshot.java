package io.microrpc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies plugin JARs into a temporary folder, so that a run sees one fixed set: a plugin rebuilt in the
 * source tree meanwhile changes nothing, and plugins that have nothing to do with the benchmark (a
 * filter would run on every call) stay out unless asked for.
 */
final class PluginSnapshot {

    /** What the benchmark needs: the codec both sides use and the services the server exports. */
    static final List<String> REQUIRED = List.of("codec-protostuff-", "service-demo-");

    private PluginSnapshot() {}

    /**
     * A new temporary folder with the {@link #REQUIRED} JARs of {@code pluginsDir}, or with all of its
     * JARs when {@code all}; delete it with {@link TempDirs#delete}.
     */
    static Path copy(Path pluginsDir, boolean all) throws IOException {
        Path snapshot = Files.createTempDirectory("microrpc-bench-plugins-");
        try (Stream<Path> files = Files.list(pluginsDir)) {
            for (Path jar : (Iterable<Path>) files.filter(f -> isPlugin(f, all))::iterator) {
                Files.copy(jar, snapshot.resolve(jar.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        } catch (IOException | RuntimeException e) {
            TempDirs.delete(snapshot);
            throw e;
        }
        return snapshot;
    }

    /** True when {@code dir} holds a JAR of each {@link #REQUIRED} plugin. */
    static boolean hasRequired(Path dir) {
        return REQUIRED.stream().allMatch(prefix -> hasJar(dir, prefix));
    }

    private static boolean hasJar(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(prefix)
                    && f.toString().endsWith(".jar"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isPlugin(Path file, boolean all) {
        String name = file.getFileName().toString();
        return name.endsWith(".jar") && (all || REQUIRED.stream().anyMatch(name::startsWith));
    }
}
