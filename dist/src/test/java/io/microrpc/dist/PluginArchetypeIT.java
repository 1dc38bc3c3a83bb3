package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/WRITING-PLUGINS.md, "The plugin kit", step by step as a plugin author outside this repository
 * follows it: generate a plugin project from microrpc-plugin-archetype on the installed kit
 * ({@link PluginKit}), build it with {@code mvn package} (its contract test runs), load its JAR in a
 * kernel that selects its load balancer by configuration and calls through it; then drop it into the
 * plugins folder of a running {@code bin/microrpc serve}, switch to it, and replace it with a new
 * version, with the doc's commands.
 *
 * <p>To the doc's commands the test adds only what keeps it to itself on a shared machine: the
 * {@link PluginKit} flags for Maven, {@code --port 0} for {@code serve} and {@code --admin host:port}
 * (the admin endpoint on a free port) for {@code status} and {@code switch}.
 */
class PluginArchetypeIT {

    /** The doc's command that generates the plugin project, run in an empty folder. */
    static final String GENERATE = "mvn -q archetype:generate -DarchetypeGroupId=io.microrpc"
            + " -DarchetypeArtifactId=microrpc-plugin-archetype -DarchetypeVersion=" + PluginKit.VERSION
            + " -DgroupId=com.acme -DartifactId=plugin-lb-acme -Dpackage=com.acme.lb -DpluginId=lb-acme";
    /** The doc's command that goes into the generated project. */
    static final String ENTER = "cd plugin-lb-acme";
    /** The doc's command that builds the plugin into a distribution's plugins folder. */
    static final String DEPLOY = "mvn -q package -Dplugins.dir=$MICRORPC_HOME/plugins";
    /** The doc's commands run in the distribution's folder. */
    static final String SERVE = "bin/microrpc serve";

    static final String STATUS = "bin/microrpc status";
    static final String SWITCH = "bin/microrpc switch loadbalancer lb-acme";

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void aGeneratedPluginBuildsLoadsServesAndIsReplacedByItsNextVersion() throws Exception {
        PluginKit kit = PluginKit.installed();

        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        kit.run(elsewhere, GENERATE);
        Path project = elsewhere.resolve(ENTER.substring("cd ".length()));
        assertThat(project.resolve("src/main/java/com/acme/lb/RoundRobin.java"))
                .as("the sample load balancer, in the package asked for")
                .isRegularFile();

        // The doc's filter and its contract test, written into the project as the doc shows them.
        Map<String, String> sources = docSources();
        assertThat(sources.keySet())
                .containsExactly(
                        "src/main/java/com/acme/lb/CallCounter.java",
                        "src/test/java/com/acme/lb/CallCounterContractTest.java");
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Files.writeString(project.resolve(source.getKey()), source.getValue());
        }

