package io.microrpc.kernel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The plugin JAR a module's build packaged, for its integration tests: the plugins parent POM runs them
 * after packaging and passes the JAR's path as {@code microrpc.plugin.jar}.
 */
public final class PackagedPlugin {

    private static final String PROPERTY = "microrpc.plugin.jar";

    private PackagedPlugin() {}

    /** The packaged JAR. */
    public static Path jar() {
        String path = System.getProperty(PROPERTY);
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException(PROPERTY + ": '" + path + "' (expected: the packaged plugin JAR; run the "
                    + "test with mvn verify, whose failsafe plugin packages the JAR first and sets the property)");
        }
        return Path.of(path);
    }

    /** Copies the packaged JAR into {@code pluginsDir} (created if missing) as {@code fileName}; returns the folder. */
    public static Path copyInto(Path pluginsDir, String fileName) throws IOException {
        Files.createDirectories(pluginsDir);
        Files.copy(jar(), pluginsDir.resolve(fileName));
        return pluginsDir;
    }
}
