package io.microrpc.plugin.codec.protostuff;

import io.protostuff.Input;
import io.protostuff.ProtostuffException;
import io.protostuff.WireFormat;
import io.protostuff.runtime.EnumIO;
import io.protostuff.runtime.IdStrategy;
import java.io.IOException;

/**
 * Protostuff's reader and writer of one enum type wherever protostuff handles it (a field, a list or
 * array element, a map key or value, an {@code Object} position), refusing what its own
 * {@code EnumIO.ByName} lets through.
 *
 * <p>Why: {@code ByName.readFrom} looks the name up and returns {@code null} when the enum has no such
 * constant, so {@code gender="ROOT"} arrived as a user without a gender, and a list of unknown
 * constants as a list of nulls. And it reads whatever the field holds as a string: a constant sent by
 * number (protostuff's encoding without {@code enums_by_name}) had its value taken for a string
 * length. This class fails both with an {@link IOException} naming the enum type and the value, which
 * the kernel answers as {@code INVALID_ARGUMENT}.
 *
 * <p>Writing is protostuff's: by name, since {@link AllowListIdStrategy#FLAGS} has
 * {@code ENUMS_BY_NAME}. Immutable and thread-safe.
 */
final class StrictEnumIO<E extends Enum<E>> extends EnumIO<E> {

    StrictEnumIO(Class<E> enumClass, IdStrategy strategy) {
        super(enumClass, strategy);
    }

    @Override
    public E readFrom(Input input) throws IOException {
        // Protostuff calls this right after reading the field's tag, so the tag says how it was sent.
        int wireType = BoundedInput.of(input).lastWireType();
        if (wireType == WireFormat.WIRETYPE_VARINT) {
            int number = input.readEnum();
            throw new ProtostuffException("malformed payload: enum " + enumClass.getName() + " sent by number " + number
                    + "; this serializer reads enum constants by name only, so that reordering an enum's constants "
                    + "cannot change a value (is the other side another protostuff serializer?)");
        }
        if (wireType != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw new ProtostuffException("malformed payload: enum " + enumClass.getName() + " sent with wire type "
                    + wireType + " (expected: its constant's name, wire type " + WireFormat.WIRETYPE_LENGTH_DELIMITED
                    + ")");
        }
        String name = input.readString();
        E constant = getByAlias(name);
        if (constant == null) {
            throw EnumCodec.unknownConstant(enumClass, name);
        }
        return constant;
    }
}
