package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import io.protostuff.ProtostuffException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A declared enum type: the constant's name in UTF-8. By name, like protostuff's enums here
 * ({@link AllowListIdStrategy#FLAGS}, {@link StrictEnumIO}), so both sides may order their constants
 * differently. A name the enum does not have is refused, never read as null.
 */
final class EnumCodec implements ValueCodec {

    private static final int MAX_CONSTANTS_SHOWN = 16;

    private final Class<?> type;
    private final Map<String, Object> byName = new HashMap<>();

    EnumCodec(Class<?> type) {
        this.type = type;
        for (Object constant : type.getEnumConstants()) {
            byName.put(((Enum<?>) constant).name(), constant);
        }
    }

    @Override
    public void write(OutputStream out, Object value) throws IOException {
        byte[] body = ((Enum<?>) value).name().getBytes(StandardCharsets.UTF_8);
        Frames.writePrefix(out, body.length);
        out.write(body);
    }

    @Override
    public Object read(byte[] body, AllowedTypes allowed) throws IOException {
        String name = new String(body, StandardCharsets.UTF_8);
        Object constant = byName.get(name);
        if (constant == null) {
            throw unknownConstant(type, name);
        }
        return constant;
    }

    /** The refusal of constant {@code name}, which enum {@code type} does not have; a long name is cut ({@link Shown}). */
    static IOException unknownConstant(Class<?> type, String name) {
        Object[] constants = type.getEnumConstants();
        StringBuilder expected = new StringBuilder("one of [");
        for (int i = 0; i < constants.length && i < MAX_CONSTANTS_SHOWN; i++) {
            expected.append(i == 0 ? "" : ", ").append(((Enum<?>) constants[i]).name());
        }
        expected.append(constants.length > MAX_CONSTANTS_SHOWN ? ", ...]" : "]");
        return new ProtostuffException("malformed payload: unknown constant " + Shown.quoted(name) + " of enum "
                + type.getName() + " (expected: " + expected + "; is the other side on another version?)");
    }
}
