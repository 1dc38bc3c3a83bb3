package io.microrpc.kernel.launcher;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.testplugins.PluginCodec;
import io.microrpc.kernel.testplugins.TwinCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code microrpc plugins --pins}: one line per plugin JAR with the hash {@code sha256sum} prints, and
 * its output, saved as the pinning file, locks the folder: those JARs start, any other is refused.
 */
class PluginsPinsCommandTest {

    @TempDir
    Path home;

    private Path plugins;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        plugins = Files.createDirectories(home.resolve("plugins"));
        plugin("good-codec").version("1.2.0").extension(PluginCodec.class).writeTo(plugins, "good.jar");
        plugin("twin").extension(TwinCodec.class).writeTo(plugins, "twin.jar");
        config = home.resolve("microrpc.properties");
        Files.writeString(
                config,
                "plugins.dir=" + plugins + "\ndata.dir=" + home.resolve("data") + "\nplugins.allow="
                        + home.resolve("plugins.allow") + "\nplugins.watch=false\n");
    }

    /** What {@code sha256sum} prints for {@code file}, computed apart from the kernel's code. */
    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Launcher.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsOnePinLinePerPluginJarWithTheHashSha256sumPrints() throws Exception {
        Files.write(plugins.resolve("broken.jar"), new byte[] {1, 2, 3, 4});

        Run r = run("plugins", "--pins", "--config", config.toString());

        assertThat(r.out().lines().filter(l -> !l.startsWith("#")))
                .containsExactly(
                        "good-codec 1.2.0 " + sha256(plugins.resolve("good.jar")) + "  # good.jar",
                        "twin 1.0.0 " + sha256(plugins.resolve("twin.jar")) + "  # twin.jar");
        assertThat(r.err()).contains("skipped broken.jar: not a valid JAR");
        assertThat(r.exit())
                .as("a JAR that is not a plugin is named and makes it exit 1")
                .isEqualTo(1);
        assertThat(home.resolve("data/plugin-cache")).as("no plugin was loaded").doesNotExist();

        Run missing =
                run("plugins", "--pins", "--plugins-dir", home.resolve("nope").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("error: plugins folder " + home.resolve("nope") + " does not exist");
    }

    @Test
    void itsOutputSavedAsThePinningFileLocksTheFolder() throws Exception {
        Run before = run("plugins", "--config", config.toString());
        assertThat(before.exit()).isEqualTo(2);
        assertThat(before.err()).contains("error: plugins.allow: cannot read " + home.resolve("plugins.allow"));

        Run pins = run("plugins", "--pins", "--config", config.toString());
        assertThat(pins.exit()).isZero();
        Files.writeString(home.resolve("plugins.allow"), pins.out());

        Run locked = run("plugins", "--config", config.toString());
        assertThat(locked.exit()).as(locked.out()).isZero();
        assertThat(locked.out())
                .containsPattern("good\\.jar +good-codec +1\\.2\\.0 +STARTED")
                .containsPattern("twin\\.jar +twin +1\\.0\\.0 +STARTED");

        // Another build of a pinned plugin, and a JAR nobody pinned: both refused, each with its line to add.
        plugin("twin").extension(TwinCodec.class).resource("extra.txt", "x").writeTo(plugins, "twin.jar");
        plugin("other").extension(TwinCodec.class).writeTo(plugins, "other.jar");
        Run refused = run("plugins", "--config", config.toString());
        assertThat(refused.exit()).isEqualTo(1);
        String twin = sha256(plugins.resolve("twin.jar"));
        assertThat(refused.out())
                .containsPattern("good\\.jar +good-codec +1\\.2\\.0 +STARTED")
                .containsPattern("twin\\.jar +twin +1\\.0\\.0 +REFUSED +not pinned: its sha256 " + twin)
                .contains("add the line: twin 1.0.0 " + twin)
                .containsPattern("other\\.jar +other +1\\.0\\.0 +REFUSED +not pinned")
                .contains("add the line: other 1.0.0 " + sha256(plugins.resolve("other.jar")));
    }
}
