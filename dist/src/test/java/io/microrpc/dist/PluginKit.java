package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The plugin developer kit as a plugin author outside this repository has it, following
 * docs/WRITING-PLUGINS.md: installed from a copy of the sources with the doc's command, once per test
 * JVM (the ITs that use it share it), into a private local repository; Maven then runs there with the
 * doc's commands. Used by PluginKitIT (the example plugin, the README's BOM) and PluginArchetypeIT (a
 * plugin generated from the archetype).
 *
 * <p>Every build runs the doc's command plus only flags that keep it to itself: {@code -B}, the private
 * local repository ({@code -Dmaven.repo.local}; the shared {@code ~/.m2} is never written), and a
 * settings file that reads third-party artifacts from {@code ~/.m2} as a file repository (releases only,
 * so a microrpc SNAPSHOT there is never used instead of the kit just installed). When the outer build is
 * offline ({@code -o}) so are they.
 */
final class PluginKit {

    /** The doc's command that installs the kit, run in the microrpc sources. */
    static final String INSTALL_KIT =
            "mvn -q install -DskipTests -pl bom,plugins,testkit,kernel,demo-api,plugin-archetype -am";
    /** The doc's command that builds a plugin, run in the plugin's project. */
    static final String BUILD_PLUGIN = "mvn -q package";

    static final Path SOURCES = Path.of(System.getProperty("microrpc.source.dir", ".."));
    static final Path DOC = SOURCES.resolve("docs/WRITING-PLUGINS.md");
    static final Path README = SOURCES.resolve("README.md");
    static final Path DIST = Path.of(System.getProperty("microrpc.dist.dir", "target/microrpc"));
    static final String VERSION = System.getProperty("microrpc.version");

    private static PluginKit installed;

    /** The private local repository holding the kit. */
    final Path repository;

    private final Path settings;

    private PluginKit(Path repository, Path settings) {
        this.repository = repository;
        this.settings = settings;
    }

    /**
     * The kit, installed with {@link #INSTALL_KIT} from a copy of the sources (without build output) in
     * {@code target/plugin-kit/} on first use.
     */
    static synchronized PluginKit installed() throws Exception {
        if (installed == null) {
            Path root = Path.of("target", "plugin-kit").toAbsolutePath();
            deleteTree(root);
            Path repository = Files.createDirectories(root.resolve("repository"));
            seedPluginPrefixes(repository);
            PluginKit kit = new PluginKit(repository, readOnlyUserRepository(root.resolve("settings.xml")));
            kit.run(copyTree(SOURCES, root.resolve("microrpc")), INSTALL_KIT);
            installed = kit;
        }
        return installed;
    }

