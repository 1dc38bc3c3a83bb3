package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example plugin, examples/plugin-lb-example, as docs/WRITING-PLUGINS.md builds it: on the installed
 * kit ({@link PluginKit}), in a folder of its own, with {@code mvn package}; then its JAR loads in a real
 * kernel, which calls through its load balancer. Also the README's coordinates for embedding: a project
 * importing microrpc-bom compiles against the kernel.
 */
class PluginKitIT {

    private static final Path SAMPLE = PluginKit.SOURCES.resolve("examples/plugin-lb-example");
    private static final String KIT_VERSION = PluginKit.VERSION;

    @TempDir
    Path tmp;

    @Test
    void aPluginBuiltOutsideTheRepositoryLoadsAndServes() throws Exception {
        PluginKit kit = PluginKit.installed();
        Path repo = kit.repository;
        assertThat(repo.resolve("io/microrpc/microrpc-plugins/" + KIT_VERSION)).isDirectory();
        assertThat(repo.resolve("io/microrpc/microrpc-spi/" + KIT_VERSION)).isDirectory();
        assertThat(repo.resolve(
                        "io/microrpc/microrpc-kernel/" + KIT_VERSION + "/microrpc-kernel-" + KIT_VERSION + ".jar"))
                .as("the embedding API, at the README's coordinates")
                .isRegularFile();

        for (String artifact : List.of("microrpc-bom", "microrpc-testkit", "microrpc-plugin-archetype")) {
            assertThat(repo.resolve("io/microrpc/" + artifact + "/" + KIT_VERSION))
                    .isDirectory();
        }

        Path project = PluginKit.copyTree(SAMPLE, tmp.resolve("elsewhere/plugin-lb-example"));
        kit.run(project, PluginKit.BUILD_PLUGIN);
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

        try (PluginKit.Kernels kernels = new PluginKit.Kernels(tmp)) {
            callThrough(kernels, jar);
        }
    }

    private static void callThrough(PluginKit.Kernels kernels, Path jar) throws IOException {
        PluginKit.CallsThrough calls = kernels.callThrough("two-choices", "lb-example", jar);
        // Random picks among two equally idle providers: each is chosen with probability 1/2 per call.
        assertThat(calls.served()).as("calls served by each provider").allMatch(c -> c.get() > 0);
    }

    /** The doc shows the sample's files whole and the commands this test runs; so does the README. */
    @Test
    void theDocShowsTheSampleAndTheCommandsThisTestRuns() throws IOException {
        String doc = Files.readString(PluginKit.DOC);
        assertThat(doc).contains(PluginKit.INSTALL_KIT).contains(PluginKit.BUILD_PLUGIN);
        for (String file : List.of(
                "pom.xml",
                "src/main/java/com/example/lb/TwoChoices.java",
                "src/test/java/com/example/lb/TwoChoicesContractTest.java")) {
            assertThat(doc)
                    .as("docs/WRITING-PLUGINS.md shows examples/plugin-lb-example/%s as it is", file)
                    .contains(Files.readString(SAMPLE.resolve(file)));
        }
        assertThat(Files.readString(PluginKit.README))
                .as("the README's command that installs the kit, and the BOM's version")
                .contains(PluginKit.INSTALL_KIT)
                .contains("<artifactId>microrpc-bom</artifactId>\n      <version>" + KIT_VERSION + "</version>");
        assertThat(Files.readString(SAMPLE.resolve("pom.xml")))
                .as("the sample's parent is this kit's version: update examples/ and the doc with the version")
                .contains("<artifactId>microrpc-plugins</artifactId>\n    <version>" + KIT_VERSION + "</version>");
    }

    /**
     * The README's snippet for embedding (the BOM imported, the kernel without a version), in a project of
     * its own with one class that starts a kernel: it compiles against the installed kit.
     */
    @Test
    void theReadmeBomSnippetCompilesAgainstTheKernel() throws Exception {
        PluginKit kit = PluginKit.installed();
        String readme = Files.readString(PluginKit.README);
        Matcher snippet = Pattern.compile(
                        "```xml\n(<dependencyManagement>.*?microrpc-bom.*?</dependencies>)\n```", Pattern.DOTALL)
                .matcher(readme);
        assertThat(snippet.find())
                .as("README.md shows the BOM import in an xml block")
                .isTrue();

        Path project = Files.createDirectories(tmp.resolve("embedding"));
        Files.writeString(
                project.resolve("pom.xml"),
                "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                        + "<groupId>com.example</groupId><artifactId>embedding</artifactId><version>1.0.0</version>"
                        + "<properties><maven.compiler.release>17</maven.compiler.release>"
                        + "<project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>\n"
                        + snippet.group(1)
                        + "\n<build><plugins>"
                        + "<plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>"
                        + "<plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>"
                        + "</plugins></build></project>\n");
        Path source = Files.createDirectories(project.resolve("src/main/java/com/example"));
        Files.writeString(
                source.resolve("Embedded.java"),
                "package com.example;\n"
                        + "public final class Embedded {\n"
                        + "    public static void main(String[] args) {\n"
                        + "        try (io.microrpc.kernel.MicroRpc rpc = io.microrpc.kernel.MicroRpc.builder().start()) {\n"
                        + "            System.out.println(rpc.port());\n"
                        + "        }\n"
                        + "    }\n"
                        + "}\n");
        kit.run(project, "mvn -q compile");
        assertThat(project.resolve("target/classes/com/example/Embedded.class")).isRegularFile();
    }
}
