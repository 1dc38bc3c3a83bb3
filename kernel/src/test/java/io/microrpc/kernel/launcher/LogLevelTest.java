package io.microrpc.kernel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Listing and client commands print their output, not the kernel's start-up log. */
class LogLevelTest {

    private static String level(String explicit, String... args) {
        return LogLevel.of(List.of(args), explicit);
    }

    @Test
    void serveAndDemoLogAtInfo() {
        assertThat(level(null, "serve", "--port", "0")).isEqualTo("info");
        assertThat(level(null, "demo", "--seconds", "5")).isEqualTo("info");
    }

    @Test
    void listingAndClientCommandsLogWarningsOnly() {
        for (String command : new String[] {"plugins", "status", "switch", "weight", "stop", "help"}) {
            assertThat(level(null, command)).as(command).isEqualTo("warn");
        }
        assertThat(level(null, "weight", "-5")).isEqualTo("warn");
        assertThat(level(null, "--help")).isEqualTo("warn");
        assertThat(level(null)).isEqualTo("warn");
    }

    @Test
    void pluginsVerboseShowsHowPluginsLoad() {
        assertThat(level(null, "plugins", "--verbose")).isEqualTo("info");
        assertThat(level(null, "plugins", "-v", "--plugins-dir", "x")).isEqualTo("info");
    }

    @Test
    void anExplicitLevelWins() {
        assertThat(level("debug", "plugins")).isEqualTo("debug");
        assertThat(level(" error ", "serve")).isEqualTo("error");
        assertThat(level("", "plugins")).as("empty is unset").isEqualTo("warn");
    }
}
