package io.microrpc.kernel.launcher;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.plugin.PluginReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code microrpc plugins}: what the plugins folder holds and what the kernel makes of it. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List the plugin JARs of the plugins folder: id, version, extension points, state, "
                + "and why any was refused; then the extensions each point has.")
public final class PluginsCommand implements Callable<Integer> {

    @Mixin
    LauncherOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (MicroRpc rpc = MicroRpc.builder().settings(options.settings()).exportServicePlugins(false).start()) {
            List<PluginReport> reports = rpc.plugins();
            out.printf("Plugins folder: %s%n", rpc.settings().pluginsDir());
            if (reports.isEmpty()) {
                out.println("  (no plugin JARs)");
            }
            out.printf("%-36s %-24s %-10s %-8s %s%n", "FILE", "ID", "VERSION", "STATE", "EXTENSIONS / REASON");
            for (PluginReport r : reports) {
                out.printf("%-36s %-24s %-10s %-8s %s%n", r.file(), orDash(r.pluginId()), orDash(r.version()), r.state(),
                        r.isStarted() ? String.join(", ", r.extensions()) : r.reason());
            }
            out.println();
            out.println("Extensions by point (the first listed is active where one is chosen):");
            for (Map.Entry<String, List<String>> e : rpc.extensions().entrySet()) {
                out.printf("  %-13s %s%n", e.getKey(), e.getValue().isEmpty() ? "-" : String.join(", ", e.getValue()));
            }
            out.flush();
            return reports.stream().allMatch(PluginReport::isStarted) ? 0 : 1;
        }
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
