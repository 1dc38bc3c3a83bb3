package io.microrpc.kernel.launcher;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code microrpc switch loadbalancer round-robin [--service S]}: change a running kernel's active extension. */
@Command(
        name = "switch",
        mixinStandardHelpOptions = true,
        description = "Switch the active extension of a point in a running kernel (through its admin endpoint). "
                + "Calls in flight finish with the old one; no call fails.")
public final class SwitchCommand implements Callable<Integer> {

    @Mixin
    LauncherOptions options;

    @Parameters(index = "0", paramLabel = "POINT", description = "serializer, loadbalancer, cluster or registry")
    String point;

    @Parameters(
            index = "1",
            paramLabel = "NAMES",
            arity = "0..1",
            description = "Extension name, or a preference list such as p2c,round-robin. Empty with --service: "
                    + "back to the global choice.")
    String names = "";

    @Option(names = "--service", paramLabel = "SERVICE", description = "Switch only for this service (interface name).")
    String service;

    @Mixin
    AdminOptions admin;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("point", point);
        q.put("name", names);
        q.put("service", service);
        return admin.callAndPrint(options, spec, "POST", "/switch", q);
    }
}
