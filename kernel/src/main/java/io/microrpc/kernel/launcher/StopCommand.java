package io.microrpc.kernel.launcher;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code microrpc stop}: ask a running kernel to stop gracefully, and wait until it has. */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = "Stop a running kernel gracefully (through its admin endpoint, POST /shutdown): it unregisters, "
                + "drains in-flight calls and closes; `serve` then exits 0. Waits until its admin endpoint is gone.")
public final class StopCommand implements Callable<Integer> {

    @Mixin
    LauncherOptions options;

    @Mixin
    AdminOptions admin;

    @Option(
            names = "--wait",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description =
                    "How long to wait for the kernel to finish stopping; 0 = do not wait (default: ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (waitSeconds < 0) {
            throw new IllegalArgumentException("--wait: " + waitSeconds + " (expected: seconds >= 0)");
        }
        String address = options.adminAddress(admin.admin);
        AdminClient client = admin.client(options);
        PrintWriter out = spec.commandLine().getOut();
        out.print(client.call("POST", "/shutdown", Map.of()));
        out.flush();
        if (waitSeconds == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (client.answers()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the kernel at " + address + " is still stopping after " + waitSeconds
                        + " s (it drains calls for at most server.shutdown-timeout); check its log");
            }
            Thread.sleep(100); // polling a process we do not own; nothing to wait on instead
        }
        out.println("stopped");
        out.flush();
        return 0;
    }
}
