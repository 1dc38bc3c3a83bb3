package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Declared types with a fixed meaning (primitives, their boxes, {@code String}, {@code byte[]}),
 * written as bare bytes: no protostuff tag, no class name. The most common parameters of an RPC cost
 * one prefix byte plus their value. Integers are zig-zag varints, floating point is big-endian IEEE,
 * strings are UTF-8; a body of the wrong size is malformed.
 */
enum ScalarCodec implements ValueCodec {
    BOOLEAN {
        @Override
        byte[] encode(Object value) {
            return new byte[] {(byte) ((Boolean) value ? 1 : 0)};
        }

        @Override
        Object decode(byte[] body) throws IOException {
            if (body.length != 1 || (body[0] & 0xFE) != 0) {
                throw malformed(this, body);
            }
            return body[0] == 1;
        }
    },
    BYTE {
        @Override
        byte[] encode(Object value) {
            return new byte[] {(Byte) value};
        }

        @Override
        Object decode(byte[] body) throws IOException {
            if (body.length != 1) {
                throw malformed(this, body);
            }
            return body[0];
        }
    },
    SHORT {
        @Override
        byte[] encode(Object value) {
            return zigZag((Short) value);
        }

        @Override
        Object decode(byte[] body) throws IOException {
            long v = unZigZag(body, this);
            if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
                throw malformed(this, body);
            }
            return (short) v;
        }
    },
    CHAR {
        @Override
        byte[] encode(Object value) {
            char c = (Character) value;
            return new byte[] {(byte) (c >>> 8), (byte) c};
        }

        @Override
        Object decode(byte[] body) throws IOException {
            if (body.length != 2) {
                throw malformed(this, body);
            }
            return (char) (((body[0] & 0xFF) << 8) | (body[1] & 0xFF));
        }
    },
    INT {
        @Override
        byte[] encode(Object value) {
            return zigZag((Integer) value);
        }

        @Override
        Object decode(byte[] body) throws IOException {
            long v = unZigZag(body, this);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw malformed(this, body);
            }
            return (int) v;
        }
    },
    LONG {
        @Override
        byte[] encode(Object value) {
            return zigZag((Long) value);
        }

        @Override
        Object decode(byte[] body) throws IOException {
            return unZigZag(body, this);
        }
    },
    FLOAT {
        @Override
        byte[] encode(Object value) {
            return bigEndian(Float.floatToRawIntBits((Float) value), 4);
        }

        @Override
        Object decode(byte[] body) throws IOException {
            if (body.length != 4) {
                throw malformed(this, body);
            }
            return Float.intBitsToFloat((int) fromBigEndian(body));
        }
    },
    DOUBLE {
        @Override
        byte[] encode(Object value) {
            return bigEndian(Double.doubleToRawLongBits((Double) value), 8);
        }

        @Override
        Object decode(byte[] body) throws IOException {
            if (body.length != 8) {
                throw malformed(this, body);
            }
            return Double.longBitsToDouble(fromBigEndian(body));
        }
    },
    STRING {
        @Override
        byte[] encode(Object value) {
            return ((String) value).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        Object decode(byte[] body) {
            // Invalid UTF-8 decodes to U+FFFD, a well-defined string.
            return new String(body, StandardCharsets.UTF_8);
        }
    },
    BYTES {
        @Override
        byte[] encode(Object value) {
            return (byte[]) value;
        }

        @Override
        Object decode(byte[] body) {
            // Frames.readBody returned a fresh array: no copy needed.
            return body;
        }
    };

    private static final Map<Class<?>, ScalarCodec> BY_TYPE = new HashMap<>();

    static {
        register(BOOLEAN, boolean.class, Boolean.class);
        register(BYTE, byte.class, Byte.class);
        register(SHORT, short.class, Short.class);
        register(CHAR, char.class, Character.class);
        register(INT, int.class, Integer.class);
        register(LONG, long.class, Long.class);
        register(FLOAT, float.class, Float.class);
        register(DOUBLE, double.class, Double.class);
        register(STRING, String.class);
        register(BYTES, byte[].class);
    }

    private static void register(ScalarCodec codec, Class<?>... types) {
        for (Class<?> t : types) {
            BY_TYPE.put(t, codec);
        }
    }

    /** The codec of {@code declaredType}, or null when it is not a scalar. */
    static ScalarCodec of(Class<?> declaredType) {
        return BY_TYPE.get(declaredType);
    }

    abstract byte[] encode(Object value);

    abstract Object decode(byte[] body) throws IOException;

    @Override
    public void write(OutputStream out, Object value) throws IOException {
        byte[] body = encode(value);
        Frames.writePrefix(out, body.length);
        out.write(body);
    }

    @Override
    public Object read(byte[] body, AllowedTypes allowed) throws IOException {
        return decode(body);
    }

    private static byte[] zigZag(long value) {
        long v = (value << 1) ^ (value >> 63);
        byte[] buf = new byte[10];
        int n = 0;
        while ((v & ~0x7FL) != 0) {
            buf[n++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[n++] = (byte) v;
        return Arrays.copyOf(buf, n);
    }

    /** The whole body as one zig-zag varint; anything else is malformed. */
    private static long unZigZag(byte[] body, ScalarCodec codec) throws IOException {
        if (body.length == 0 || body.length > 10) {
            throw malformed(codec, body);
        }
        long v = 0;
        for (int i = 0; i < body.length; i++) {
            byte b = body[i];
            boolean last = i == body.length - 1;
            if (((b & 0x80) == 0) != last || (i == 9 && (b & 0xFE) != 0)) {
                throw malformed(codec, body);
            }
            v |= (long) (b & 0x7F) << (7 * i);
        }
        return (v >>> 1) ^ -(v & 1);
    }

    private static byte[] bigEndian(long bits, int size) {
        byte[] body = new byte[size];
        for (int i = size - 1; i >= 0; i--) {
            body[i] = (byte) bits;
            bits >>>= 8;
        }
        return body;
    }

    private static long fromBigEndian(byte[] body) {
        long bits = 0;
        for (byte b : body) {
            bits = (bits << 8) | (b & 0xFF);
        }
        return bits;
    }

    private static IOException malformed(ScalarCodec codec, byte[] body) {
        return new IOException("malformed payload: " + body.length + " bytes are not a valid "
                + codec.name().toLowerCase(Locale.ROOT));
    }
}
