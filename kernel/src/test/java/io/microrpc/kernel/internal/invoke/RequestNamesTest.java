package io.microrpc.kernel.internal.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The per-connection cache of request names: the same answers as decoding, without decoding again. */
class RequestNamesTest {

    private static ByteBuf body(String service, String method) {
        ByteBuf b = Unpooled.buffer();
        Frames.writeString(b, service);
        Frames.writeString(b, method);
        b.writeLong(42); // what follows the names
        return b;
    }

    @Test
    void resolvedNamesAreServedFromTheCacheAsTheCanonicalStrings() {
        RequestNames names = new RequestNames();
        String canonicalService = new String("io.example.Echo");
        String canonicalMethod = new String("echo");

        ByteBuf first = body("io.example.Echo", "echo");
        names.read(first);
        assertThat(names.service).isEqualTo("io.example.Echo").isNotSameAs(canonicalService);
        names.resolved(first, canonicalService, canonicalMethod);
        assertThat(first.readLong()).as("reader index after the names").isEqualTo(42);

        ByteBuf again = body("io.example.Echo", "echo");
        names.read(again);
        assertThat(names.service).isSameAs(canonicalService);
        assertThat(names.method).isSameAs(canonicalMethod);
        assertThat(again.readLong()).isEqualTo(42);

        ByteBuf other = body("io.example.Echo", "ech0");
        names.read(other);
        assertThat(names.method).isEqualTo("ech0");
        assertThat(other.readLong()).isEqualTo(42);
    }

    @Test
    void unresolvedNamesAreNotCachedAndTheOldestEntryMakesRoom() {
        RequestNames names = new RequestNames();
        ByteBuf unknown = body("io.example.Nope", "x");
        names.read(unknown);
        ByteBuf unknownAgain = body("io.example.Nope", "x");
        names.read(unknownAgain);
        assertThat(names.service).isEqualTo("io.example.Nope");

        for (int i = 0; i < 20; i++) {
            ByteBuf b = body("io.example.S" + i, "m");
            names.read(b);
            names.resolved(b, "io.example.S" + i, "m");
        }
        ByteBuf latest = body("io.example.S19", "m");
        names.read(latest);
        assertThat(names.service).isEqualTo("io.example.S19");
        ByteBuf evicted = body("io.example.S0", "m");
        names.read(evicted);
        assertThat(names.service).isEqualTo("io.example.S0");
    }

    @Test
    void truncatedNamesAreRefusedAsBefore() {
        RequestNames names = new RequestNames();
        ByteBuf ok = body("io.example.Echo", "echo");
        names.read(ok);
        names.resolved(ok, "io.example.Echo", "echo");

        ByteBuf truncated = body("io.example.Echo", "echo");
        truncated.writerIndex(2 + "io.example.Echo".length() + 3);
        assertThatThrownBy(() -> names.read(truncated))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("string of 4 bytes, only 1 left");
        assertThatThrownBy(() -> names.read(Unpooled.wrappedBuffer(new byte[] {0})))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("truncated string length");
    }
}
