package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import io.protostuff.Schema;
import io.protostuff.runtime.HasSchema;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A declared concrete class: protostuff's runtime schema of exactly that class, so no class name is
 * written for the value itself (only for polymorphic fields inside it). A subclass instance is written
 * as the declared class: fields only the subclass has are not sent.
 */
final class SchemaCodec implements ValueCodec {

    private final HasSchema<Object> schema;

    SchemaCodec(HasSchema<Object> schema) {
        this.schema = schema;
    }

    @Override
    public void write(OutputStream out, Object value) throws IOException {
        PortableOutput.write(out, value, schema.getSchema());
    }

    @Override
    public Object read(byte[] body, AllowedTypes allowed) throws IOException {
        Schema<Object> s = schema.getSchema();
        Object message = s.newMessage();
        BoundedInput.merge(body, s, message, allowed);
        return message;
    }
}
