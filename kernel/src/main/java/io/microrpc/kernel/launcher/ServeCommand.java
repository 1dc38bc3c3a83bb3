package io.microrpc.kernel.launcher;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.admin.AdminServer;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code microrpc serve}: run the kernel and export every service that service plugins contribute. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Start the kernel, load the plugins folder, export the services of service plugins, "
                + "and serve until `microrpc stop` (then shut down gracefully and exit 0), or SIGTERM or Ctrl-C "
                + "(the same, exiting 143 or 130 as a process ended by a signal does).")
public final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    LauncherOptions options;

    @Override
    public Integer call() throws Exception {
        MicroRpc rpc = options.kernel().start();
        AdminServer admin;
        try {
            admin = rpc.settings().adminPort() >= 0
                    ? AdminServer.start(
                            rpc, rpc.settings().adminHost(), rpc.settings().adminPort())
                    : null;
        } catch (IOException | RuntimeException e) { // e.g. a non-loopback admin.host without TLS: nothing runs
            rpc.close();
            throw e;
        }
        // SIGTERM and SIGINT: the JVM runs this hook and exits 143 or 130. A stop requested through the
        // admin endpoint closes the kernel on its own thread; then the JVM exits 0 and this hook only waits.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            rpc.close();
                            try {
                                rpc.awaitTermination();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            if (admin != null) {
                                admin.close();
                            }
                        },
                        "microrpc-shutdown"));
        if (rpc.exportedServices().isEmpty()) {
            log.warn(
                    "No service plugin contributed a service; serving nothing. Put a service plugin "
                            + "(e.g. plugin-service-demo) in {}",
                    rpc.settings().pluginsDir());
        } else {
            log.info("Serving {} on {}", rpc.exportedServices(), rpc.address());
        }
        rpc.awaitTermination();
        log.info("Stopped");
        return 0;
    }
}
