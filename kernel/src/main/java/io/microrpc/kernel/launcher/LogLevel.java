package io.microrpc.kernel.launcher;

import java.util.List;
import java.util.Set;

/**
 * Decides how much the launcher's commands log, before anything logs. A command whose output is a
 * listing or an answer ({@code plugins}, {@code status}, {@code switch}, {@code weight}, {@code stop})
 * logs warnings only, so its output is not buried in the kernel's start-up log; {@code serve} and
 * {@code demo}, whose log is what an operator watches, and {@code plugins --verbose} log at info. An
 * explicit level wins: {@code MICRORPC_LOG_LEVEL}, or the slf4j-simple property itself.
 *
 * <p>slf4j-simple reads its default level once, when the first logger is created, and picocli creates
 * every subcommand (and so initialises their static loggers) before running one: hence a decision made
 * from the raw arguments in {@code main}.
 */
public final class LogLevel {

    /** slf4j-simple's default level, read when its first logger is created. */
    static final String PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    static final String ENVIRONMENT = "MICRORPC_LOG_LEVEL";

    private static final Set<String> LOGGING_COMMANDS = Set.of("serve", "demo");

    private LogLevel() {}

    /** Sets slf4j-simple's default level for the command in {@code args}, unless one is set explicitly. */
    public static void decide(String[] args) {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        System.setProperty(PROPERTY, of(List.of(args), System.getenv(ENVIRONMENT)));
    }

    /** The level for {@code args}: {@code explicit} if not empty, else by command. */
    static String of(List<String> args, String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit.trim();
        }
        String command =
                args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
        boolean verbose = args.contains("--verbose") || args.contains("-v");
        return LOGGING_COMMANDS.contains(command) || verbose ? "info" : "warn";
    }
}
