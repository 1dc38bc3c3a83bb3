package io.microrpc.kernel.launcher;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * Options every launcher command shares: where the configuration file and the plugins folder are.
 * Relative paths in the configuration ({@code plugins.dir}, {@code data.dir}, {@code plugins.allow},
 * {@code admin.token-file}, {@code tls.cert}, {@code tls.key}, {@code tls.trust}) resolve against the
 * installation directory, so {@code bin/microrpc} works from any working directory.
 */
public final class LauncherOptions {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Configuration file (default: $MICRORPC_HOME/conf/microrpc.properties).")
    Path config;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "Plugins folder (overrides plugins.dir).")
    Path pluginsDir;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Server port (overrides server.port; 0 = any free port).")
    Integer port;

    /** The installation directory: the system property microrpc.home, else the working directory. */
    public static Path home() {
        String home = System.getProperty("microrpc.home");
        return home == null ? Path.of("").toAbsolutePath() : Path.of(home).toAbsolutePath();
    }

    /** The admin endpoint of a running kernel: {@code override}, else admin.host:admin.port (7421 if off). */
    public String adminAddress(String override) {
        if (override != null) {
            return override;
        }
        KernelSettings s = settings();
        return s.adminHost() + ':' + (s.adminPort() > 0 ? s.adminPort() : 7421);
    }

    /** The configuration file in use: {@code --config}, else {@code conf/microrpc.properties} if it exists; else null. */
    public Path configFile() {
        Path file = config != null ? config : home().resolve("conf").resolve("microrpc.properties");
        return Files.isRegularFile(file) ? file : null;
    }

    /**
     * A kernel builder starting from the configuration file (watched for edits of live keys) when there
     * is one, else from the defaults; the command-line overrides apply either way, also on every reload.
     */
    public MicroRpc.Builder kernel() {
        return kernel(UnaryOperator.identity());
    }

    /**
     * {@link #kernel()} with a command's own {@code overrides} applied after the command-line ones, at
     * start and on every reload (the demo's loopback ports, for one).
     */
    public MicroRpc.Builder kernel(UnaryOperator<KernelSettings> overrides) {
        Path file = configFile();
        return file == null
                ? MicroRpc.builder().settings(overrides.apply(settings()))
                : MicroRpc.builder().configFile(file, () -> overrides.apply(settings()));
    }

    /** Reads the configuration file (if any) and applies the command-line overrides. */
    public KernelSettings settings() {
        Path home = home();
        Path file = config != null ? config : home.resolve("conf").resolve("microrpc.properties");
        KernelSettings base;
        if (Files.isRegularFile(file)) {
            base = KernelSettings.load(file);
        } else if (config != null) {
            throw new IllegalArgumentException("--config " + config + ": no such file");
        } else {
            base = KernelSettings.defaults();
        }
        KernelSettings.Builder b = base.toBuilder()
                .pluginsDir(home.resolve(base.pluginsDir()))
                .dataDir(home.resolve(base.dataDir()))
                .pluginsAllow(resolveFile(home, base.pluginsAllow()))
                .adminTokenFile(resolveFile(home, base.adminTokenFile()))
                .tlsCert(resolveFile(home, base.tlsCert()))
                .tlsKey(resolveFile(home, base.tlsKey()))
                .tlsTrust(resolveFile(home, base.tlsTrust()));
        if (pluginsDir != null) {
            b.pluginsDir(pluginsDir.toAbsolutePath());
        }
        if (port != null) {
            b.serverPort(port);
        }
        return b.build();
    }

    /** {@code path} against the installation folder, like the folders; an empty path (not set) stays empty. */
    private static Path resolveFile(Path home, Path path) {
        return path.toString().isEmpty() ? path : home.resolve(path);
    }
}
