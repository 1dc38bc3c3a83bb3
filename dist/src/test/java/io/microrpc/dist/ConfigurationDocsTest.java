package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.config.KernelSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Every configuration key is documented and present in the shipped configuration file, and that file loads. */
class ConfigurationDocsTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void everyKeyIsDocumentedAndShipped() throws IOException {
        String docs = Files.readString(ROOT.resolve("docs/CONFIGURATION.md"));
        Properties shipped = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("src/main/conf/microrpc.properties"))) {
            shipped.load(r);
        }
        for (String key : KernelSettings.knownKeys()) {
            assertThat(docs).as("docs/CONFIGURATION.md documents " + key).contains("`" + key + "`");
            assertThat(shipped.stringPropertyNames())
                    .as("conf/microrpc.properties lists " + key)
                    .contains(key);
        }
        assertThat(KernelSettings.fromProperties(shipped).serverPort()).isEqualTo(7420);
    }

    /** The table of live keys names exactly the keys a running kernel applies; every other key needs a restart. */
    @Test
    void theLiveKeysAreExactlyTheOnesDocumentedAsLive() throws IOException {
        String docs = Files.readString(ROOT.resolve("docs/CONFIGURATION.md"));
        int start = docs.indexOf("## Changing the configuration of a running kernel");
        String section = docs.substring(start, docs.indexOf("\n## ", start + 1));
        for (String key : KernelSettings.knownKeys()) {
            assertThat(section.contains("`" + key + "`"))
                    .as("the live-key table names " + key + " iff it is live")
                    .isEqualTo(KernelSettings.isLive(key));
        }
        assertThat(KernelSettings.isLive("loadbalancer[io.example.S]")).isTrue();
        assertThat(KernelSettings.isLive("cluster.failover.retries")).isTrue();
    }
}