        kit.run(project, PluginKit.BUILD_PLUGIN);
        assertThat(project.resolve("target/surefire-reports/TEST-com.acme.lb.CallCounterContractTest.xml"))
                .as("the kit's filter contract suite ran in the generated project's build")
                .isRegularFile();
        assertThat(project.resolve("target/surefire-reports/TEST-com.acme.lb.RoundRobinContractTest.xml"))
                .as("the kit's load balancer contract suite ran in the generated project's build")
                .isRegularFile();
        Path jar = project.resolve("target/plugin-lb-acme-1.0.0.jar");
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes manifest = file.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Plugin-Id")).isEqualTo("lb-acme");
            assertThat(manifest.getValue("Plugin-Version")).isEqualTo("1.0.0");
            assertThat(manifest.getValue("Plugin-Provider")).isEqualTo("com.acme");
            assertThat(manifest.getValue("Plugin-Requires")).isEqualTo(">=" + MicroRpc.version());
            assertThat(file.getEntry("io/microrpc/spi/LoadBalancer.class"))
                    .as("the spi is provided, not shaded")
                    .isNull();
        }

        try (PluginKit.Kernels kernels = new PluginKit.Kernels(tmp.resolve("kernels"))) {
            callThrough(kernels, jar);
        }

        // A running serve of the distribution: drop the plugin in, switch to it, replace it.
        Path dist = DistributionCopy.onLoopback(PluginKit.DIST, tmp.resolve("microrpc"), "admin.port=0")
                .dir();
        Path serveLog = tmp.resolve("serve.log");
        Process serve = ServeProcess.start(dist, serveLog, launcherArgs(SERVE, "--port", "0"));
        processes.add(serve);
        ServeProcess.servingPort(serveLog);
        String admin = "127.0.0.1:" + ServeProcess.adminPort(serveLog);
        String deploy = DEPLOY.replace("$MICRORPC_HOME", dist.toAbsolutePath().toString());

        kit.run(project, deploy);
        assertThat(dist.resolve("plugins/lb-acme-1.0.0.jar")).isRegularFile();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> launcher(dist, admin, STATUS), s -> s.contains("lb-acme") && s.contains("1.0.0"));
        assertThat(launcher(dist, admin, STATUS))
                .as("the plugin's filter is active as soon as it is loaded")
                .containsPattern("filters +.*acme-calls \\(lb-acme 1\\.0\\.0\\) client");

        String switched = launcher(dist, admin, SWITCH);
        assertThat(launcher(dist, admin, STATUS))
                .as("after %s: %s", SWITCH, switched)
                .containsPattern("loadbalancer +lb-acme \\(lb-acme 1\\.0\\.0\\)");

        // The next version: the doc says to raise <version>, then build into the plugins folder again.
        Path pom = project.resolve("pom.xml");
        String before = Files.readString(pom);
        assertThat(before).contains("<version>1.0.0</version>");
        Files.writeString(pom, before.replace("<version>1.0.0</version>", "<version>1.0.1</version>"));
        kit.run(project, deploy);
        assertThat(dist.resolve("plugins/lb-acme-1.0.1.jar")).isRegularFile();
        assertThat(dist.resolve("plugins/lb-acme-1.0.0.jar"))
                .as("the build removes the other versions of the plugin id")
                .doesNotExist();
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> launcher(dist, admin, STATUS),
                        s -> s.matches("(?s).*loadbalancer +lb-acme \\(lb-acme 1\\.0\\.1\\).*"));
        assertThat(serve.isAlive()).as(Files.readString(serveLog)).isTrue();
    }

    /** The consumer selects the generated load balancer by configuration and calls two providers through it. */
    private static void callThrough(PluginKit.Kernels kernels, Path jar) throws IOException {
        PluginKit.CallsThrough calls = kernels.callThrough("lb-acme", "lb-acme", jar);
        assertThat(calls.consumer().admin().activeExtensions().get("filters"))
                .isEqualTo("acme-calls (lb-acme 1.0.0) client");
        // Round robin over two providers: each serves about half.
        assertThat(calls.served()).as("calls served by each provider").allMatch(c -> c.get() >= 50);
    }

    /** Runs the doc's launcher {@code command} against the admin endpoint {@code admin}; returns its output. */
    private String launcher(Path dist, String admin, String command) throws Exception {
        Path log = Files.createTempFile(tmp, "launcher", ".log");
        Process p = ServeProcess.start(dist, log, launcherArgs(command, "--admin", admin));
        processes.add(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s:%n%s", command, out).isZero();
        return out;
    }

    /** The arguments of {@code bin/microrpc} in {@code command}, then {@code extra}. */
    private static String[] launcherArgs(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        assertThat(args.remove(0)).isEqualTo("bin/microrpc");
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    /**
     * Every command of the doc's "The plugin kit" section ({@code sh} blocks, comments and line
     * continuations aside) is one these tests run, and each of them is in the doc.
     */
    /** The section "The plugin kit" of docs/WRITING-PLUGINS.md. */
    private static String kitSection() throws IOException {
        String doc = Files.readString(PluginKit.DOC);
        int start = doc.indexOf("\n## The plugin kit\n");
        assertThat(start)
                .as("docs/WRITING-PLUGINS.md has a section \"The plugin kit\"")
                .isNotNegative();
        int end = doc.indexOf("\n## ", start + 1);
        return doc.substring(start, end < 0 ? doc.length() : end);
    }

    /** The Java sources the kit section shows: each {@code java} block after the line naming its path. */
    private static Map<String, String> docSources() throws IOException {
        Matcher m = Pattern.compile("`(src/[^`]+\\.java)`:\\n\\n```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(kitSection());
        Map<String, String> sources = new LinkedHashMap<>();
        while (m.find()) {
            sources.put(m.group(1), m.group(2));
        }
        return sources;
    }

    @Test
    void everyCommandOfTheKitSectionIsOneTheseTestsRun() throws IOException {
        String section = kitSection();

        Set<String> commands = new LinkedHashSet<>();
        boolean inSh = false;
        StringBuilder pending = new StringBuilder();
        for (String line : section.split("\n")) {
            if (line.startsWith("```")) {
                inSh = line.equals("```sh");
                continue;
            }
            if (!inSh) {
                continue;
            }
            String code = line.replaceAll("\\s+#.*$", "").strip();
            if (code.isEmpty() || code.startsWith("#")) {
                continue;
            }
            if (code.endsWith("\\")) {
                pending.append(code, 0, code.length() - 1).append(' ');
                continue;
            }
            pending.append(code);
            commands.add(pending.toString().replaceAll(" +", " "));
            pending.setLength(0);
        }
        Set<String> run =
                Set.of(PluginKit.INSTALL_KIT, GENERATE, ENTER, PluginKit.BUILD_PLUGIN, DEPLOY, SERVE, STATUS, SWITCH);
        assertThat(commands).as("the commands of the section").containsExactlyInAnyOrderElementsOf(run);
    }
}
