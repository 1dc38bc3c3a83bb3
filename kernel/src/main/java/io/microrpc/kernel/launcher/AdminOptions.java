package io.microrpc.kernel.launcher;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --admin} option of the commands that drive a running kernel, and the request they send. */
public final class AdminOptions {

    @Option(
            names = "--admin",
            paramLabel = "HOST:PORT",
            description = "Admin endpoint (default: admin.host:admin.port).")
    String admin;

    /** Sends the request to the admin endpoint and prints its answer on the command's output; returns the exit code. */
    int callAndPrint(LauncherOptions options, CommandSpec spec, String method, String path, Map<String, String> query)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.print(new AdminClient(options.adminAddress(admin)).call(method, path, query));
        out.flush();
        return 0;
    }
}
