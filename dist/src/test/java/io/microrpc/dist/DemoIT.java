package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a user drives it: three providers, one slow, and a switch of the consumer's load balancer
 * while it runs shows in how the calls spread; a stop request ends the run early with its summary. The
 * launcher finds the consumer's admin token by itself.
 */
class DemoIT {

    private static final Path DIST = Path.of(System.getProperty("microrpc.dist.dir", "target/microrpc"));
    private static final Pattern ADMIN = Pattern.compile("the consumer's admin endpoint is (127\\.0\\.0\\.1:\\d+)");
    private static final Pattern SPREAD = Pattern.compile(" spread \\d+=(\\d+)% \\d+=(\\d+)% \\d+\\(slow\\)=(\\d+)% ");

    @TempDir
    Path tmp;

    private Process demo;

    @AfterEach
    void kill() {
        if (demo != null) {
            demo.destroyForcibly();
        }
    }

    @Test
    void aSwitchWhileTheDemoRunsChangesHowCallsSpreadAndAStopEndsIt() throws Exception {
        Path dist = DistributionCopy.of(DIST, tmp.resolve("microrpc"));
        Files.writeString(dist.resolve("conf/microrpc.properties"), "\nadmin.port=0\n", StandardOpenOption.APPEND);
        Path log = tmp.resolve("demo.log");
        demo = ServeProcess.start(dist, log, "demo", "--seconds", "300", "--concurrency", "8");
        String admin = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            Matcher m = ADMIN.matcher(read(log));
                            return m.find() ? m.group(1) : null;
                        },
                        a -> a != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> read(log).contains("\nt=1s "));

        // The consumer keeps its admin token in the configuration's data.dir, where the launcher looks.
        Path token = dist.resolve("data/admin.token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token)))
                .isEqualTo("rw-------");
        HttpResponse<String> anonymous = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + admin + "/plugins"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).as("without the token").isEqualTo(401);
        assertThat(anonymous.body()).contains(token.toString());

        Path switchLog = tmp.resolve("switch.log");
        Process change = ServeProcess.start(dist, switchLog, "switch", "loadbalancer", "round-robin", "--admin", admin);
        assertThat(change.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(change.exitValue()).as(read(switchLog)).isZero();

        // The first line showing round-robin may hold a part of a second of the old balancer; the next is all its own.
        List<String> roundRobin = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> read(log)
                                .lines()
                                .filter(l -> l.startsWith("t=") && l.contains("loadbalancer=round-robin"))
                                .toList(),
                        l -> l.size() >= 2);
        Matcher m = SPREAD.matcher(roundRobin.get(1));
        assertThat(m.find()).as(roundRobin.get(1)).isTrue();
        for (int i = 1; i <= 3; i++) {
            assertThat(Integer.parseInt(m.group(i)))
                    .as("round robin gives each provider, slow or not, a third: " + roundRobin.get(1))
                    .isBetween(30, 37);
        }

        Process stop = ServeProcess.start(dist, tmp.resolve("stop.log"), "stop", "--admin", admin);
        assertThat(stop.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(stop.exitValue()).isZero();
        assertThat(demo.waitFor(30, TimeUnit.SECONDS))
                .as("a stop ends the run early")
                .isTrue();
        assertThat(demo.exitValue()).as(read(log)).isZero();
        assertThat(read(log)).containsPattern("\\ncalls=[1-9]\\d* errors=0 throughput=\\d+/s p50=\\d+us p99=\\d+us\\n");
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
