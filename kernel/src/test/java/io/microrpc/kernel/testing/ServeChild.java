package io.microrpc.kernel.testing;

import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.admin.AdminToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code microrpc serve} in a child JVM: the launcher's real {@code main} on the test class path (so the
 * test plugins' classes are there for the JARs built from them), installed in {@code home} with a
 * configuration file of the test's keys, its stdout and stderr in {@code home/serve.log}. For what only a
 * separate process shows: how it exits (SIGTERM, {@code System.exit}) and whether it exits at all.
 */
public final class ServeChild implements AutoCloseable {

    private static final Pattern SERVING = Pattern.compile("Serving \\[.*] on .*:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("Admin endpoint on http://[^:]+:(\\d+)/");

    private final Process process;
    private final Path home;
    private final Path log;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServeChild(Process process, Path home, Path log) {
        this.process = process;
        this.home = home;
        this.log = log;
    }

    /**
     * Starts {@code serve} in {@code home} (its {@code plugins/} folder is the plugins folder) with
     * {@code config} lines in {@code conf/microrpc.properties}, after loopback-only defaults: RPC and
     * admin servers on 127.0.0.1, any free port.
     */
    public static ServeChild start(Path home, String... config) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("plugins"));
        StringBuilder conf = new StringBuilder("server.host=127.0.0.1\nadmin.host=127.0.0.1\nadmin.port=0\n");
        for (String line : config) {
            conf.append(line).append('\n');
        }
        Files.writeString(home.resolve("conf/microrpc.properties"), conf);
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dmicrorpc.home=" + home,
                "-cp",
                classPath,
                "io.microrpc.kernel.launcher.Launcher",
                "serve",
                "--port",
                "0"));
        Path log = home.resolve("serve.log");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("MICRORPC_LOG_LEVEL");
        return new ServeChild(pb.start(), home, log);
    }

    /** Waits for the "Serving [...] on host:port" line; returns the port. */
    public int servingPort() {
        return number(SERVING);
    }

    /** Waits for the "Admin endpoint on http://host:port/" line; returns the port. */
    public int adminPort() {
        return number(ADMIN);
    }

    private int number(Pattern pattern) {
        return await().atMost(Duration.ofSeconds(30))
                .failFast(() -> !process.isAlive())
                .until(
                        () -> {
                            Matcher m = pattern.matcher(log());
                            return m.find() ? Integer.parseInt(m.group(1)) : 0;
                        },
                        port -> port > 0);
    }

    /** Waits until the log contains {@code text}. */
    public void awaitLog(String text, Duration atMost) {
        await().atMost(atMost).failFast(() -> !process.isAlive()).until(() -> log().contains(text));
    }

    /** The log so far. */
    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** {@code GET} or {@code POST} {@code path} on the admin endpoint; the status and body. */
    public HttpResponse<String> admin(String method, String path, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
                .header("Authorization", authorization())
                .timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code method path} to the admin endpoint without waiting for the answer. */
    public CompletableFuture<HttpResponse<String>> adminAsync(String method, String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
                .header("Authorization", authorization())
                .timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The admin token's header value, from the file {@code serve} created under its {@code data.dir}. */
    public String authorization() {
        adminPort(); // the file exists once the endpoint is up
        try {
            return AdminToken.load(home.resolve("data").resolve(AdminToken.DEFAULT_FILE_NAME))
                    .authorization();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends SIGTERM, as a supervisor stopping the process does. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Waits at most {@code bound} for the process to exit; its exit status, or null when it did not exit. */
    public Integer exitWithin(Duration bound) throws InterruptedException {
        return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills what is left (SIGKILL), e.g. after a failed assertion. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
