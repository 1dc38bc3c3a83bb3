package io.microrpc.kernel.plugin;

import java.util.List;

/**
 * What happened to one JAR of the plugins folder: loaded and started with its extensions, or refused
 * and why. Immutable.
 */
public final class PluginReport {

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
        /** Not usable as it is: not a plugin, incompatible, a duplicate, no extensions. */
        REFUSED
    }

    private final String file;
    private final String pluginId;
    private final String version;
    private final State state;
    private final List<String> extensions;
    private final String reason;

    public PluginReport(
            String file, String pluginId, String version, State state, List<String> extensions, String reason) {
        this.file = file;
        this.pluginId = pluginId;
        this.version = version;
        this.state = state;
        this.extensions = List.copyOf(extensions);
        this.reason = reason;
    }

    public static PluginReport failed(String file, String pluginId, String version, State state, String reason) {
        return new PluginReport(file, pluginId, version, state, List.of(), reason);
    }

    public String file() {
        return file;
    }

    /** Null when the JAR's manifest could not be read. */
    public String pluginId() {
        return pluginId;
    }

    public String version() {
        return version;
    }

    public State state() {
        return state;
    }

    /** {@code point:name} of each extension, e.g. {@code serializer:protostuff}. */
    public List<String> extensions() {
        return extensions;
    }

    /** Why the JAR was not used; null when it started. */
    public String reason() {
        return reason;
    }

    /** Whether its extensions serve calls: {@code STARTED}, or {@code KEPT} after its JAR went. */
    public boolean isStarted() {
        return state == State.STARTED || state == State.KEPT;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PluginReport)) {
            return false;
        }
        PluginReport r = (PluginReport) o;
        return java.util.Objects.equals(file, r.file)
                && java.util.Objects.equals(pluginId, r.pluginId)
                && java.util.Objects.equals(version, r.version)
                && state == r.state
                && extensions.equals(r.extensions)
                && java.util.Objects.equals(reason, r.reason);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(file, pluginId, version, state);
    }

    @Override
    public String toString() {
        return file + ": " + (pluginId == null ? "?" : pluginId + ' ' + version) + ' ' + state
                + (state == State.STARTED ? " " + extensions : " — " + reason);
    }
}
