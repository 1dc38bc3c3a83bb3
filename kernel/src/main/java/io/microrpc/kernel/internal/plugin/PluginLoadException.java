package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.plugin.PluginReport;

/** A plugin JAR that could not be loaded or started; carries the report state and the reason. */
final class PluginLoadException extends Exception {

    private static final long serialVersionUID = 1L;

    final PluginReport.State state;

    PluginLoadException(PluginReport.State state, String reason, Throwable cause) {
        super(reason, cause);
        this.state = state;
    }
}
