package io.microrpc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each target runs a short scenario end to end, server JVM included: every call succeeds and some
 * were made. No timing assertions; the figures of so short a run mean nothing.
 */
@Timeout(60)
class BenchSmokeTest {

    /**
     * A warm-up first: without one, a cold JVM on a loaded machine (load 10 on 2 cores) had not finished a
     * single call within the 500 ms measured, and the test failed on the base and on later commits alike.
     */
    private static final RunSettings SHORT = new RunSettings(4, Duration.ofSeconds(2), Duration.ofMillis(500));

    @Test
    void rawEchoRunsWithoutErrors() throws Exception {
        try (RawTarget raw = RawTarget.start(List.of())) {
            assertRan(raw.run(Scenario.ECHO_128, SHORT));
        }
    }

    @Test
    void microRpcRunsAsyncAndBlockingScenariosWithoutErrors() throws Exception {
        Path plugins = Path.of(System.getProperty("microrpc.bench.plugins-dir", "../plugins-dir"));
        assumeTrue(
                PluginSnapshot.hasRequired(plugins),
                "no plugin JARs in " + plugins.toAbsolutePath() + "; `mvn install` at the root builds them");
        // As BenchMain does: only the codec and the demo services, whatever else the folder holds.
        Path snapshot = PluginSnapshot.copy(plugins, false);
        try (MicroRpcTarget rpc = MicroRpcTarget.start(snapshot, List.of())) {
            assertRan(rpc.run(Scenario.ECHO_128, SHORT));
            assertRan(rpc.run(Scenario.GET_USER, SHORT));
        } finally {
            TempDirs.delete(snapshot);
        }
    }

    private static void assertRan(Result r) {
        assertThat(r.errors())
                .as("failed calls of %s (%s)", r.label(), r.target())
                .isZero();
        assertThat(r.calls()).as("calls of %s (%s)", r.label(), r.target()).isPositive();
    }
}