    /**
     * Runs {@code command} (from the doc; split at spaces, no shell) in {@code dir} against the kit's
     * repository; fails with the build's output unless it exits 0 within 5 minutes.
     */
    void run(Path dir, String command) throws Exception {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.set(0, mavenExecutable());
        args.addAll(List.of(
                "-B",
                "-Dmaven.repo.local=" + repository.toAbsolutePath(),
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

    /**
     * Settings that read {@code ~/.m2/repository} as a file repository, without changing it: releases
     * only, so the microrpc SNAPSHOTs a build of this repository may have left there never stand in for
     * the kit the test installs.
     */
    private static Path readOnlyUserRepository(Path file) throws IOException {
        String repository = "<id>user-m2-read-only</id><url>" + userRepository().toUri()
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

    /**
     * Copies what {@code ~/.m2} knows of the plugin prefixes of {@code org.apache.maven.plugins} (which
     * plugin {@code archetype:} is, and its versions) into {@code repository}, as a build that looked them
     * up in Maven Central would have left it. A file repository has no such index, so without it an
     * offline {@code mvn archetype:generate} cannot tell which plugin to run; online, Maven looks it up.
     */
    private static void seedPluginPrefixes(Path repository) throws IOException {
        for (String file : List.of(
                "org/apache/maven/plugins/maven-metadata-central.xml",
                "org/apache/maven/plugins/maven-archetype-plugin/maven-metadata-central.xml")) {
            Path known = userRepository().resolve(file);
            if (Files.isRegularFile(known)) {
                Path copy = repository.resolve(file);
                Files.createDirectories(copy.getParent());
                Files.copy(known, copy);
            }
        }
    }

    private static Path userRepository() {
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static String mavenExecutable() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return "mvn";
    }

    /** Copies the sources under {@code from} to {@code to}, without build output, Git data or plugin JARs. */
    static Path copyTree(Path from, Path to) throws IOException {
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

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** The distribution's JAR of {@code artifactId}. */
    static Path distPlugin(String artifactId) throws IOException {
        Path plugins = DIST.resolve("plugins");
        try (Stream<Path> files = Files.list(plugins)) {
            return files.filter(p -> p.getFileName().toString().startsWith(artifactId + '-'))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "no " + artifactId + " JAR in " + plugins + "; run mvn package in dist first"));
        }
    }

    /** The test's RPC interface. */
    public interface Probe {
        /** Returns the name of the provider that served the call. */
        String hit(int sequence);
    }

    /** What {@link Kernels#callThrough} leaves for the caller to check. */
    record CallsThrough(MicroRpc consumer, List<AtomicInteger> served) {}

    /** Kernels on 127.0.0.1, any port, with the distribution's codec; closed in reverse order. */
    static final class Kernels implements AutoCloseable {
        private final Path dir;
        private final List<MicroRpc> started = new ArrayList<>();

        Kernels(Path dir) {
            this.dir = dir;
        }

        /** A kernel named {@code name} using the load balancer {@code loadBalancer}, with {@code plugins}. */
        MicroRpc start(String name, String loadBalancer, Path... plugins) throws IOException {
            Path pluginsDir = Files.createDirectories(dir.resolve(name).resolve("plugins"));
            Path codec = distPlugin("plugin-codec-protostuff");
            Files.copy(codec, pluginsDir.resolve(codec.getFileName()));
            for (Path plugin : plugins) {
                Files.copy(plugin, pluginsDir.resolve(plugin.getFileName()));
            }
            KernelSettings settings = KernelSettings.builder()
                    .serverHost("127.0.0.1")
                    .serverPort(0)
                    .pluginsDir(pluginsDir)
                    .dataDir(dir.resolve(name).resolve("data"))
                    .pluginsWatch(false)
                    .loadbalancer(loadBalancer)
                    .build();
            MicroRpc kernel = MicroRpc.builder().settings(settings).start();
            started.add(kernel);
            return kernel;
        }

        /**
         * Two providers and a consumer that loads {@code jar} and selects {@code loadBalancer} from it;
         * checks the plugin {@code pluginId} started, then makes 200 calls through it. Returns the calls
         * each provider served, and the consumer, for the caller's own checks.
         */
        CallsThrough callThrough(String loadBalancer, String pluginId, Path jar) throws IOException {
            List<AtomicInteger> served = List.of(new AtomicInteger(), new AtomicInteger());
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < served.size(); i++) {
                MicroRpc provider = start("provider-" + i, loadBalancer);
                AtomicInteger count = served.get(i);
                String name = "provider-" + i;
                provider.export(Probe.class, sequence -> {
                    count.incrementAndGet();
                    return name;
                });
                addresses.add("127.0.0.1:" + provider.port());
            }
            MicroRpc consumer = start("consumer", loadBalancer, jar);
            PluginReport report = consumer.plugins().stream()
                    .filter(r -> pluginId.equals(r.pluginId()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(pluginId + " not reported: " + consumer.plugins()));
            assertThat(report.state()).as(report.toString()).isEqualTo(PluginReport.State.STARTED);
            assertThat(report.version()).isEqualTo("1.0.0");
            assertThat(report.extensions()).contains("loadbalancer:" + loadBalancer);
            assertThat(consumer.admin().activeExtensions().get("loadbalancer"))
                    .isEqualTo(loadBalancer + " (" + pluginId + " 1.0.0)");

            Probe probe = consumer.reference(
                    Probe.class,
                    ReferenceOptions.builder()
                            .addresses(addresses)
                            .timeout(Duration.ofSeconds(10))
                            .build());
            for (int i = 0; i < 200; i++) {
                assertThat(probe.hit(i)).startsWith("provider-");
            }
            assertThat(served.get(0).get() + served.get(1).get()).isEqualTo(200);
            return new CallsThrough(consumer, served);
        }

        @Override
        public void close() {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
        }
    }
}
