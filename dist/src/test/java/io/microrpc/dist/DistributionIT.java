package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged distribution as a user would: {@code bin/microrpc} in a separate process, on the
 * real plugin JARs of its {@code plugins/} folder.
 */
class DistributionIT {

    private static final Path DIST = Path.of(System.getProperty("microrpc.dist.dir", "target/microrpc"));

    @TempDir
    Path tmp;

    @Test
    void layoutHasLauncherLibConfAndDefaultPlugins() throws IOException {
        assertThat(DIST.resolve("bin/microrpc")).isExecutable();
        assertThat(DIST.resolve("conf/microrpc.properties")).isRegularFile();
        try (Stream<Path> plugins = Files.list(DIST.resolve("plugins"))) {
            assertThat(plugins.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("plugin-codec-protostuff"))
                    .anyMatch(n -> n.startsWith("plugin-service-demo"))
                    .anyMatch(n -> n.startsWith("plugin-registry-zookeeper"))
                    .anyMatch(n -> n.startsWith("plugin-cluster-failover"))
                    .anyMatch(n -> n.startsWith("plugin-filter-ratelimit"))
                    .as("the auth filter refuses every call until configured: not active by default")
                    .noneMatch(n -> n.startsWith("plugin-filter-auth"));
        }
        try (Stream<Path> available = Files.list(DIST.resolve("plugins-available"))) {
            assertThat(available.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("plugin-filter-auth"));
        }
        assertThat(DIST.resolveSibling("microrpc.tar.gz")).isRegularFile();
    }

