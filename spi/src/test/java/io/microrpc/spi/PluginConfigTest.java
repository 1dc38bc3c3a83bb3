package io.microrpc.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.RequestContext.Side;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginConfigTest {

    private static PluginConfig side(String value) {
        return PluginConfig.of("filter.x.", value == null ? Map.of() : Map.of("side", value));
    }

    @Test
    void sidesAreServerClientOrBoth() {
        assertThat(side(null).getSides("side", "server")).containsExactly(Side.SERVER);
        assertThat(side(" Client ").getSides("side", "server")).containsExactly(Side.CLIENT);
        assertThat(side("both").getSides("side", "server")).containsExactlyInAnyOrder(Side.SERVER, Side.CLIENT);
        assertThatThrownBy(() -> side("sever").getSides("side", "server"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filter.x.side")
                .hasMessageContaining("sever")
                .hasMessageContaining("server, client or both");
    }
}
