package io.microrpc.bench;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.UserService;
import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.tls.DevCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server JVM of the benchmark, started by {@link ServerProcess}:
 *
 * <pre>
 * ServerMain raw                       the raw Netty echo
 * ServerMain microrpc &lt;plugins-dir&gt;    a kernel exporting the services of the service plugins there
 * </pre>
 *
 * <p>Listens on an ephemeral loopback port, prints {@code PORT <n>} on stdout once it serves, and
 * runs until its stdin closes: the parent closes it to stop the server, and a parent that dies closes
 * it too, so no server outlives its benchmark.
 */
public final class ServerMain {

    /** The line prefix {@link ServerProcess} waits for. */
    static final String PORT_LINE = "PORT ";

    static final String HOST = "127.0.0.1";

    /** A folder of development certificates (DevCertificates): the server speaks mutual TLS with them. */
    static final String TLS_PROPERTY = "microrpc.bench.tls";

    private ServerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("raw")) {
            try (RawEchoServer server = new RawEchoServer()) {
                serveUntilStdinCloses(server.bind(HOST));
            }
        } else if (args.length == 2 && args[0].equals("microrpc")) {
            Path dataDir = Files.createTempDirectory("microrpc-bench-server-");
            KernelSettings.Builder settings = KernelSettings.builder()
                    .serverHost(HOST)
                    .serverPort(0)
                    .pluginsDir(Path.of(args[1]))
                    // The plugin set is fixed for a run; a reload mid-measurement would skew it.
                    .pluginsWatch(false)
                    .dataDir(dataDir)
                    .metricsEnabled(!Boolean.getBoolean("microrpc.bench.no-metrics"));
            String tls = System.getProperty(TLS_PROPERTY);
            if (tls != null) {
                Path certs = Path.of(tls);
                settings.tlsEnabled(true)
                        .tlsCert(certs.resolve(DevCertificates.SERVER_CERT))
                        .tlsKey(certs.resolve(DevCertificates.SERVER_KEY))
                        .tlsTrust(certs.resolve(DevCertificates.CA))
                        .tlsClientAuth("require");
            }
            try (MicroRpc rpc = MicroRpc.builder().settings(settings.build()).start()) {
                requireExported(rpc, EchoService.class, UserService.class);
                serveUntilStdinCloses(rpc.port());
            } finally {
                TempDirs.delete(dataDir);
            }
        } else {
            System.err.println("usage: ServerMain raw | ServerMain microrpc <plugins-dir>");
            System.exit(2);
        }
    }

    private static void requireExported(MicroRpc rpc, Class<?>... services) {
        for (Class<?> s : services) {
            if (!rpc.exportedServices().contains(s.getName())) {
                throw new IllegalStateException(s.getName() + " is not exported (exported: " + rpc.exportedServices()
                        + "; plugins: " + rpc.plugins() + "); put plugin-service-demo's JAR into "
                        + rpc.settings().pluginsDir().toAbsolutePath() + " (mvn install builds it there)");
            }
        }
    }

    private static void serveUntilStdinCloses(int port) throws IOException {
        System.out.println(PORT_LINE + port);
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // Nothing is sent on stdin; it only signals the parent's end.
        }
    }
}
