package io.microrpc.kernel.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/microrpc}: the one entry point of the distribution. Distributions add commands of their
 * own (the demo) with {@link #commandLine(Object...)}.
 */
@Command(
        name = "microrpc",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "microrpc: a plugin-based microkernel RPC engine.",
        subcommands = {
            ServeCommand.class,
            PluginsCommand.class,
            StatusCommand.class,
            SwitchCommand.class,
            WeightCommand.class,
            StopCommand.class,
            TlsInitCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Launcher {

    /** The launcher's command line with {@code extraCommands} added as subcommands. */
    public static CommandLine commandLine(Object... extraCommands) {
        CommandLine cl = new CommandLine(new Launcher());
        for (Object c : extraCommands) {
            cl.addSubcommand(c);
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            if (Boolean.getBoolean("microrpc.debug")) {
                ex.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        return cl;
    }

    public static void main(String[] args) {
        LogLevel.decide(args); // before anything creates a logger
        System.exit(commandLine().execute(args));
    }
}
