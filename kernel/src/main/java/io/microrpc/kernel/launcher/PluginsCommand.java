package io.microrpc.kernel.launcher;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.admin.AdminServer;
import io.microrpc.kernel.plugin.PluginReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code microrpc plugins}: what the plugins folder holds and what the kernel makes of it. */
@Command(
        name = "plugins",
        mixinStandardHelpOptions = true,
        description = "List the plugin JARs of the plugins folder: id, version, extension points, state, "
                + "and why any was refused; the loaded generations; the active extension of each point. "
                + "Exits 1 when a JAR was refused or failed.")
public final class PluginsCommand implements Callable<Integer> {

    @Mixin
    LauncherOptions options;

    /** Read by {@link LogLevel} before the command line is parsed; declared here for parsing and help. */
    @Option(
            names = {"-v", "--verbose"},
            description = "Also log how each plugin is loaded (on stderr).")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (MicroRpc rpc = MicroRpc.builder()
                .settings(options.settings().toBuilder().pluginsWatch(false).build())
                .exportServicePlugins(false)
                .start()) {
            out.print(AdminServer.describe(rpc));
            out.flush();
            return rpc.plugins().stream().allMatch(r -> r.isStarted() || r.state() == PluginReport.State.STANDBY)
                    ? 0
                    : 1;
        }
    }
}
