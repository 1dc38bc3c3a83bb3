package io.microrpc.kernel.plugin;

import java.util.List;

/**
 * What happened to one JAR of the plugins folder: loaded and started with its extensions, or refused
 * and why. Immutable.
 *
 * @param file the JAR's file name
 * @param pluginId null when the JAR's manifest could not be read
 * @param version the plugin's version
 * @param state the outcome
 * @param extensions {@code point:name} of each extension, e.g. {@code serializer:protostuff}
 * @param reason why the JAR was not used; null when it started
 */
public record PluginReport(
        String file, String pluginId, String version, State state, List<String> extensions, String reason) {

    /** The outcome for one JAR. */
    public enum State {
        /** Loaded, started, and its extensions are available. */
        STARTED,
        /** A valid older version of a plugin whose newer version is active; takes over if that one is removed. */
        STANDBY,
        /**
         * Still loaded and serving though its JAR was removed or replaced, because the replacement is not
         * usable (yet): being written, not a valid JAR, refused or failing to start. The reason says which.
         */
        KEPT,
        /** Loading or starting failed. */
        FAILED,
        /** Its {@code start()} is running now (for at most {@code plugins.start-timeout}); not yet usable. */
        STARTING,
        /**
         * Not usable as it is: not a plugin, incompatible, a duplicate, no extensions, or not allowed by the
         * pinning file ({@code plugins.allow}: then none of its code ran).
         */
        REFUSED
    }

    public PluginReport {
        extensions = List.copyOf(extensions);
    }

    public static PluginReport failed(String file, String pluginId, String version, State state, String reason) {
        return new PluginReport(file, pluginId, version, state, List.of(), reason);
    }

    /** Whether its extensions serve calls: {@code STARTED}, or {@code KEPT} after its JAR went. */
    public boolean isStarted() {
        return state == State.STARTED || state == State.KEPT;
    }

    @Override
    public String toString() {
        return file + ": " + (pluginId == null ? "?" : pluginId + ' ' + version) + ' ' + state
                + (state == State.STARTED ? " " + extensions : " — " + reason);
    }
}
