package io.microrpc.kernel.internal.invoke;

import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.List;

/**
 * The kernel's {@link PayloadCodec} and allow-list computation, opened to the tests of other modules (a
 * codec plugin's fuzz test reads payloads exactly as the server does). Test code only: shipped in the
 * kernel's test JAR.
 */
public final class PayloadCodecs {

    private PayloadCodecs() {}

    /** The arguments of a call, as the server reads them before calling the implementation. */
    public static Object[] readArguments(ByteBuf payload, Serializer serializer, Class<?>[] types, AllowedTypes allowed)
            throws IOException {
        return PayloadCodec.readValues(payload, serializer, types, allowed);
    }

    /** The arguments of a call, as a client writes them. */
    public static void writeArguments(ByteBuf payload, Serializer serializer, Object[] values, Class<?>[] types)
            throws IOException {
        PayloadCodec.writeValues(payload, serializer, values, types);
    }

    /** The types a server exporting {@code service} lets payloads instantiate. */
    public static AllowedTypes allowedTypes(Class<?> service) {
        return ServiceModel.of(service, List.of()).allowedTypes();
    }
}
