package io.microrpc.kernel.testplugins;

import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.pf4j.Extension;

/** A second working serializer (id 102, "twin"), for plugins that must not clash with {@link PluginCodec}. */
@Extension
public final class TwinCodec implements Serializer {

    private final Serializer delegate = new JavaTestSerializer((byte) 102, "twin");

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
        delegate.write(out, value, declaredType);
    }

    @Override
    public Object read(InputStream in, Class<?> declaredType, AllowedTypes allowed) throws IOException {
        return delegate.read(in, declaredType, allowed);
    }
}
