package io.microrpc.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.PluginConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing {@code microrpc.properties}: what is accepted, and how a mistake is reported. */
class KernelSettingsValidationTest {

    private static KernelSettings parse(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return KernelSettings.fromProperties(p);
    }

    @Test
    void unknownKeyIsRejectedWithAMessageListingTheKnownKeys() {
        assertThatThrownBy(() -> parse("heartbeat.intervall", "5s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'heartbeat.intervall'")
                .hasMessageContaining("heartbeat.interval")
                .hasMessageContaining("server.port")
                .hasMessageContaining("protocol.max-frame-size");
    }

    @Test
    void keyUnderAnUnknownExtensionPointIsRejected() {
        assertThatThrownBy(() -> parse("codec.protostuff.level", "3"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'codec.protostuff.level'")
                .hasMessageContaining("registry");
    }

    @ParameterizedTest
    @CsvSource({
        "8MiB, 8388608",
        "512KiB, 524288",
        "8 MiB, 8388608",
        "2048, 2048",
        "64k, 65536",
        "16MB, 16777216",
    })
    void frameSizeAcceptsBytesAndBinaryUnits(String text, int bytes) {
        assertThat(parse("protocol.max-frame-size", text).protocolMaxFrameSize())
                .isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8 bananas", "4096x", "1.5MiB", "8GiB", "lots", "99999999999", "9999999999999MiB", "-4096"})
    void frameSizeThatIsNotASizeIsRejectedNamingKeyAndValue(String text) {
        assertThatThrownBy(() -> parse("protocol.max-frame-size", text))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("protocol.max-frame-size")
                .hasMessageContaining(text);
    }

    @Test
    void frameSizeBelowTheMinimumNamesTheLimit() {
        assertThatThrownBy(() -> parse("protocol.max-frame-size", "512"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("protocol.max-frame-size: 512")
                .hasMessageContaining(">= 1024");
    }

    @Test
    void durationsAcceptTheDocumentedForms() {
        KernelSettings s = parse(
                "heartbeat.interval",
                "250ms",
                "call.timeout",
                "3s",
                "server.shutdown-timeout",
                "PT2M",
                "reconnect.max-backoff",
                "1m");
        assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.callTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.serverShutdownTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.reconnectMaxBackoff()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void badDurationNamesTheKeyTheValueAndTheExpectedForm() {
        assertThatThrownBy(() -> parse("heartbeat.interval", "soon"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("heartbeat.interval")
                .hasMessageContaining("'soon'")
                .hasMessageContaining("250ms");
    }

    @Test
    void zeroDurationWhereOnlyPositiveMakesSenseIsRejected() {
        assertThatThrownBy(() -> parse("call.timeout", "0ms"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("call.timeout")
                .hasMessageContaining("> 0");
    }

    @Test
    void badIntegerAndBooleanNameTheKey() {
        assertThatThrownBy(() -> parse("server.port", "seventy"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.port")
                .hasMessageContaining("'seventy'");
        assertThatThrownBy(() -> parse("server.port", "70000"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.port: 70000");
        assertThatThrownBy(() -> parse("plugins.watch", "yes"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("plugins.watch")
                .hasMessageContaining("true or false");
    }

    @Test
    void weightAndMetricsKeysNameTheKeyAndTheRange() {
        assertThat(parse("server.weight", "0").serverWeight()).isZero();
        assertThat(parse("metrics.enabled", "false").metricsEnabled()).isFalse();
        assertThatThrownBy(() -> parse("server.weight", "1000001"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.weight")
                .hasMessageContaining("0-1000000");
        assertThatThrownBy(() -> parse("server.weight", "-1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.weight")
                .hasMessageContaining("0-1000000");
        assertThatThrownBy(() -> parse("metrics.enabled", "yes"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.enabled")
                .hasMessageContaining("true or false");
    }

    @Test
    void extensionKeysReachTheExtensionsConfigWithoutThePrefix() {
        KernelSettings s = parse(
                "registry.zookeeper.address",
                "zk1:2181,zk2:2181",
                "registry.zookeeper.session-timeout",
                "30s",
                "loadbalancer.p2c.decay",
                "10s");

        PluginConfig zk = s.extensionConfig("registry", "zookeeper");
        assertThat(zk.prefix()).isEqualTo("registry.zookeeper.");
        assertThat(zk.asMap()).containsOnlyKeys("address", "session-timeout");
        assertThat(zk.get("address")).contains("zk1:2181,zk2:2181");
        assertThat(zk.getDuration("session-timeout", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.extensionConfig("loadbalancer", "p2c").asMap()).containsOnlyKeys("decay");
        assertThat(s.extensionConfig("registry", "nacos").asMap()).isEmpty();
    }

    @Test
    void extensionKeysSetInCodeAreCheckedLikeFileKeys() {
        KernelSettings s = KernelSettings.builder()
                .extensionKey("registry.zookeeper.address", "zk:2181")
                .build();
        assertThat(s.extensionConfig("registry", "zookeeper").get("address")).contains("zk:2181");
        assertThatThrownBy(() -> KernelSettings.builder().extensionKey("zookeeper.address", "zk:2181"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'zookeeper.address'");
    }

    @Test
    void backoffBoundsMustBeOrdered() {
        assertThatThrownBy(() -> parse("reconnect.initial-backoff", "5s", "reconnect.max-backoff", "1s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("reconnect.max-backoff")
                .hasMessageContaining("reconnect.initial-backoff");
    }

    @Test
    void loadingAFileNamesTheFileInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("microrpc.properties");
        Files.writeString(file, "server.port = 7421\ncall.timeout = 2s\n", StandardCharsets.UTF_8);
        KernelSettings s = KernelSettings.load(file);
        assertThat(s.serverPort()).isEqualTo(7421);
        assertThat(s.callTimeout()).isEqualTo(Duration.ofSeconds(2));

        Files.writeString(file, "call.timeout = forever\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> KernelSettings.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("call.timeout");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        KernelSettings d = KernelSettings.defaults();
        assertThat(d.protocolMaxFrameSize()).isEqualTo(8 * 1024 * 1024);
        assertThat(d.heartbeatMissedPongs()).isEqualTo(3);
        assertThat(d.callSerializer()).isEqualTo("protostuff");
    }
}
