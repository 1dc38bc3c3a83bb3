package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.UserService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code bin/microrpc serve} ends, as a process supervisor sees it: SIGTERM drains and exits 143
 * (128 + 15, the exit status of a process ended by the signal), {@code bin/microrpc stop} drains and
 * exits 0, and a stop with the registry gone still fits a grace period.
 */
class ServeStopIT {

    private static final Path DIST = Path.of(System.getProperty("microrpc.dist.dir", "target/microrpc"));
    private static final String ECHO = EchoService.class.getName();

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process serve(Path dist, Path log) throws Exception {
        Process p = ServeProcess.start(dist, log, "serve", "--port", "0");
        processes.add(p);
        ServeProcess.servingPort(log);
        return p;
    }

    @Test
    void sigtermUnregistersDrainsAndExits143() throws Exception {
        // The shipped registry starts an embedded ZooKeeper: on a free port, not 2181, on a shared machine.
        Path dist = DistributionCopy.onLoopback(DIST, tmp.resolve("microrpc"), "admin.port=0")
                .dir();
        Path log = tmp.resolve("serve.log");
        Process p = serve(dist, log);

        p.toHandle().destroy(); // SIGTERM

        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(143);
        assertThat(out)
                .contains("Unregistered " + ECHO + "@")
                .contains("Shutdown: in-flight calls drained")
                .contains("Stopped the embedded ZooKeeper server");
    }

    @Test
    void theStopCommandUnregistersDrainsAndServeExits0() throws Exception {
        Path dist = DistributionCopy.onLoopback(DIST, tmp.resolve("microrpc"), "admin.port=0")
                .dir();
        Path log = tmp.resolve("serve.log");
        Process p = serve(dist, log);
        int admin = ServeProcess.adminPort(log);

        Path stopLog = tmp.resolve("stop.log");
        Process stop = ServeProcess.start(dist, stopLog, "stop", "--admin", "127.0.0.1:" + admin);
        assertThat(stop.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stopOut = Files.readString(stopLog, StandardCharsets.UTF_8);
        assertThat(stop.exitValue()).as(stopOut).isZero();
        assertThat(stopOut)
                .as("a client command prints its answer, no log")
                .isEqualTo(
                        "stopping: unregistering, draining in-flight calls (at most server.shutdown-timeout 10s), then closing\nstopped\n");

        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out)
                .contains("Stop requested through the admin endpoint")
                .contains("Unregistered " + ECHO + "@")
                .contains("Shutdown: in-flight calls drained")
                .contains("Stopped the embedded ZooKeeper server");
    }

    /**
     * A provider whose ZooKeeper is gone (the process running the embedded server was killed; this one
     * names it as an ensemble address, so it does not start one itself) stops within a few seconds, and
     * says in one line that it could not unregister.
     */
    @Test
    void withItsZooKeeperGoneAStopFitsAGracePeriodAndLogsOneLine() throws Exception {
        // Another installation's embedded server, standing in for an ensemble: only processes with its
        // credentials may register there, so both set the same registry.zookeeper.auth.
        String auth = "registry.zookeeper.auth=microrpc:stop-test";
        DistributionCopy.OnLoopback zkHost =
                DistributionCopy.onLoopback(DIST, tmp.resolve("zk-host"), "admin.port=-1", auth);
        Process zookeeper = serve(zkHost.dir(), tmp.resolve("zk-host.log"));
        Path dist = DistributionCopy.onLoopback(
                        DIST,
                        tmp.resolve("microrpc"),
                        "admin.port=-1",
                        "registry.zookeeper.address=127.0.0.1:" + zkHost.zookeeperPort(),
                        auth)
                .dir();
        Path log = tmp.resolve("serve.log");
        Process p = serve(dist, log);
        assertThat(Files.readString(log)).contains("Registered " + ECHO + "@");

        zookeeper.destroyForcibly(); // SIGKILL: the embedded ZooKeeper server goes with it
        assertThat(zookeeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        p.toHandle().destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(143);
        assertThat(took).as("before: 24 s").isLessThan(Duration.ofSeconds(10));
        assertThat(out)
                .contains("Registry 'zookeeper' did not unregister [" + ECHO + ", " + UserService.class.getName()
                        + "] within 3000 ms (unreachable?)")
                .contains("Shutdown: in-flight calls drained");
        List<String> lines = out.lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).contains("RegistryBinding")) {
                assertThat(lines.get(i + 1))
                        .as("what follows a registry warning: a log line, not a stack trace")
                        .containsPattern("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[");
            }
        }
    }
}
