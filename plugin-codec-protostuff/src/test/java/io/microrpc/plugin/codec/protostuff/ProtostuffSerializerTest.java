package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.Serializer;
import io.microrpc.testkit.SerializerContractTest;

/** The serializer contract; protostuff-specific behaviour is in {@link ProtostuffFormatTest}. */
class ProtostuffSerializerTest extends SerializerContractTest {

    @Override
    protected Serializer newSerializer() {
        return new ProtostuffSerializer();
    }
}
