package io.microrpc.dist.archfixtures.plugin.a;

import io.microrpc.kernel.MicroRpc;

/** Fixture: a "plugin" that references the kernel, which the architecture rules must reject. */
public final class PluginUsingKernel {

    public String version() {
        return MicroRpc.version();
    }
}
