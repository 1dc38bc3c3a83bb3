package io.microrpc.plugin.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZookeeperSettingsTest {

    private static final Path DATA = Path.of("/data/plugins/registry-zookeeper");

    private static ZookeeperSettings parse(Map<String, String> keys) {
        return ZookeeperSettings.parse(PluginConfig.of("registry.zookeeper.", keys), DATA);
    }

    @Test
    void defaultsMeanTheEmbeddedServer() {
        ZookeeperSettings s = parse(Map.of());

        assertThat(s.embedded()).isTrue();
        assertThat(s.embeddedPort()).isEqualTo(2181);
        assertThat(s.embeddedDataDir()).isEqualTo(DATA.resolve("zookeeper"));
        assertThat(s.snapshotDir()).isEqualTo(DATA.resolve("snapshots"));
        assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.retryBase()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.retryMax()).isEqualTo(3);
        assertThat(s.root()).isEqualTo("/microrpc");
        assertThat(s.auth()).isEmpty();
        assertThat(s.emptyProtection()).isTrue();
    }

    @Test
    void anAddressWithAChrootIsSplit() {
        ZookeeperSettings s = parse(Map.of("address", "zk1:2181,zk2:2181/apps/rpc", "session-timeout", "10s"));

        assertThat(s.embedded()).isFalse();
        assertThat(s.connectString()).isEqualTo("zk1:2181,zk2:2181");
        assertThat(s.chroot()).isEqualTo("/apps/rpc");
        assertThat(s.describeAddress()).isEqualTo("zk1:2181,zk2:2181/apps/rpc");
        assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void invalidValuesNameTheKeyTheValueAndTheExpectation() {
        assertThatThrownBy(() -> parse(Map.of("address", "zk1:2181/")))
                .hasMessage(
                        "registry.zookeeper.address: 'zk1:2181/' (expected: host:port[,host:port...][/chroot], e.g. zk1:2181,zk2:2181/microrpc)");
        assertThatThrownBy(() -> parse(Map.of("session-timeout", "0s")))
                .hasMessage(
                        "registry.zookeeper.session-timeout: '0s' (expected: a positive duration such as 250ms or 30s)");
        assertThatThrownBy(() -> parse(Map.of("connection-timeout", "soon")))
                .hasMessageStartingWith("registry.zookeeper.connection-timeout: 'soon'");
        assertThatThrownBy(() -> parse(Map.of("retry-max", "30")))
                .hasMessage("registry.zookeeper.retry-max: '30' (expected: 0-29 retries)");
        assertThatThrownBy(() -> parse(Map.of("root", "microrpc")))
                .hasMessage(
                        "registry.zookeeper.root: 'microrpc' (expected: an absolute ZooKeeper path such as /microrpc)");
        assertThatThrownBy(() -> parse(Map.of("auth", "nopassword")))
                .hasMessage("registry.zookeeper.auth: '<hidden>' (expected: user:password for a digest ACL)");
        assertThatThrownBy(() -> parse(Map.of("embedded-port", "0")))
                .hasMessage("registry.zookeeper.embedded-port: '0' (expected: 1-65535)");
        assertThatThrownBy(() -> parse(Map.of("empty-protection", "maybe")))
                .hasMessage("registry.zookeeper.empty-protection: 'maybe' (expected: true or false)");
    }
}
