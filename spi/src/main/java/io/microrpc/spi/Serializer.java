package io.microrpc.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Turns call arguments and results into bytes and back.
 *
 * <p>The kernel writes a call's arguments one after the other into one stream, then reads them back
 * in the same order with the declared parameter types, so {@link #read} must consume exactly the
 * bytes {@link #write} produced for one value (write a length or a terminator if the format needs one).
 *
 * <p>Implementations are thread-safe and stateless per call; the kernel calls them from many threads
 * at once (IO threads and worker threads). They must not block. The streams are backed by the
 * kernel's pooled buffers; do not keep references to them after the call returns.
 *
 * <p><b>Safety:</b> {@link #read} may only instantiate {@code declaredType} and classes that
 * {@link AllowedTypes#resolve} returns; a payload naming any other class is refused with an
 * {@link IOException} whose message names the class. Never load a class named by the payload.
 */
public interface Serializer extends Pluggable {

    /**
     * The id carried in every frame header. Stable for the life of the format: a new version of a
     * plugin keeps its id. 1–127; 1 is protostuff.
     */
    byte id();

    /**
     * Writes one value of declared type {@code declaredType}; {@code value} may be null or an
     * instance of a subtype.
     */
    void write(OutputStream out, Object value, Class<?> declaredType) throws IOException;

    /**
     * Reads one value written by {@link #write} with the same declared type.
     *
     * @throws IOException when the bytes are malformed or name a class outside {@code allowed}; the
     *     message says which
     */
    Object read(InputStream in, Class<?> declaredType, AllowedTypes allowed) throws IOException;
}
