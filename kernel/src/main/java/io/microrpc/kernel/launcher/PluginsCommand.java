package io.microrpc.kernel.launcher;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.admin.AdminServer;
import io.microrpc.kernel.internal.plugin.PluginPins;
import io.microrpc.kernel.plugin.PluginReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
                + "Exits 1 when a JAR was refused or failed. With --pins, prints the plugins.allow line of each "
                + "plugin JAR instead (docs/SECURITY.md, \"Plugin trust\").")
public final class PluginsCommand implements Callable<Integer> {

    @Mixin
    LauncherOptions options;

    /** Read by {@link LogLevel} before the command line is parsed; declared here for parsing and help. */
    @Option(
            names = {"-v", "--verbose"},
            description = "Also log how each plugin is loaded (on stderr).")
    boolean verbose;

    @Option(
            names = "--pins",
            description = "Print one line '<plugin-id> <version> <sha256>' per plugin JAR of the folder (the "
                    + "sha256 is the one sha256sum prints for the file), for plugins.allow; loads no plugin. "
                    + "Review the JARs, then: bin/microrpc plugins --pins > conf/plugins.allow. Exits 1 when a "
                    + "JAR is not a plugin (named on stderr, no line).")
    boolean pins;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (pins) {
            return printPins(out);
        }
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

    /**
     * The pin lines of the folder, read from the files themselves: no kernel starts and no plugin code
     * runs, so it works before {@code plugins.allow} exists (the file it creates).
     */
    private int printPins(PrintWriter out) throws IOException {
        Path dir = options.settings().pluginsDir();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("plugins folder " + dir + " does not exist (expected: the folder to"
                    + " pin, as plugins.dir or --plugins-dir names it)");
        }
        List<String> skipped = new ArrayList<>();
        List<String> lines = PluginPins.linesFor(dir, skipped);
        out.println(
                "# plugins.allow: <plugin-id> <version> <sha256>, one line per allowed plugin JAR (from " + dir + ")");
        lines.forEach(out::println);
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        skipped.forEach(s -> err.println("skipped " + s));
        err.flush();
        return skipped.isEmpty() ? 0 : 1;
    }
}
