package io.microrpc.kernel.launcher;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.admin.AdminServer;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code microrpc serve}: run the kernel and export every service that service plugins contribute. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the kernel, load the plugins folder, export the services of service plugins, "
                + "and serve until SIGTERM or Ctrl-C (then shut down gracefully).")
public final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    LauncherOptions options;

    @Override
    public Integer call() throws Exception {
        MicroRpc rpc = options.kernel().start();
        AdminServer admin = rpc.settings().adminPort() >= 0
                ? AdminServer.start(rpc, rpc.settings().adminHost(), rpc.settings().adminPort()) : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (admin != null) {
                admin.close();
            }
            rpc.close();
        }, "microrpc-shutdown"));
        if (rpc.exportedServices().isEmpty()) {
            log.warn("No service plugin contributed a service; serving nothing. Put a service plugin "
                    + "(e.g. plugin-service-demo) in {}", rpc.settings().pluginsDir());
        } else {
            log.info("Serving {} on {}", rpc.exportedServices(), rpc.address());
        }
        rpc.awaitTermination();
        return 0;
    }
}
