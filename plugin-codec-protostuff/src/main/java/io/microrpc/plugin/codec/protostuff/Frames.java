package io.microrpc.plugin.codec.protostuff;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * How one value is delimited in the kernel's stream: a varint prefix, 0 for null, else the body's
 * length plus one, then the body. The prefix makes every value self-delimiting, so values written
 * back to back are read back one by one, and it lets the reader check the length before it trusts it.
 */
final class Frames {

    /** The whole encoding of a null value. */
    static final int NULL = 0;

    private Frames() {}

    /** Writes the prefix of a body of {@code length} bytes. */
    static void writePrefix(OutputStream out, int length) throws IOException {
        if (length < 0 || length == Integer.MAX_VALUE) {
            throw new IOException("value of " + length + " bytes (expected: 0-" + (Integer.MAX_VALUE - 1) + ")");
        }
        writeVarint(out, length + 1);
    }

    private static void writeVarint(OutputStream out, int value) throws IOException {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /** The prefix: {@link #NULL}, or the body's length plus one. */
    static int readPrefix(InputStream in) throws IOException {
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(
                        shift == 0
                                ? "truncated payload: the stream ended where a value was expected"
                                : "truncated payload: the stream ended inside a value's length");
            }
            if (shift == 28 && (b & 0xF8) != 0) {
                throw new IOException("malformed payload: a value's length exceeds 2^31 - 1 bytes");
            }
            result |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IOException("malformed payload: unterminated length prefix");
    }

    /**
     * The next {@code length} bytes. Allocates as the bytes arrive (InputStream.readNBytes), never the
     * declared length up front, so a lying prefix costs at most the bytes actually there.
     */
    static byte[] readBody(InputStream in, int length) throws IOException {
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new EOFException(
                    "truncated payload: a value declares " + length + " bytes, only " + body.length + " remain");
        }
        return body;
    }
}
