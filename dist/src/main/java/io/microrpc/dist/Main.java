package io.microrpc.dist;

import io.microrpc.kernel.launcher.Launcher;

/** The distribution's entry point: the kernel launcher plus the demo command. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(Launcher.commandLine(new DemoCommand()).execute(args));
    }
}
