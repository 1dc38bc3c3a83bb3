package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import io.protostuff.Schema;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A declared type that does not fix the concrete class: {@code Object}, interfaces ({@code List},
 * {@code Map}, ...), abstract classes, arrays, JDK value classes. The value travels in a one-field
 * holder whose field is {@code Object}, so protostuff writes the concrete class (or its collection,
 * scalar or delegate id) and the reader resolves it through the allow-list. What comes back must be an
 * instance of the declared type, or the payload is refused.
 */
final class HolderCodec implements ValueCodec {

    private final Class<?> declaredType;
    private final Schema<ObjectHolder> schema;

    /**
     * @param declaredType the declared type, boxed if primitive
     * @param schema the holder's schema, shared by all holder codecs of one serializer
     */
    HolderCodec(Class<?> declaredType, Schema<ObjectHolder> schema) {
        this.declaredType = declaredType;
        this.schema = schema;
    }

    @Override
    public void write(OutputStream out, Object value) throws IOException {
        PortableOutput.write(out, new ObjectHolder(value), schema);
    }

    @Override
    public Object read(byte[] body, AllowedTypes allowed) throws IOException {
        ObjectHolder holder = new ObjectHolder(null);
        BoundedInput.merge(body, schema, holder, allowed);
        Object value = holder.value;
        if (value != null && !declaredType.isInstance(value)) {
            throw new IOException("payload holds a " + value.getClass().getName() + " where " + declaredType.getName()
                    + " is declared");
        }
        return value;
    }

    /** The holder: protostuff writes a class name for an {@code Object} field, never for a root. */
    static final class ObjectHolder {

        Object value;

        ObjectHolder() {}

        ObjectHolder(Object value) {
            this.value = value;
        }
    }
}
