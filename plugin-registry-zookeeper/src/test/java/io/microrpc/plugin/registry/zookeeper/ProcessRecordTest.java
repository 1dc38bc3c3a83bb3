package io.microrpc.plugin.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Telling a live process from a gone one, for the sessions an embedded server restores. */
class ProcessRecordTest {

    @Test
    void thisProcessIsNotGoneAndItsRecordRoundTrips() {
        ProcessRecord self = ProcessRecord.current();
        assertThat(self.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(ProcessRecord.decode(self.encode())).contains(self);
        assertThat(self.isGone()).isFalse();
        assertThat(ProcessRecord.path(0x1000017L)).isEqualTo("/microrpc-embedded/sessions/0x1000017");
    }

    @Test
    void aProcessThatExitedIsGoneAndSoIsOneWhosePidWasReused() throws Exception {
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long pid = child.pid();
        child.waitFor();
        ProcessRecord self = ProcessRecord.current();
        assertThat(new ProcessRecord(pid, self.startedMillis(), self.pidNamespace()).isGone())
                .isTrue();
        assertThat(new ProcessRecord(self.pid(), self.startedMillis() - 60_000, self.pidNamespace()).isGone())
                .as("this pid, but a process that started a minute earlier")
                .isTrue();
    }

    @Test
    void aProcessThatExitedButIsNotCollectedByItsParentIsGone() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux only");
        // sh starts a child that exits at once, then becomes "sleep", which never collects it: a zombie.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            long zombie = Long.parseLong(out.readLine().trim());
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessRecord.isZombie(zombie));
            ProcessRecord self = ProcessRecord.current();
            assertThat(ProcessHandle.of(zombie)).as("the JDK still sees it").isPresent();
            assertThat(new ProcessRecord(zombie, 0, self.pidNamespace()).isGone())
                    .isTrue();
        } finally {
            parent.destroyForcibly().waitFor();
        }
        assertThat(ProcessRecord.isZombie(ProcessHandle.current().pid())).isFalse();
    }

    @Test
    void aProcessOfAnotherPidNamespaceIsNeverJudged() throws Exception {
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long pid = child.pid();
        child.waitFor();
        assertThat(new ProcessRecord(pid, 0, "pid:[1]").isGone()).isFalse();
    }

    @Test
    void dataThatIsNotARecordIsNone() {
        assertThat(ProcessRecord.decode(null)).isEmpty();
        assertThat(ProcessRecord.decode("weight=100\n".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(ProcessRecord.decode("pid=abc\n".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(ProcessRecord.decode("pid=42\n".getBytes(StandardCharsets.UTF_8)))
                .contains(new ProcessRecord(42, 0, ""));
    }
}
