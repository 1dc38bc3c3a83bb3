package io.microrpc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ServerMain} in its own JVM: the same {@code java} binary and class path as this one, so
 * client and server never compete for one heap, one JIT or one GC, as they would in production.
 * {@link #close()} stops it, gracefully first; a shutdown hook kills it if this JVM ends otherwise.
 */
final class ServerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Process process;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Thread killer;

    private ServerProcess(String name, List<String> jvmArgs, List<String> args) throws IOException {
        this.name = name;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        String transport = System.getProperty("microrpc.transport");
        if (transport != null) {
            command.add("-Dmicrorpc.transport=" + transport);
        }
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ServerMain.class.getName());
        command.addAll(args);
        this.process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        this.killer = new Thread(process::destroyForcibly, "kill-" + name);
        Runtime.getRuntime().addShutdownHook(killer);
        Thread reader = new Thread(this::readStdout, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code ServerMain args} with {@code jvmArgs} and waits until it prints its port. */
    static ServerProcess start(String name, List<String> jvmArgs, String... args)
            throws IOException, InterruptedException {
        ServerProcess server = new ServerProcess(name, jvmArgs, List.of(args));
        try {
            server.port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return server;
        } catch (ExecutionException | TimeoutException e) {
            server.close();
            throw new IllegalStateException(
                    "the " + name + " server did not start within " + START_TIMEOUT.toSeconds()
                            + " s: " + (e.getCause() != null ? e.getCause().getMessage() : e.toString())
                            + "; its errors are printed above",
                    e);
        } catch (InterruptedException e) {
            server.close();
            throw e;
        }
    }

    int port() {
        return port.join();
    }

    long pid() {
        return process.pid();
    }

    private void readStdout() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!port.isDone() && line.startsWith(ServerMain.PORT_LINE)) {
                    port.complete(Integer.parseInt(
                            line.substring(ServerMain.PORT_LINE.length()).trim()));
                } else {
                    System.err.println("[" + name + " server] " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(new IllegalStateException("it exited before printing its port"));
    }

    /** Closes the server's stdin (its signal to shut down), then kills it if it lingers. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // This JVM is already shutting down; the hook kills the server if it is still alive.
        }
    }
}
