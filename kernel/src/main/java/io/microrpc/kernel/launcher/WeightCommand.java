package io.microrpc.kernel.launcher;

import io.microrpc.spi.ServiceInstance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code microrpc weight 20 [--service S]}: change the weight a running provider publishes. */
@Command(
        name = "weight",
        mixinStandardHelpOptions = true,
        description = "Set the load-balancing weight a running kernel publishes in its registry, for all its "
                + "services or one (through its admin endpoint). Consumers pick it up without a restart; "
                + "0 takes the provider out of weighted rotation.")
public final class WeightCommand implements Callable<Integer> {

    @Mixin
    LauncherOptions options;

    @Parameters(
            index = "0",
            paramLabel = "WEIGHT",
            description = "An integer 0-1000000 (server.weight is the starting value, 100 by default).")
    String weight;

    @Option(names = "--service", paramLabel = "SERVICE", description = "Only this service (interface name).")
    String service;

    @Mixin
    AdminOptions admin;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Checked here, so the operator reads about the argument typed, not the endpoint's query parameter.
        if (!weight.matches("\\d{1,7}") || Integer.parseInt(weight) > ServiceInstance.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: an integer 0-"
                    + ServiceInstance.MAX_WEIGHT + "; 0 takes this provider out of weighted rotation)");
        }
        Map<String, String> q = new LinkedHashMap<>();
        q.put("weight", weight);
        q.put("service", service);
        return admin.callAndPrint(options, spec, "POST", "/weight", q);
    }
}
