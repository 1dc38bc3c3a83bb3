package io.microrpc.kernel.testplugins;

import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Serializer;
import java.io.InputStream;
import java.io.OutputStream;
import org.pf4j.Extension;

/** A serializer whose {@link #start} fails, as one whose native library or tables are missing would. */
@Extension
public final class BrokenStartCodec implements Serializer {

    public static final String FAILURE = "codec tables missing (broken on purpose)";

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public byte id() {
        return 110;
    }

    @Override
    public void start(PluginContext context) {
        throw new IllegalStateException(FAILURE);
    }

    @Override
    public void write(OutputStream out, Object value, Class<?> declaredType) {
        throw new UnsupportedOperationException("never started");
    }

    @Override
    public Object read(InputStream in, Class<?> declaredType, AllowedTypes allowed) {
        throw new UnsupportedOperationException("never started");
    }
}
