package io.microrpc.kernel.launcher;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code microrpc status}: the plugins, generations and active extensions of a running kernel. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Show a running kernel's plugins, generations and active extensions (through its admin endpoint).")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    LauncherOptions options;

    @Mixin
    AdminOptions admin;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return admin.callAndPrint(options, spec, "GET", "/plugins", Map.of());
    }
}
