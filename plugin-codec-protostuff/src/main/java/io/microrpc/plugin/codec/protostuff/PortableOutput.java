package io.microrpc.plugin.codec.protostuff;

import io.protostuff.ByteString;
import io.protostuff.Input;
import io.protostuff.LinkedBuffer;
import io.protostuff.Output;
import io.protostuff.ProtostuffOutput;
import io.protostuff.Schema;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Collections;

/**
 * The protostuff {@link Output} of one {@link ProtostuffSerializer#write} call: writes the
 * {@code java.util.Collections} wrappers ({@code emptyList()}, {@code unmodifiableMap(...)},
 * {@code singletonList(...)}, ...) as plain collections.
 *
 * <p>Why: protostuff encodes those wrappers by reflecting into their private fields, which Java 17
 * refuses; the first such value fails protostuff's {@code PolymorphicCollectionSchema} initializer,
 * and from then on every use of it fails in that class loader. Services return these wrappers all the
 * time. In an {@code Object}-typed position the wrapper is copied into its portable class first
 * ({@link PortableCollections#copyOf}); typed collection fields iterate the wrapper and need no copy.
 *
 * <p>Nested objects are routed through this output so every level is seen. Not thread-safe: one
 * instance per write.
 */
final class PortableOutput implements Output {

    private final Output out;

    private PortableOutput(Output out) {
        this.out = out;
    }

    /** Writes {@code message} to {@code stream}: its length (+1, 0 meaning null), then its fields. */
    static <T> void write(OutputStream stream, T message, Schema<T> schema) throws IOException {
        LinkedBuffer buffer = LinkedBuffer.allocate();
        ProtostuffOutput output = new ProtostuffOutput(buffer);
        schema.writeTo(new PortableOutput(output), message);
        Frames.writePrefix(stream, output.getSize());
        LinkedBuffer.writeTo(stream, buffer);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> void writeObject(int fieldNumber, T value, Schema<T> schema, boolean repeated) throws IOException {
        T portable = value;
        if (schema.typeClass() == Object.class
                && value != null
                && value.getClass().getDeclaringClass() == Collections.class) {
            portable = (T) PortableCollections.copyOf(value);
        }
        out.writeObject(fieldNumber, portable, new Redirect<>(schema, this), repeated);
    }

    /**
     * Hands {@code schema} this output instead of the protostuff output that writes the group's
     * delimiters (the output's tag writing is not public API).
     */
    private static final class Redirect<T> implements Schema<T> {

        private final Schema<T> schema;
        private final PortableOutput output;

        Redirect(Schema<T> schema, PortableOutput output) {
            this.schema = schema;
            this.output = output;
        }

        @Override
        public void writeTo(Output ignored, T message) throws IOException {
            schema.writeTo(output, message);
        }

        @Override
        public void mergeFrom(Input input, T message) {
            throw new UnsupportedOperationException("write only");
        }

        @Override
        public String getFieldName(int number) {
            return schema.getFieldName(number);
        }

        @Override
        public int getFieldNumber(String name) {
            return schema.getFieldNumber(name);
        }

        @Override
        public boolean isInitialized(T message) {
            return schema.isInitialized(message);
        }

        @Override
        public T newMessage() {
            return schema.newMessage();
        }

        @Override
        public String messageName() {
            return schema.messageName();
        }

        @Override
        public String messageFullName() {
            return schema.messageFullName();
        }

        @Override
        public Class<? super T> typeClass() {
            return schema.typeClass();
        }
    }

    // ---- plain delegation

    @Override
    public void writeInt32(int fieldNumber, int value, boolean repeated) throws IOException {
        out.writeInt32(fieldNumber, value, repeated);
    }

    @Override
    public void writeUInt32(int fieldNumber, int value, boolean repeated) throws IOException {
        out.writeUInt32(fieldNumber, value, repeated);
    }

    @Override
    public void writeSInt32(int fieldNumber, int value, boolean repeated) throws IOException {
        out.writeSInt32(fieldNumber, value, repeated);
    }

    @Override
    public void writeFixed32(int fieldNumber, int value, boolean repeated) throws IOException {
        out.writeFixed32(fieldNumber, value, repeated);
    }

    @Override
    public void writeSFixed32(int fieldNumber, int value, boolean repeated) throws IOException {
        out.writeSFixed32(fieldNumber, value, repeated);
    }

    @Override
    public void writeInt64(int fieldNumber, long value, boolean repeated) throws IOException {
        out.writeInt64(fieldNumber, value, repeated);
    }

    @Override
    public void writeUInt64(int fieldNumber, long value, boolean repeated) throws IOException {
        out.writeUInt64(fieldNumber, value, repeated);
    }

    @Override
    public void writeSInt64(int fieldNumber, long value, boolean repeated) throws IOException {
        out.writeSInt64(fieldNumber, value, repeated);
    }

    @Override
    public void writeFixed64(int fieldNumber, long value, boolean repeated) throws IOException {
        out.writeFixed64(fieldNumber, value, repeated);
    }

    @Override
    public void writeSFixed64(int fieldNumber, long value, boolean repeated) throws IOException {
        out.writeSFixed64(fieldNumber, value, repeated);
    }

    @Override
    public void writeFloat(int fieldNumber, float value, boolean repeated) throws IOException {
        out.writeFloat(fieldNumber, value, repeated);
    }

    @Override
    public void writeDouble(int fieldNumber, double value, boolean repeated) throws IOException {
        out.writeDouble(fieldNumber, value, repeated);
    }

    @Override
    public void writeBool(int fieldNumber, boolean value, boolean repeated) throws IOException {
        out.writeBool(fieldNumber, value, repeated);
    }

    @Override
    public void writeEnum(int fieldNumber, int value, boolean repeated) throws IOException {
        out.writeEnum(fieldNumber, value, repeated);
    }

    @Override
    public void writeString(int fieldNumber, CharSequence value, boolean repeated) throws IOException {
        out.writeString(fieldNumber, value, repeated);
    }

    @Override
    public void writeBytes(int fieldNumber, ByteString value, boolean repeated) throws IOException {
        out.writeBytes(fieldNumber, value, repeated);
    }

    @Override
    public void writeByteArray(int fieldNumber, byte[] value, boolean repeated) throws IOException {
        out.writeByteArray(fieldNumber, value, repeated);
    }

    @Override
    public void writeByteRange(
            boolean utf8String, int fieldNumber, byte[] value, int offset, int length, boolean repeated)
            throws IOException {
        out.writeByteRange(utf8String, fieldNumber, value, offset, length, repeated);
    }

    @Override
    public void writeBytes(int fieldNumber, ByteBuffer value, boolean repeated) throws IOException {
        out.writeBytes(fieldNumber, value, repeated);
    }
}
