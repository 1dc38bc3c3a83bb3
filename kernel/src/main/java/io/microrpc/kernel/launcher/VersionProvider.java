package io.microrpc.kernel.launcher;

import io.microrpc.kernel.MicroRpc;
import picocli.CommandLine.IVersionProvider;

/** Prints the kernel version for {@code microrpc --version}. */
public final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"microrpc " + MicroRpc.version()};
    }
}
