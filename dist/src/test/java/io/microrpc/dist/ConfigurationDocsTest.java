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
            assertThat(shipped.stringPropertyNames()).as("conf/microrpc.properties lists " + key).contains(key);
        }
        assertThat(KernelSettings.fromProperties(shipped).serverPort()).isEqualTo(7420);
    }
}
