package io.microrpc.bench;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserService;
import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.tls.DevCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * microrpc as shipped: a kernel in its own JVM exporting the demo service plugin, and a client kernel
 * here that loads the same plugins folder (for the protostuff codec) without exporting anything. Both
 * run with default settings apart from the loopback address, port 0, a temporary data folder and no
 * watching of the plugins folder.
 */
final class MicroRpcTarget implements Target {

    /** getUser asks for ids below this, listUser for pages below a fifteenth of it; every id exists. */
    private static final int USER_IDS = 10_000;

    private final ServerProcess server;
    private final Path dataDir;
    private final MicroRpc client;
    private final EchoService echo;
    private final UserService users;
    private final boolean tls;

    private MicroRpcTarget(ServerProcess server, Path pluginsDir, boolean watch, Path certificates) throws Exception {
        this.server = server;
        this.tls = certificates != null;
        this.dataDir = Files.createTempDirectory("microrpc-bench-client-");
        KernelSettings.Builder b = KernelSettings.builder()
                .pluginsDir(pluginsDir)
                .pluginsWatch(watch)
                .pluginsWatchDebounce(Duration.ofMillis(100))
                .dataDir(dataDir)
                .metricsEnabled(!Boolean.getBoolean("microrpc.bench.no-metrics"));
        if (tls) {
            b.tlsEnabled(true)
                    .tlsCert(certificates.resolve(DevCertificates.CLIENT_CERT))
                    .tlsKey(certificates.resolve(DevCertificates.CLIENT_KEY))
                    .tlsTrust(certificates.resolve(DevCertificates.CA));
        }
        KernelSettings settings = b.build();
        this.client = MicroRpc.builder()
                .settings(settings)
                .loadPlugins(true)
                .exportServicePlugins(false)
                .start();
        String serializer = settings.callSerializer();
        if (client.extensions().getOrDefault("serializer", List.of()).stream()
                .noneMatch(e -> e.equals(serializer) || e.startsWith(serializer + ' '))) {
            client.close();
            throw new IllegalStateException("the client kernel loaded no '" + serializer + "' serializer from "
                    + pluginsDir.toAbsolutePath() + " (extensions: " + client.extensions() + "; plugins: "
                    + client.plugins()
                    + "); build plugin-codec-protostuff there with mvn install");
        }
        String address = ServerMain.HOST + ':' + server.port();
        this.echo = client.reference(EchoService.class, address);
        this.users = client.reference(UserService.class, address);
    }

    static MicroRpcTarget start(Path pluginsDir, List<String> serverJvmArgs) throws Exception {
        return start(pluginsDir, pluginsDir, false, serverJvmArgs, null);
    }

    /** Server and client over mutual TLS with the development certificates in {@code certificates}. */
    static MicroRpcTarget startTls(Path pluginsDir, List<String> serverJvmArgs, Path certificates) throws Exception {
        return start(pluginsDir, pluginsDir, false, serverJvmArgs, certificates);
    }

    /**
     * A server on {@code serverPlugins} and a client on {@code clientPlugins}; with {@code watch} the
     * client applies changes of its folder at runtime (the swap measurement).
     */
    static MicroRpcTarget start(
            Path serverPlugins, Path clientPlugins, boolean watch, List<String> serverJvmArgs, Path certificates)
            throws Exception {
        List<String> jvmArgs = new ArrayList<>(serverJvmArgs);
        if (certificates != null) {
            jvmArgs.add("-D" + ServerMain.TLS_PROPERTY + "=" + certificates);
        }
        ServerProcess server = ServerProcess.start(
                certificates == null ? "microrpc" : "microrpc-tls", jvmArgs, "microrpc", serverPlugins.toString());
        try {
            return new MicroRpcTarget(server, clientPlugins, watch, certificates);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    /** The client kernel, e.g. to report its plugin generations. */
    MicroRpc client() {
        return client;
    }

    @Override
    public String name() {
        return tls ? "microrpc-tls" : "microrpc";
    }

    @Override
    public Result run(Scenario scenario, RunSettings settings) throws Exception {
        ClosedLoop loop;
        Result result;
        switch (scenario) {
            case ECHO_128:
            case ECHO_4K: {
                String message = Payloads.ascii(scenario.payloadChars);
                loop = settings.loop(r -> r instanceof String && ((String) r).length() == message.length());
                result = loop.runAsync(scenario.label, name(), () -> echo.echoAsync(message));
                break;
            }
            case ECHO_128_SYNC:
            case ECHO_4K_SYNC: {
                String message = Payloads.ascii(scenario.payloadChars);
                loop = settings.loop(r -> r instanceof String && ((String) r).length() == message.length());
                result = loop.runThreads(scenario.label, name(), () -> echo.echo(message));
                break;
            }
            case GET_USER:
                loop = settings.loop(r -> r instanceof User);
                result = loop.runThreads(
                        scenario.label,
                        name(),
                        () -> users.getUser(ThreadLocalRandom.current().nextInt(USER_IDS)));
                break;
            case LIST_USER:
                loop = settings.loop(r -> r instanceof List && ((List<?>) r).size() == UserService.PAGE_SIZE);
                result = loop.runThreads(
                        scenario.label,
                        name(),
                        () -> users.listUser(ThreadLocalRandom.current().nextInt(USER_IDS / UserService.PAGE_SIZE)));
                break;
            default:
                throw new IllegalArgumentException("scenario: " + scenario);
        }
        Reports.warnOnErrors(result, loop.firstError());
        return result;
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.close();
            TempDirs.delete(dataDir);
        }
    }
}
