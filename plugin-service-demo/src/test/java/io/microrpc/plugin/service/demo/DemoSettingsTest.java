package io.microrpc.plugin.service.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.PluginConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoSettingsTest {

    @Test
    void defaults() {
        DemoSettings d = DemoSettings.DEFAULTS;

        assertThat(d.maxUsers).isEqualTo(100_000);
        assertThat(d.maxStringLength).isEqualTo(256);
        assertThat(d.maxTags).isEqualTo(32);
        assertThat(d.maxAttributes).isEqualTo(32);
        assertThat(d.maxStoredBytes).isEqualTo(64L * 1024 * 1024);
        assertThat(d.key(DemoSettings.MAX_USERS)).isEqualTo("service.demo.max-users");
    }

    @Test
    void sizesTakeTheKernelsUnits() {
        assertThat(parse("max-stored-bytes", "1000").maxStoredBytes).isEqualTo(1000);
        assertThat(parse("max-stored-bytes", "512KiB").maxStoredBytes).isEqualTo(512 * 1024);
        assertThat(parse("max-stored-bytes", "8 MiB").maxStoredBytes).isEqualTo(8 * 1024 * 1024);
        assertThat(parse("max-stored-bytes", "2g").maxStoredBytes).isEqualTo(2L * 1024 * 1024 * 1024);
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> parse("max-users", "-1"))
                .hasMessage("service.demo.max-users: '-1' (expected: >= 0 users; 0 refuses every createUser)");
        assertThatThrownBy(() -> parse("max-users", "many"))
                .hasMessage("service.demo.max-users: 'many' (expected: an integer)");
        assertThatThrownBy(() -> parse("max-string-length", "0"))
                .hasMessage("service.demo.max-string-length: '0' (expected: >= 1 characters)");
        assertThatThrownBy(() -> parse("max-tags", "-5")).hasMessageContaining("service.demo.max-tags: '-5'");
        assertThatThrownBy(() -> parse("max-attributes", "-5"))
                .hasMessageContaining("service.demo.max-attributes: '-5'");
        assertThatThrownBy(() -> parse("max-stored-bytes", "64GB?"))
                .hasMessage(
                        "service.demo.max-stored-bytes: '64GB?' (expected: a size in bytes such as 67108864, 512KiB or 64MiB)");
        assertThatThrownBy(() -> parse("max-stored-bytes", "MiB")).hasMessageContaining("'MiB'");
        assertThatThrownBy(() -> parse("max-stored-bytes", "99999999999999999GiB"))
                .hasMessageContaining("expected: a size");
    }

    private static DemoSettings parse(String key, String value) {
        return DemoSettings.parse(PluginConfig.of("service.demo.", Map.of(key, value)));
    }
}