    @Test
    void theArchiveUnpacksIntoOneVersionedFolderThatRuns() throws Exception {
        String folder = "microrpc-" + System.getProperty("microrpc.version");
        Path archive = DIST.resolveSibling("microrpc.tar.gz");
        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        Process tar = new ProcessBuilder("tar", "xzf", archive.toAbsolutePath().toString())
                .directory(unpacked.toFile())
                .inheritIO()
                .start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            assertThat(top.map(p -> p.getFileName().toString()))
                    .as("nothing scattered beside it")
                    .containsExactly(folder);
        }
        Result r = run(unpacked.resolve(folder), 60, "plugins");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.out())
                .contains(unpacked.resolve(folder).resolve("plugins").toString())
                .contains("service-demo");
    }

    @Test
    void demoRunsWithZeroErrors() throws Exception {
        Result r = run(DIST, 120, "demo", "--seconds", "3", "--concurrency", "4");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("t=")))
                .as("one line per second of the run")
                .hasSize(3)
                .allMatch(l -> l.matches(
                        "t=\\ds calls=\\d+ errors=0 .* spread \\d+=\\d+% \\d+=\\d+% \\d+\\(slow\\)=\\d+% active: .*"));
        assertThat(r.out())
                .contains("demo: 3 providers on 127.0.0.1:")
                .containsPattern("\ncalls=[1-9]\\d* errors=0 throughput=\\d+/s p50=\\d+us p99=\\d+us\n");
        assertThat(r.output()).contains("UserNotFoundException");
        assertThat(r.output())
                .as("the demo uses direct addresses: no registry, no ZooKeeper")
                .doesNotContain("ZooKeeper server")
                .doesNotContain("Registered ");
    }

    @Test
    void demoRunsOverMutualTlsWithCertificatesMadeForTheRun() throws Exception {
        Path copy = copyDistribution();
        Result r = run(copy, 120, "demo", "--tls", "--seconds", "3", "--concurrency", "4");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.out())
                .containsPattern("demo: TLS, (OpenSSL|JDK).*, mutual: a CA made for this run")
                .contains("demo: the providers saw the caller, by its certificate, as CN=microrpc-client")
                .containsPattern("\ncalls=[1-9]\\d* errors=0 throughput=\\d+/s p50=\\d+us p99=\\d+us\n");
        assertThat(r.err()).doesNotContain("TLS material not reloaded").doesNotContain("handshake");
        try (Stream<Path> left = Files.list(copy.resolve("data/demo"))) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("the run's certificates are deleted")
                    .noneMatch(n -> n.startsWith("tls-"));
        }
    }

    @Test
    void tlsInitWritesADevelopmentSetThatTheKernelLoads() throws Exception {
        Path certs = tmp.resolve("certs");
        Result r = run(DIST, 60, "tls-init", certs.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.out()).contains("tls.enabled=true").contains("tls.client-auth=require");
        for (String f : List.of("ca.pem", "server-cert.pem", "server-key.pem", "client-cert.pem", "client-key.pem")) {
            assertThat(certs.resolve(f)).isRegularFile();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("server-key.pem"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("client-key.pem"))))
                .isEqualTo("rw-------");

        Result again = run(DIST, 60, "tls-init", certs.toString());
        assertThat(again.exit()).isNotZero();
        assertThat(again.output()).contains("exists").contains("nothing was overwritten");
    }

    @Test
    void pluginsListsDefaultPluginsAndReportsBrokenJars() throws Exception {
        Path copy = copyDistribution();
        Files.write(copy.resolve("plugins/broken.jar"), new byte[] {1, 2, 3, 4});
        Result r = run(copy, 60, "plugins", "--verbose"); // --verbose: the log would say if a server started
        assertThat(r.output())
                .contains("codec-protostuff")
                .contains("serializer:protostuff")
                .contains("service-demo")
                .contains("broken.jar")
                .contains("not a valid JAR")
                .contains("registry-zookeeper")
                .contains("registry:zookeeper");
        assertThat(r.output())
                .as("listing plugins starts no ZooKeeper server")
                .doesNotContain("Started an embedded ZooKeeper");
        assertThat(copy.resolve("data/plugins/registry-zookeeper/zookeeper")).doesNotExist();
        assertThat(r.exit()).as("a refused JAR makes `plugins` exit non-zero").isEqualTo(1);
    }

    @Test
    void pluginsPrintsTheListingAndLogsHowPluginsLoadOnlyWhenAsked() throws Exception {
        Path copy = copyDistribution();
        Result quiet = run(copy, 60, "plugins");
        assertThat(quiet.exit()).as(quiet.output()).isZero();
        assertThat(quiet.out()).startsWith("Plugins folder: ").contains("service-demo");
        assertThat(quiet.err()).as("no INFO lines around the listing").isEmpty();

        Result verbose = run(copy, 60, "plugins", "--verbose");
        assertThat(verbose.out()).isEqualTo(quiet.out());
        assertThat(verbose.err())
                .contains("INFO io.microrpc.kernel.internal.plugin.PluginHost - Plugin plugin-service-demo");

        Result explicit = run(copy, Map.of("MICRORPC_LOG_LEVEL", "info"), 60, "plugins");
        assertThat(explicit.err())
                .as("MICRORPC_LOG_LEVEL wins")
                .contains("INFO io.microrpc.kernel.internal.plugin.PluginHost");
    }

    @Test
    void pluginsPinsPrintsWhatSha256sumPrintsAndItsOutputLocksTheFolder() throws Exception {
        Path copy = copyDistribution();
        Result pins = run(copy, 60, "plugins", "--pins");
        assertThat(pins.exit()).as(pins.output()).isZero();
        List<String> lines = pins.out().lines().filter(l -> !l.startsWith("#")).toList();
        List<Path> jars;
        try (Stream<Path> files = Files.list(copy.resolve("plugins"))) {
            jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        }
        assertThat(lines).hasSameSizeAs(jars);
        for (int i = 0; i < jars.size(); i++) {
            String sha256 = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jars.get(i))));
            assertThat(lines.get(i))
                    .as(
                            "the line of %s carries the hash sha256sum prints",
                            jars.get(i).getFileName())
                    .matches("[a-z0-9-]+ \\S+ " + sha256 + "  # " + jars.get(i).getFileName());
        }

        // plugins --pins > conf/plugins.allow, and plugins.allow set (relative to the installation).
        Files.writeString(copy.resolve("conf/plugins.allow"), pins.out());
        Path config = copy.resolve("conf/microrpc.properties");
        Files.writeString(
                config, Files.readString(config).replace("\nplugins.allow=\n", "\nplugins.allow=conf/plugins.allow\n"));
        Result locked = run(copy, 60, "plugins");
        assertThat(locked.exit()).as(locked.output()).isZero();
        assertThat(locked.out()).contains("service-demo").doesNotContain("REFUSED");

        // The demo services' line removed: their JAR is refused, with the line that would allow it.
        String demo = lines.stream()
                .filter(l -> l.startsWith("service-demo "))
                .findFirst()
                .orElseThrow();
        Files.writeString(copy.resolve("conf/plugins.allow"), pins.out().replace(demo + "\n", ""));
        Result refused = run(copy, 60, "plugins");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out())
                .contains("REFUSED")
                .contains("not pinned")
                .contains("add the line: " + demo.substring(0, demo.indexOf("  #")));
    }

    private Path copyDistribution() throws IOException {
        return DistributionCopy.of(DIST, tmp.resolve("microrpc"));
    }

    private Result run(Path dist, int timeoutSeconds, String... args) throws Exception {
        return run(dist, Map.of(), timeoutSeconds, args);
    }

    /** Runs {@code bin/microrpc args...} with {@code env} added to the environment; stdout and stderr apart. */
    private Result run(Path dist, Map<String, String> env, int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(dist.resolve("bin/microrpc").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MICRORPC_LOG_LEVEL");
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS))
                    .as("exited in time")
                    .isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** What a run printed: on stdout, on stderr (the log), and both. */
    private record Result(int exit, String out, String err) {
        String output() {
            return out + err;
        }
    }
}
