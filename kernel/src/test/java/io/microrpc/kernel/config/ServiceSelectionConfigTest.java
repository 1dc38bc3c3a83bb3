package io.microrpc.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ServiceSelectionConfigTest {

    @Test
    void perServiceKeysAreParsedAndUnknownKeysNameTheKnownOnes() {
        Properties p = new Properties();
        p.setProperty("loadbalancer", "p2c,round-robin");
        p.setProperty("loadbalancer[io.example.UserService]", "consistent-hash");
        p.setProperty("call.serializer[io.example.EchoService]", "fory");
        p.setProperty("registry.zookeeper.address", "zk1:2181");
        KernelSettings s = KernelSettings.fromProperties(p);
        assertThat(s.loadbalancer()).isEqualTo("p2c,round-robin");
        assertThat(s.serviceSelections())
                .containsEntry("loadbalancer", Map.of("io.example.UserService", "consistent-hash"))
                .containsEntry("serializer", Map.of("io.example.EchoService", "fory"));
        assertThat(s.extensionConfig("registry", "zookeeper").get("address")).contains("zk1:2181");

        Properties typo = new Properties();
        typo.setProperty("loadbalancr", "p2c");
        assertThatThrownBy(() -> KernelSettings.fromProperties(typo))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown configuration key 'loadbalancr'")
                .hasMessageContaining("loadbalancer[<service>]");
    }
}
