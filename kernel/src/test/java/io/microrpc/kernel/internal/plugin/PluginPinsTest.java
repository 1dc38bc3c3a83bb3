package io.microrpc.kernel.internal.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.kernel.config.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The format of a pinning file: what it accepts, and the messages for what it refuses. */
class PluginPinsTest {

    private static final Path FILE = Path.of("/etc/microrpc/plugins.allow");
    private static final String A = "a".repeat(64);
    private static final String B = "0123456789abcdef".repeat(4);

    @Test
    void commentsBlankLinesAndTrailingCommentsAreIgnored() {
        PluginPins pins = PluginPins.parse(
                FILE,
                "# reviewed 2026-12-02\r\n\n  lb-x   1.0.0\t" + A.toUpperCase() + "  # plugin-lb-x-1.0.0.jar\r\n"
                        + "lb-x 1.0.0 " + B + "\nlb-x 1.0.0 " + B + "\n");

        assertThat(pins.allows("lb-x", "1.0.0", A)).as("hex digits in any case").isTrue();
        assertThat(pins.allows("lb-x", "1.0.0", B))
                .as("two builds of one version")
                .isTrue();
        assertThat(pins.allows("lb-x", "1.0.1", A)).isFalse();
        assertThat(pins.allows("lb-y", "1.0.0", A)).isFalse();
        assertThat(pins.pinned("lb-x", "1.0.0")).containsExactly(B, A);
        assertThat(pins.size()).isEqualTo(2);
        assertThat(PluginPins.parse(FILE, "").size())
                .as("an empty file allows nothing")
                .isZero();
    }

    @Test
    void aMalformedLineIsNamedWithItsNumberAndWhatIsWrong() {
        assertThatThrownBy(() -> PluginPins.parse(FILE, "# x\nlb-x 1.0.0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("plugins.allow: /etc/microrpc/plugins.allow line 2: 'lb-x 1.0.0' has 2 fields (expected: 3,"
                        + " <plugin-id> <version> <sha256-hex>, as bin/microrpc plugins --pins prints them)");
        assertThatThrownBy(() -> PluginPins.parse(FILE, "lb-x 1.0.0 " + A + " extra"))
                .hasMessageContaining("line 1: ")
                .hasMessageContaining("has 4 fields");
        assertThatThrownBy(() -> PluginPins.parse(FILE, "lb-x 1.0.0 " + A.substring(1)))
                .hasMessageContaining("line 1: sha256 '" + A.substring(1) + "' has 63 characters (expected: 64 hex"
                        + " digits, as sha256sum prints)");
        assertThatThrownBy(() -> PluginPins.parse(FILE, "lb-x 1.0.0 " + "z".repeat(64)))
                .hasMessageContaining("is not hexadecimal");
    }
}
