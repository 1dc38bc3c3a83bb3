package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.PluginConfig;
import java.util.Set;

/** Refuses configuration keys an extension does not know, so a typo cannot go unnoticed. Stateless. */
final class ConfigKeys {

    private ConfigKeys() {}

    static void checkKnown(PluginConfig config, Set<String> known) {
        for (String key : config.asMap().keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(config.prefix() + key + ": unknown key (expected: one of "
                        + known.stream().sorted().map(k -> config.prefix() + k).toList() + ")");
            }
        }
    }
}
