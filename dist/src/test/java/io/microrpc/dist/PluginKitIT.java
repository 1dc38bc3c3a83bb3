package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin developer kit as a plugin author outside this repository uses it, following
 * docs/WRITING-PLUGINS.md: install the kit from a copy of the sources, build examples/plugin-lb-example
 * in a folder of its own with {@code mvn package}, then load the JAR in a real kernel and call through
 * its load balancer.
 *
 * <p>Both builds run the commands of the doc, plus only flags that keep them to themselves: a private
 * local repository in the test's folder ({@code -Dmaven.repo.local}; the shared {@code ~/.m2} is never
 * written), and a settings file that reads third-party artifacts from {@code ~/.m2} as a file
 * repository (releases only, so a microrpc SNAPSHOT there is never used instead of the kit just
 * installed). When the outer build is offline ({@code -o}) so are they.
 */
class PluginKitIT {

    /** The doc's command that installs the kit, run in the microrpc sources. */
    static final String INSTALL_KIT = "mvn -q install -DskipTests -pl plugins,testkit,kernel -am";
    /** The doc's command that builds the plugin, run in the plugin's project. */
    static final String BUILD_PLUGIN = "mvn -q package";

    private static final Path SOURCES = Path.of(System.getProperty("microrpc.source.dir", ".."));
    private static final Path SAMPLE = SOURCES.resolve("examples/plugin-lb-example");
    private static final Path DOC = SOURCES.resolve("docs/WRITING-PLUGINS.md");
    private static final Path DIST_PLUGINS =
            Path.of(System.getProperty("microrpc.dist.dir", "target/microrpc"), "plugins");
    private static final String KIT_VERSION = System.getProperty("microrpc.version");

    /** The test's RPC interface. */
    public interface Probe {
        /** Returns the name of the provider that served the call. */
        String hit(int sequence);
    }

    @TempDir
    Path tmp;

    private final List<MicroRpc> kernels = new ArrayList<>();

    @AfterEach
    void closeKernels() {
        for (int i = kernels.size() - 1; i >= 0; i--) {
            kernels.get(i).close();
        }
    }

    @Test
    void aPluginBuiltOutsideTheRepositoryLoadsAndServes() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repository"));
        Path settings = readOnlyUserRepository(tmp.resolve("settings.xml"));

        Path kit = copyTree(SOURCES, tmp.resolve("microrpc"));
        run(kit, INSTALL_KIT, repo, settings);
        assertThat(repo.resolve("io/microrpc/microrpc-plugins/" + KIT_VERSION)).isDirectory();
        assertThat(repo.resolve("io/microrpc/microrpc-spi/" + KIT_VERSION)).isDirectory();
        assertThat(repo.resolve(
                        "io/microrpc/microrpc-kernel/" + KIT_VERSION + "/microrpc-kernel-" + KIT_VERSION + ".jar"))
                .as("the embedding API, at the README's coordinates")
                .isRegularFile();

