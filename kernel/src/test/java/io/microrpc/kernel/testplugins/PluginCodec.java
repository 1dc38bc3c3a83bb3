package io.microrpc.kernel.testplugins;

import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.pf4j.Extension;

/** A working serializer for plugin JARs built in tests: Java serialization, id 101, "plugin-java". */
@Extension
public final class PluginCodec implements Serializer {

    private final Serializer delegate = new JavaTestSerializer((byte) 101, "plugin-java");

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public byte id() {
        return delegate.id();
    }

    @Override
    public void write(OutputStream out, Object value, Class<?> declaredType) throws IOException {
        PluginProbe.serialized(getClass().getClassLoader());
        delegate.write(out, value, declaredType);
    }

    @Override
    public Object read(InputStream in, Class<?> declaredType, AllowedTypes allowed) throws IOException {
        PluginProbe.serialized(getClass().getClassLoader());
        return delegate.read(in, declaredType, allowed);
    }
}
