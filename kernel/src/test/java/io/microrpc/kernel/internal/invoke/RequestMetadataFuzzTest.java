package io.microrpc.kernel.internal.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.MalformedFrameException;
import io.microrpc.kernel.internal.protocol.RequestHeader;
import io.microrpc.kernel.testing.fuzz.Fuzz;
import io.microrpc.kernel.testing.fuzz.Mutator;
import io.microrpc.kernel.testing.fuzz.ValidFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing of what the server reads first in a request body: the names, through a
 * connection's {@link RequestNames} cache, then the rest of the {@link RequestHeader}. The reference is
 * the same body read plainly, without a cache. Per input:
 * <ul>
 *   <li>nothing but {@link MalformedFrameException} escapes (the server answers it with
 *       {@code INVALID_ARGUMENT});
 *   <li>the cached read finds the same names, timeout and attachments as the plain read, and leaves the
 *       reader index at the same payload byte, or both refuse the body;
 *   <li>the reader index never passes the end of the body;
 *   <li>what the reading allocates is bounded by the body's size, whatever counts and lengths it declares.
 * </ul>
 * Seed and count: see {@link Fuzz}.
 */
class RequestMetadataFuzzTest {

    /** Names a connection resolved before the fuzzed request: some of the seeds use them again. */
    private static final String[][] RESOLVED = {
        {"io.example.Echo", "echo"},
        {"io.microrpc.demo.api.UserService", "getUser"},
        {"x", ""},
        {"Ünïcödé.Dienst", "方法"},
    };

    private static final Mutator MUTATOR = Mutator.of(2048, List.of("echo", "io.example.Echo", "\u00ff\u00fe"));

    @Test
    @Timeout(600)
    void mutatedMetadataReadsAsWithoutTheCacheOrIsRefusedAsMalformed() {
        Map<String, Long> outcomes = Fuzz.of("request-metadata", "kernel", "RequestMetadataFuzzTest", 400_000)
                .run(this::oneBody);

        if (outcomes.values().stream().mapToLong(Long::longValue).sum() >= 10_000) {
            assertThat(outcomes).containsKeys("read from the cache", "read plainly", "malformed");
        }
    }

    private void oneBody(Random r, Fuzz.Input input) {
        Mutator.Seed seed = body(r);
        byte[] bytes = r.nextInt(8) == 0 ? seed.bytes() : MUTATOR.mutate(r, seed, body(r).bytes());
        input.bytes(bytes);
        int primed = r.nextInt(RESOLVED.length + 1);
        input.note("names resolved on the connection before", primed);

        input.startAllocationCount();
        RequestNames names = new RequestNames();
        for (int i = 0; i < primed; i++) {
            ByteBuf b = Unpooled.buffer();
            Frames.writeString(b, RESOLVED[i][0]);
            Frames.writeString(b, RESOLVED[i][1]);
            names.read(b);
            names.resolved(b, RESOLVED[i][0], RESOLVED[i][1]);
        }
        ByteBuf cachedBody = Unpooled.wrappedBuffer(bytes);
        ByteBuf plainBody = Unpooled.wrappedBuffer(bytes);
        Result cached = read(
                () -> {
                    names.read(cachedBody);
                    return RequestHeader.readAfterNames(cachedBody, names.service, names.method);
                },
                cachedBody);
        Result plain = read(
                () -> RequestHeader.readAfterNames(
                        plainBody, Frames.readString(plainBody), Frames.readString(plainBody)),
                plainBody);

        if (!cached.equals(plain)) {
            throw new AssertionError("read through the cache: " + cached + "; read plainly: " + plain);
        }
        input.outcome(
                cached.malformed != null
                        ? "malformed"
                        : fromCache(names.service) ? "read from the cache" : "read plainly");
        // A body of n bytes holds at most n / 4 attachments: a count alone must not size a map.
        input.checkAllocatedAtMost(64 * 1024 + 64L * bytes.length, "heap");
    }

    /** Whether {@code service} is a canonical string the cache hands out, not one just decoded. */
    @SuppressWarnings("ReferenceEquality") // identity is the point: the cached instance, not an equal one
    private static boolean fromCache(String service) {
        for (String[] r : RESOLVED) {
            if (r[0] == service) {
                return true;
            }
        }
        return false;
    }

    private interface Reading {
        RequestHeader read();
    }

    private static Result read(Reading reading, ByteBuf body) {
        try {
            RequestHeader h = reading.read();
            if (body.readerIndex() > body.writerIndex()) {
                throw new AssertionError("reader index " + body.readerIndex() + " past the end " + body.writerIndex());
            }
            return new Result(h.service(), h.method(), h.timeoutNanos(), h.attachments(), body.readerIndex(), null);
        } catch (MalformedFrameException e) {
            return new Result(null, null, 0, null, -1, "malformed");
        }
    }

    private record Result(
            String service,
            String method,
            long timeoutNanos,
            Map<String, String> attachments,
            int payloadAt,
            String malformed) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Result other
                    && Objects.equals(service, other.service)
                    && Objects.equals(method, other.method)
                    && timeoutNanos == other.timeoutNanos
                    && Objects.equals(attachments, other.attachments)
                    && payloadAt == other.payloadAt
                    && Objects.equals(malformed, other.malformed);
        }

        @Override
        public int hashCode() {
            return Objects.hash(service, method, payloadAt);
        }
    }

    /** A request body: metadata written by the kernel's writer, names often those of {@link #RESOLVED}, then a payload. */
    private static Mutator.Seed body(Random r) {
        ByteBuf b = Unpooled.buffer();
        List<Mutator.Field> fields = new ArrayList<>();
        if (r.nextBoolean()) {
            String[] names = RESOLVED[r.nextInt(RESOLVED.length)];
            Map<String, String> attachments =
                    r.nextInt(4) == 0 ? Map.of(ValidFrames.name(r), ValidFrames.name(r)) : Map.of();
            ValidFrames.request(b, fields, 0, names[0], names[1], ValidFrames.timeout(r), attachments);
        } else {
            ValidFrames.request(r, b, fields, 0);
        }
        byte[] payload = new byte[r.nextInt(16)];
        r.nextBytes(payload);
        b.writeBytes(payload);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return new Mutator.Seed(bytes, fields);
    }
}
