package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.config.KernelSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The shipped configuration file lists every kernel key and loads. That docs/CONFIGURATION.md documents
 * each key as declared is the kernel's {@code ConfigurationDocTest}.
 */
class ConfigurationDocsTest {

    @Test
    void everyKeyIsShippedAndTheShippedFileLoads() throws IOException {
        Properties shipped = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("src/main/conf/microrpc.properties"))) {
            shipped.load(r);
        }
        assertThat(shipped.stringPropertyNames()).containsAll(KernelSettings.knownKeys());
        KernelSettings settings = KernelSettings.fromProperties(shipped);
        assertThat(settings.serverPort()).isEqualTo(7420);
        assertThat(settings.adminPort())
                .as("CONFIGURATION.md says the shipped file sets admin.port 7421")
                .isEqualTo(7421);
        assertThat(settings.loadbalancer()).isEqualTo("p2c,round-robin");
        assertThat(settings.cluster()).isEqualTo("failover");
    }
}
