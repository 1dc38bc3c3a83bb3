package io.microrpc.bench;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.tls.DevCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark's command line. Runs the raw echo (the yardstick) and then microrpc, each against a
 * server in its own JVM on loopback, in the same closed-loop harness, and prints one table with
 * microrpc's figures as ratios to the raw echo's. Stops by itself: every phase is bounded.
 */
@Command(
        name = "microrpc-bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        versionProvider = BenchMain.Version.class,
        description = "Closed-loop benchmark of microrpc against a raw Netty echo with the same framing.")
public final class BenchMain implements Callable<Integer> {

    @Option(
            names = "--concurrency",
            paramLabel = "C",
            description = "Calls in flight (virtual users). Default: ${DEFAULT-VALUE}.")
    int concurrency = 64;

    @Option(
            names = "--warmup",
            paramLabel = "SECONDS",
            description = "Warm-up per scenario, not measured. Default: ${DEFAULT-VALUE}.")
    int warmupSeconds = 5;

    @Option(
            names = "--seconds",
            paramLabel = "SECONDS",
            description = "Measurement per scenario. Default: ${DEFAULT-VALUE}.")
    int seconds = 10;

    @Option(
            names = "--scenarios",
            split = ",",
            paramLabel = "NAME",
            description = "microrpc scenarios: echo-128, echo-4k, getUser, listUser, echo-128-sync, echo-4k-sync. "
                    + "Default: echo-128,echo-4k,getUser,listUser.")
    List<String> scenarios = List.of("echo-128", "echo-4k", "getUser", "listUser");

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "Runs every scenario N times, raw and microrpc alternating; reports each scenario's median "
                    + "round and the median of the per-round ratios, so that load which comes and goes on a shared "
                    + "machine hits both targets alike. Default: ${DEFAULT-VALUE}.")
    int rounds = 1;

    @Option(
            names = "--targets",
            split = ",",
            paramLabel = "TARGET",
            description =
                    "raw, microrpc, microrpc-tls (server and client over mutual TLS with certificates made for the run),"
                            + " comma-separated (the raw echo runs the echo sizes the scenarios need)."
                            + " Default: raw,microrpc.")
    List<String> targets = List.of("raw", "microrpc");

    @Option(
            names = "--plugins-dir",
            paramLabel = "DIR",
            description =
                    "Folder with codec-protostuff-*.jar and service-demo-*.jar. Default: plugins-dir, else ../plugins-dir.")
    Path pluginsDir;

    @Option(
            names = "--all-plugins",
            description =
                    "Load every plugin JAR of the plugins folder (filters, load balancers...), not only the codec "
                            + "and the demo services.")
    boolean allPlugins;

    @Option(
            names = "--server-jvm-arg",
            paramLabel = "ARG",
            description =
                    "An extra JVM argument for the server processes (repeatable), e.g. -XX:StartFlightRecording=...")
    List<String> serverJvmArgs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the results as Markdown to FILE.")
    Path out;

    @Option(
            names = "--swap-every",
            paramLabel = "MILLIS",
            description = "Instead of the scenarios: measure echo-128 with the client's codec plugin replaced every "
                    + "MILLIS ms (needs --swap-jar) against the same run without swaps.")
    long swapEveryMillis;

    @Option(
            names = "--swap-jar",
            paramLabel = "FILE",
            description = "Another version of the codec plugin JAR (a different Plugin-Version), for --swap-every.")
    Path swapJar;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Before any logger exists: the kernels' INFO lines would bury the table.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        List<Scenario> selected = new ArrayList<>();
        for (String s : scenarios) {
            selected.add(Scenario.parse(s));
        }
        boolean runRaw = targets.contains("raw");
        boolean runMicroRpc = targets.contains("microrpc");
        boolean runTls = targets.contains("microrpc-tls");
        RunSettings settings =
                new RunSettings(concurrency, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(seconds));
        // A private copy: a plugin rebuilt in the source tree during the run must not change what is measured.
        Path plugins = runMicroRpc || runTls ? PluginSnapshot.copy(resolvePluginsDir(), allPlugins) : null;
        if (swapEveryMillis > 0) {
            if (swapJar == null || !Files.isRegularFile(swapJar)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--swap-jar: " + swapJar + " (expected: a codec plugin JAR with another Plugin-Version)");
            }
            try {
                return SwapLatency.run(plugins, swapJar, swapEveryMillis, settings, serverJvmArgs);
            } finally {
                TempDirs.delete(plugins);
            }
        }
        try {
            return run(selected, runRaw, runMicroRpc, runTls, settings, plugins);
        } finally {
            TempDirs.delete(plugins);
        }
    }

    private int run(
            List<Scenario> selected,
            boolean runRaw,
            boolean runMicroRpc,
            boolean runTls,
            RunSettings settings,
            Path plugins)
            throws Exception {
        Set<Scenario> rawEchoes = new LinkedHashSet<>();
        selected.forEach(s -> rawEchoes.add(s.baselineEcho()));
        Map<Scenario, List<Result>> raw = new EnumMap<>(Scenario.class);
        Map<Scenario, List<Result>> microRpc = new EnumMap<>(Scenario.class);
        Map<Scenario, List<Result>> microRpcTls = new EnumMap<>(Scenario.class);
        Path certificates = runTls ? Files.createTempDirectory("microrpc-bench-tls-") : null;
        if (certificates != null) {
            DevCertificates.writeDevelopmentSet(certificates);
        }
        String loadBefore = Reports.loadAverage();
        // Both servers are up for the whole run (an idle one costs nothing), so rounds can alternate.
        try (Target rawTarget = runRaw ? RawTarget.start(serverJvmArgs) : null;
                Target rpcTarget = runMicroRpc ? MicroRpcTarget.start(plugins, serverJvmArgs) : null;
                Target tlsTarget = runTls ? MicroRpcTarget.startTls(plugins, serverJvmArgs, certificates) : null) {
            for (int round = 1; round <= rounds; round++) {
                for (Scenario s : runRaw ? rawEchoes : Set.<Scenario>of()) {
                    raw.computeIfAbsent(s, k -> new ArrayList<>()).add(runOne(rawTarget, s, settings, round));
                }
                for (Scenario s : runMicroRpc ? selected : List.<Scenario>of()) {
                    microRpc.computeIfAbsent(s, k -> new ArrayList<>()).add(runOne(rpcTarget, s, settings, round));
                }
                for (Scenario s : runTls ? selected : List.<Scenario>of()) {
                    microRpcTls.computeIfAbsent(s, k -> new ArrayList<>()).add(runOne(tlsTarget, s, settings, round));
                }
            }
        } finally {
            TempDirs.delete(certificates);
        }
        List<Reports.Row> rows = new ArrayList<>();
        raw.values().forEach(rs -> rows.add(Reports.Row.of(rs, null)));
        microRpc.forEach((s, rs) -> rows.add(Reports.Row.of(rs, raw.get(s.baselineEcho()))));
        microRpcTls.forEach((s, rs) -> rows.add(Reports.Row.of(rs, raw.get(s.baselineEcho()))));
        String load = "1-minute load average " + loadBefore + " at the start, " + Reports.loadAverage() + " at the end";
        System.out.println();
        System.out.print(Reports.table(rows));
        System.out.println();
        System.out.println(Reports.LEGEND);
        System.out.println("Machine: " + Reports.machine() + "; " + load + ".");
        if (out != null) {
            Files.writeString(out, Reports.markdown(rows, commandLine(), load), StandardCharsets.UTF_8);
            System.out.println("Wrote " + out.toAbsolutePath());
        }
        return rows.stream().flatMap(r -> r.rounds().stream()).anyMatch(r -> r.errors() > 0 || r.calls() == 0) ? 1 : 0;
    }

    private Result runOne(Target target, Scenario s, RunSettings settings, int round) throws Exception {
        String label = target.name().equals("raw") ? RawTarget.label(s) : s.label;
        System.err.printf(
                "%-10s %-16s C=%d, warm-up %d s, measuring %d s%s%n",
                target.name(),
                label,
                concurrency,
                warmupSeconds,
                seconds,
                rounds > 1 ? ", round " + round + " of " + rounds : "");
        // A collection between scenarios, so that one scenario's garbage is not collected in the next.
        System.gc();
        return target.run(s, settings);
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        if (concurrency < 1) {
            throw new CommandLine.ParameterException(cl, "--concurrency: " + concurrency + " (expected: >= 1)");
        }
        if (rounds < 1) {
            throw new CommandLine.ParameterException(cl, "--rounds: " + rounds + " (expected: >= 1)");
        }
        if (warmupSeconds < 0 || seconds < 1) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--warmup " + warmupSeconds + " --seconds " + seconds
                            + " (expected: warm-up >= 0, measurement >= 1)");
        }
        for (String t : targets) {
            if (!t.equals("raw") && !t.equals("microrpc") && !t.equals("microrpc-tls")) {
                throw new CommandLine.ParameterException(
                        cl, "--targets: '" + t + "' (expected: raw, microrpc, microrpc-tls)");
            }
        }
        try {
            scenarios.forEach(Scenario::parse);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--scenarios: " + e.getMessage());
        }
    }

    private Path resolvePluginsDir() {
        List<Path> candidates =
                pluginsDir != null ? List.of(pluginsDir) : List.of(Path.of("plugins-dir"), Path.of("../plugins-dir"));
        for (Path p : candidates) {
            if (PluginSnapshot.hasRequired(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "--plugins-dir: no codec-protostuff-*.jar and "
                        + "service-demo-*.jar in "
                        + candidates.stream()
                                .map(p -> p.toAbsolutePath().normalize().toString())
                                .toList()
                        + "; build them with `mvn install` at the repository root, or pass --targets raw");
    }

    /** The kernel version the benchmark was built with. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"microrpc-bench, kernel " + MicroRpc.version()};
        }
    }

    private String commandLine() {
        return "microrpc-bench "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
