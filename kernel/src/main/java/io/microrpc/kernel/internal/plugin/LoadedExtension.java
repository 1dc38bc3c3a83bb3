package io.microrpc.kernel.internal.plugin;

import io.microrpc.spi.Pluggable;

/**
 * A started extension and where it came from: a plugin id and version (or the embedding application),
 * and the class loader that is the thread's context loader while its code runs.
 */
public final class LoadedExtension {

    private final Pluggable extension;
    private final String pluginId;
    private final String pluginVersion;

    public LoadedExtension(Pluggable extension, String pluginId, String pluginVersion) {
        this.extension = extension;
        this.pluginId = pluginId;
        this.pluginVersion = pluginVersion;
    }

    public Pluggable extension() {
        return extension;
    }

    public String name() {
        return extension.name();
    }

    public String pluginId() {
        return pluginId;
    }

    public String pluginVersion() {
        return pluginVersion;
    }

    public ClassLoader loader() {
        return extension.getClass().getClassLoader();
    }

    @Override
    public String toString() {
        return extension.name() + " (" + pluginId + ' ' + pluginVersion + ')';
    }
}
