package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;

/**
 * Moves payload values between a {@link Serializer} and the kernel's pooled buffers. Serializers see
 * plain JDK streams (so plugins never depend on Netty), backed directly by the frame's buffer: no
 * intermediate byte arrays.
 */
final class PayloadCodec {

    private PayloadCodec() {}

    static void writeValues(ByteBuf buf, Serializer serializer, Object[] values, Class<?>[] types) throws IOException {
        if (types.length == 0) {
            return;
        }
        ByteBufOutputStream out = new ByteBufOutputStream(buf);
        ClassLoader previous = ContextLoader.enter(serializer);
        try {
            for (int i = 0; i < types.length; i++) {
                serializer.write(out, values[i], types[i]);
            }
        } finally {
            ContextLoader.exit(previous);
        }
    }

    static void writeValue(ByteBuf buf, Serializer serializer, Object value, Class<?> type) throws IOException {
        if (type == void.class || type == Void.class) {
            return;
        }
        ClassLoader previous = ContextLoader.enter(serializer);
        try {
            serializer.write(new ByteBufOutputStream(buf), value, type);
        } finally {
            ContextLoader.exit(previous);
        }
    }

    static Object[] readValues(ByteBuf buf, Serializer serializer, Class<?>[] types, AllowedTypes allowed)
            throws IOException {
        Object[] values = new Object[types.length];
        if (types.length == 0) {
            return values;
        }
        PayloadInputStream in = new PayloadInputStream(buf);
        ClassLoader previous = ContextLoader.enter(serializer);
        try {
            for (int i = 0; i < types.length; i++) {
                values[i] = checked(serializer.read(in, types[i], allowed), types[i]);
            }
        } finally {
            ContextLoader.exit(previous);
        }
        return values;
    }

    static Object readValue(ByteBuf buf, Serializer serializer, Class<?> type, AllowedTypes allowed)
            throws IOException {
        if (type == void.class || type == Void.class) {
            return null;
        }
        ClassLoader previous = ContextLoader.enter(serializer);
        try {
            return checked(serializer.read(new PayloadInputStream(buf), type, allowed), type);
        } finally {
            ContextLoader.exit(previous);
        }
    }

    /** A serializer that returns a value of the wrong type is a bug in it; fail here, not in user code. */
    private static Object checked(Object value, Class<?> type) throws IOException {
        if (value == null) {
            if (type.isPrimitive()) {
                throw new IOException("null for primitive type " + type.getName());
            }
            return null;
        }
        if (!type.isPrimitive() && !type.isInstance(value)) {
            throw new IOException(
                    "serializer returned " + value.getClass().getName() + " for declared type " + type.getName());
        }
        return value;
    }
}
