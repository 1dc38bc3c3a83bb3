package io.microrpc.dist;

import io.microrpc.kernel.launcher.Launcher;
import io.microrpc.kernel.launcher.LogLevel;

/** The distribution's entry point: the kernel launcher plus the demo command. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        LogLevel.decide(args); // before anything creates a logger
        System.exit(Launcher.commandLine(new DemoCommand()).execute(args));
    }
}
