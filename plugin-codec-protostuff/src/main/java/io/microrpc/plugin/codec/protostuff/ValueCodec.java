package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes and reads the non-null values of one declared type. Chosen once per declared type by
 * {@link ProtostuffSerializer}; stateless, thread-safe.
 */
interface ValueCodec {

    /** Writes {@code value} (non-null, an instance of the declared type) with its {@link Frames} prefix. */
    void write(OutputStream out, Object value) throws IOException;

    /** Reads the value whose body is {@code body}, instantiating only what {@code allowed} admits. */
    Object read(byte[] body, AllowedTypes allowed) throws IOException;
}
