package io.microrpc.dist;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code bin/microrpc} of a distribution run as a separate process, its output in a log file. */
final class ServeProcess {

    private static final Pattern SERVING = Pattern.compile("Serving \\[.*] on .*:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("Admin endpoint on http://[^:]+:(\\d+)/");

    private ServeProcess() {}

    /** Starts {@code bin/microrpc args...} of {@code dist}, stdout and stderr into {@code log}. */
    static Process start(Path dist, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(dist.resolve("bin/microrpc").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MICRORPC_LOG_LEVEL");
        return pb.start();
    }

    /** Waits for the "Serving [...] on host:port" line and returns the port. */
    static int servingPort(Path log) {
        return number(log, SERVING);
    }

    /** Waits for the "Admin endpoint on http://host:port/" line and returns the port. */
    static int adminPort(Path log) {
        return number(log, ADMIN);
    }

    private static int number(Path log, Pattern pattern) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
                            return m.find() ? Integer.parseInt(m.group(1)) : 0;
                        },
                        port -> port > 0);
    }
}