        Path project = copyTree(SAMPLE, tmp.resolve("elsewhere/plugin-lb-example"));
        run(project, BUILD_PLUGIN, repo, settings);
        Path jar = project.resolve("target/plugin-lb-example-1.0.0.jar");
        assertThat(project.resolve("target/surefire-reports/TEST-com.example.lb.TwoChoicesContractTest.xml"))
                .as("the kit's load balancer contract suite ran in the plugin's build")
                .isRegularFile();

        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes manifest = file.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Plugin-Id")).isEqualTo("lb-example");
            assertThat(manifest.getValue("Plugin-Version"))
                    .as("the project's version")
                    .isEqualTo("1.0.0");
            assertThat(manifest.getValue("Plugin-Provider"))
                    .as("the project's organization")
                    .isEqualTo("Example Corp");
            assertThat(manifest.getValue("Plugin-Description"))
                    .as("the project's description")
                    .isEqualTo("Power of two choices: the less busy of two random candidates.");
            assertThat(manifest.getValue("Plugin-Requires")).isEqualTo(">=" + MicroRpc.version());
            assertThat(file.getEntry("io/microrpc/spi/LoadBalancer.class"))
                    .as("the spi is provided, not shaded")
                    .isNull();
            try (InputStream index = file.getInputStream(file.getEntry("META-INF/extensions.idx"))) {
                assertThat(new String(index.readAllBytes(), StandardCharsets.UTF_8))
                        .contains("com.example.lb.TwoChoices");
            }
        }

        List<AtomicInteger> served = List.of(new AtomicInteger(), new AtomicInteger());
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < served.size(); i++) {
            MicroRpc provider = start("provider-" + i);
            AtomicInteger count = served.get(i);
            String name = "provider-" + i;
            provider.export(Probe.class, sequence -> {
                count.incrementAndGet();
                return name;
            });
            addresses.add("127.0.0.1:" + provider.port());
        }
        MicroRpc consumer = start("consumer", jar);

        PluginReport report = consumer.plugins().stream()
                .filter(r -> "lb-example".equals(r.pluginId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("lb-example not reported: " + consumer.plugins()));
        assertThat(report.state()).as(report.toString()).isEqualTo(PluginReport.State.STARTED);
        assertThat(report.version()).isEqualTo("1.0.0");
        assertThat(report.extensions()).contains("loadbalancer:two-choices");
        assertThat(consumer.activeExtensions().get("loadbalancer")).isEqualTo("two-choices (lb-example 1.0.0)");

        Probe probe = consumer.reference(
                Probe.class,
                ReferenceOptions.builder()
                        .addresses(addresses)
                        .timeout(Duration.ofSeconds(10))
                        .build());
        for (int i = 0; i < 200; i++) {
            assertThat(probe.hit(i)).startsWith("provider-");
        }
        // Random picks among two equally idle providers: each is chosen with probability 1/2 per call.
        assertThat(served).as("calls served by each provider").allMatch(c -> c.get() > 0);
        assertThat(served.get(0).get() + served.get(1).get()).isEqualTo(200);
    }

    /** The doc shows the sample's files whole and the commands this test runs; so does the README. */
    @Test
    void theDocShowsTheSampleAndTheCommandsThisTestRuns() throws IOException {
        String doc = Files.readString(DOC);
        assertThat(doc).contains(INSTALL_KIT).contains(BUILD_PLUGIN);
        for (String file : List.of(
                "pom.xml",
                "src/main/java/com/example/lb/TwoChoices.java",
                "src/test/java/com/example/lb/TwoChoicesContractTest.java")) {
            assertThat(doc)
                    .as("docs/WRITING-PLUGINS.md shows examples/plugin-lb-example/%s as it is", file)
                    .contains(Files.readString(SAMPLE.resolve(file)));
        }
        assertThat(Files.readString(SOURCES.resolve("README.md")))
                .as("the README's coordinates of the embedding API")
                .contains(INSTALL_KIT)
                .contains("<artifactId>microrpc-kernel</artifactId>\n  <version>" + KIT_VERSION + "</version>");
        assertThat(Files.readString(SAMPLE.resolve("pom.xml")))
                .as("the sample's parent is this kit's version: update examples/ and the doc with the version")
                .contains("<artifactId>microrpc-plugins</artifactId>\n    <version>" + KIT_VERSION + "</version>");
    }

    /**
     * Settings that read {@code ~/.m2/repository} as a file repository, without changing it: releases
     * only, so the microrpc SNAPSHOTs a build of this repository may have left there never stand in for
     * the kit the test installs.
     */
    private static Path readOnlyUserRepository(Path file) throws IOException {
        Path userRepo = Path.of(System.getProperty("user.home"), ".m2", "repository");
        String repository = "<id>user-m2-read-only</id><url>" + userRepo.toUri()
                + "</url><releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots>";
        Files.writeString(
                file,
                "<settings><profiles><profile><id>read-only-m2</id>"
                        + "<repositories><repository>" + repository + "</repository></repositories>"
                        + "<pluginRepositories><pluginRepository>" + repository
                        + "</pluginRepository></pluginRepositories>"
                        + "</profile></profiles><activeProfiles><activeProfile>read-only-m2</activeProfile></activeProfiles>"
                        + "</settings>\n");
        return file;
    }

    /** Runs {@code command} (from the doc) in {@code dir} against the private repository. */
    private static void run(Path dir, String command, Path repo, Path settings) throws Exception {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.set(0, mavenExecutable());
        args.addAll(List.of(
                "-B",
                "-Dmaven.repo.local=" + repo.toAbsolutePath(),
                "-s",
                settings.toAbsolutePath().toString(),
                "-Daether.offline.protocols=file"));
        if ("offline=true".equals(System.getProperty("microrpc.maven.mode"))) {
            args.add("-o");
        }
        Path log = dir.resolveSibling(dir.getFileName() + "-build.log");
        Process p = new ProcessBuilder(args)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish within 5 minutes in " + dir + ":\n"
                    + Files.readString(log));
        }
        assertThat(p.exitValue())
                .as("%s in %s:%n%s", String.join(" ", args), dir, Files.readString(log))
                .isZero();
    }

    private static String mavenExecutable() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return "mvn";
    }

    /** Copies the sources under {@code from} to {@code to}, without build output, Git data or plugin JARs. */
    private static Path copyTree(Path from, Path to) throws IOException {
        Set<String> skipped = Set.of("target", ".git", "plugins-dir", "data", "results");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path src : (Iterable<Path>) files::iterator) {
                Path relative = from.relativize(src);
                boolean skip = false;
                for (Path part : relative) {
                    skip |= skipped.contains(part.toString());
                }
                if (skip) {
                    continue;
                }
                Path dst = to.resolve(relative.toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst);
                }
            }
        }
        return to;
    }

    /** A kernel on 127.0.0.1, any port, with the distribution's codec and {@code plugins}. */
    private MicroRpc start(String name, Path... plugins) throws IOException {
        Path pluginsDir = Files.createDirectories(tmp.resolve(name).resolve("plugins"));
        Path codec = distPlugin("plugin-codec-protostuff");
        Files.copy(codec, pluginsDir.resolve(codec.getFileName()));
        for (Path plugin : plugins) {
            Files.copy(plugin, pluginsDir.resolve(plugin.getFileName()));
        }
        KernelSettings settings = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .pluginsDir(pluginsDir)
                .dataDir(tmp.resolve(name).resolve("data"))
                .pluginsWatch(false)
                .loadBalancer("two-choices")
                .build();
        MicroRpc kernel = MicroRpc.builder().settings(settings).start();
        kernels.add(kernel);
        return kernel;
    }

    private static Path distPlugin(String artifactId) throws IOException {
        try (Stream<Path> files = Files.list(DIST_PLUGINS)) {
            return files.filter(p -> p.getFileName().toString().startsWith(artifactId + '-'))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "no " + artifactId + " JAR in " + DIST_PLUGINS + "; run mvn package in dist first"));
        }
    }
}
