package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
                    .anyMatch(n -> n.startsWith("plugin-filter-ratelimit"));
        }
        assertThat(DIST.resolveSibling("microrpc.tar.gz")).isRegularFile();
    }

    @Test
    void demoRunsWithZeroErrors() throws Exception {
        Result r = run(DIST, 120, "demo", "--seconds", "2", "--concurrency", "4");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("t=1s").containsPattern("calls=[1-9]\\d* errors=0 throughput=\\d+/s p50=\\d+us p99=\\d+us");
        assertThat(r.output).contains("UserNotFoundException");
        assertThat(r.output).as("the demo uses direct addresses: no registry, no ZooKeeper")
                .doesNotContain("ZooKeeper server").doesNotContain("Registered ");
    }

    @Test
    void pluginsListsDefaultPluginsAndReportsBrokenJars() throws Exception {
        Path copy = copyDistribution();
        Files.write(copy.resolve("plugins/broken.jar"), new byte[] {1, 2, 3, 4});
        Result r = run(copy, 60, "plugins");
        assertThat(r.output).contains("codec-protostuff").contains("serializer:protostuff")
                .contains("service-demo").contains("broken.jar").contains("not a readable JAR")
                .contains("registry-zookeeper").contains("registry:zookeeper");
        assertThat(r.output).as("listing plugins starts no ZooKeeper server").doesNotContain("Started an embedded ZooKeeper");
        assertThat(copy.resolve("data/plugins/registry-zookeeper/zookeeper")).doesNotExist();
        assertThat(r.exit).as("a refused JAR makes `plugins` exit non-zero").isEqualTo(1);
    }

    private Path copyDistribution() throws IOException {
        return DistributionCopy.of(DIST, tmp.resolve("microrpc"));
    }

    private static Process start(Path dist, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(dist.resolve("bin/microrpc").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return pb.start();
    }

    private static Result run(Path dist, int timeoutSeconds, String... args) throws Exception {
        Process p = start(dist, args);
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("exited in time").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static final class Result {
        final int exit;
        final String output;

        Result(int exit, String output) {
            this.exit = exit;
            this.output = output;
        }
    }
}
