package io.microrpc.bench;

import io.microrpc.kernel.internal.protocol.RequestHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Map;

/** The payloads the scenarios send, and the body size that makes the raw echo a fair match. */
final class Payloads {

    private Payloads() {}

    /** {@code chars} printable ASCII characters: one UTF-8 byte each, so the size on the wire is known. */
    static String ascii(int chars) {
        StringBuilder sb = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            sb.append((char) ('a' + i % 26));
        }
        return sb.toString();
    }

    /**
     * The body of microrpc's request for {@code echo}: the kernel's request metadata (service, method,
     * timeout, no attachments), then the protostuff codec's string, a varint of length + 1 and the UTF-8
     * bytes. The raw echo sends a body of exactly this size, so both put the same bytes on the wire per
     * request. (microrpc's response is smaller, just the string; the raw echo returns the whole body.)
     */
    static int rawBodyFor(Scenario echo) {
        ByteBuf metadata = Unpooled.buffer();
        try {
            RequestHeader.write(metadata, echo.service(), echo.echoMethod, 0L, Map.of());
            int n = echo.payloadChars;
            return metadata.readableBytes() + varintLength(n + 1) + n;
        } finally {
            metadata.release();
        }
    }

    private static int varintLength(int value) {
        int length = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            length++;
        }
        return length;
    }
}
