package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A declared enum type: the constant's name in UTF-8. By name, like protostuff's enums here
 * ({@link AllowListIdStrategy#FLAGS}), so both sides may order their constants differently.
 */
final class EnumCodec implements ValueCodec {

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
            throw new IOException("payload names constant " + name + ", which enum " + type.getName()
                    + " does not have (is the other side on another version?)");
        }
        return constant;
    }
}
