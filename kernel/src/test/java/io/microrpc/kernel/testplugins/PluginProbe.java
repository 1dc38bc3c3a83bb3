package io.microrpc.kernel.testplugins;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where test plugin extensions report that they ran. Never packaged into a plugin JAR, so every
 * plugin class loader finds this one class on the application class path, and the test sees what
 * the plugins recorded.
 */
public final class PluginProbe {

    private static final Set<ClassLoader> SERIALIZER_LOADERS = ConcurrentHashMap.newKeySet();

    private PluginProbe() {}

    /** A serializer loaded by {@code loader} wrote or read a value. */
    public static void serialized(ClassLoader loader) {
        SERIALIZER_LOADERS.add(loader);
    }

    public static Set<ClassLoader> serializerLoaders() {
        return Set.copyOf(SERIALIZER_LOADERS);
    }

    public static void reset() {
        SERIALIZER_LOADERS.clear();
    }
}
