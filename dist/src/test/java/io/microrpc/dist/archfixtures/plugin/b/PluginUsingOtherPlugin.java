package io.microrpc.dist.archfixtures.plugin.b;

import io.microrpc.dist.archfixtures.plugin.a.PluginUsingKernel;

/** Fixture: a "plugin" that references another plugin, which the architecture rules must reject. */
public final class PluginUsingOtherPlugin {

    public String version() {
        return new PluginUsingKernel().version();
    }
}
