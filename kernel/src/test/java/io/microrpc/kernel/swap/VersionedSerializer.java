package io.microrpc.kernel.swap;

import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Serializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.pf4j.Extension;

/**
 * The test serializer (id 100, "java-test") packaged into test plugin JARs, wire-compatible across
 * versions; reports its JAR's version to {@link SwapProbe}.
 */
@Extension
public final class VersionedSerializer implements Serializer {

    private final Serializer delegate = new JavaTestSerializer();
    private volatile String version = "unknown";

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public byte id() {
        return delegate.id();
    }

    @Override
    public void start(PluginContext context) throws IOException {
        version = VersionedBalancer.readVersion(getClass());
    }

    @Override
    public void write(OutputStream out, Object value, Class<?> declaredType) throws IOException {
        SwapProbe.served("serializer", version, getClass().getClassLoader());
        delegate.write(out, value, declaredType);
    }

    @Override
    public Object read(InputStream in, Class<?> declaredType, AllowedTypes allowed) throws IOException {
        return delegate.read(in, declaredType, allowed);
    }
}
