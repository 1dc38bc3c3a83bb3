package io.microrpc.kernel.testing.fuzz;

import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.protocol.RequestHeader;
import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random valid frames, written by the kernel's own {@link Frames} and {@link RequestHeader} writers, with
 * the offsets of their length fields for {@link Mutator}: what a fuzzer starts from. Stateless.
 */
public final class ValidFrames {

    /** Names that requests carry; the first few are short, one is long, some are not ASCII. */
    private static final String[] NAMES = {
        "io.example.Echo",
        "echo",
        "io.microrpc.demo.api.UserService",
        "getUser",
        "",
        "x",
        "Ünïcödé.Dienst",
        "方法",
        "a".repeat(300)
    };

    private ValidFrames() {}

    /** A stream of one to four frames of any kind: requests, one-way requests, responses, errors, pings, a go-away. */
    public static Mutator.Seed stream(Random r, ByteBufAllocator alloc) {
        int count = 1 + r.nextInt(4);
        List<Mutator.Field> fields = new ArrayList<>();
        ByteBuf all = alloc.heapBuffer();
        try {
            for (int i = 0; i < count; i++) {
                int start = all.writerIndex();
                ByteBuf frame = frame(r, alloc, fields, start);
                try {
                    all.writeBytes(frame);
                } finally {
                    frame.release();
                }
            }
            return new Mutator.Seed(ByteBufUtil.getBytes(all), List.copyOf(fields));
        } finally {
            all.release();
        }
    }

    private static ByteBuf frame(Random r, ByteBufAllocator alloc, List<Mutator.Field> fields, int start) {
        long id = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(1000);
        fields.add(new Mutator.Field(start + Protocol.BODY_LENGTH_OFFSET, Mutator.Encoding.I32));
        switch (r.nextInt(8)) {
            case 0:
                return Frames.heartbeat(alloc, id, r.nextBoolean());
            case 1:
                return Frames.goAway(alloc);
            case 2: {
                Status.Code code = Status.Code.values()[r.nextInt(Status.Code.values().length)];
                fields.add(new Mutator.Field(start + Protocol.HEADER_LENGTH, Mutator.Encoding.U16));
                return Frames.error(
                        alloc, id, (byte) 1, Status.of(code).withDescription(name(r)), name(r), r.nextBoolean());
            }
            case 3: {
                ByteBuf buf = Frames.start(alloc, 32, Protocol.FLAG_RESPONSE, (byte) 1, (byte) 0, id);
                buf.writeBytes(payload(r));
                Frames.finish(buf, 0, Integer.MAX_VALUE);
                return buf;
            }
            default: {
                byte flags = r.nextInt(4) == 0 ? Protocol.FLAG_ONE_WAY : 0;
                byte serializer = r.nextInt(4) == 0 ? (byte) r.nextInt() : 1;
                ByteBuf buf = Frames.start(alloc, 64, flags, serializer, (byte) 0, id);
                request(r, buf, fields, start);
                buf.writeBytes(payload(r));
                Frames.finish(buf, 0, Integer.MAX_VALUE);
                return buf;
            }
        }
    }

    /**
     * Writes request metadata (service, method, timeout, attachments) at {@code buf}'s writer index,
     * adding its length fields to {@code fields} as offsets from {@code base} (where {@code buf}'s index 0
     * is in the input).
     */
    public static void request(Random r, ByteBuf buf, List<Mutator.Field> fields, int base) {
        Map<String, String> attachments = new LinkedHashMap<>();
        for (int i = r.nextInt(4) == 0 ? r.nextInt(4) : 0; i > 0; i--) {
            attachments.put(name(r), name(r));
        }
        request(buf, fields, base, name(r), name(r), timeout(r), attachments);
    }

    /** Writes the given request metadata as {@link RequestHeader#write} does, noting its length fields. */
    public static void request(
            ByteBuf buf,
            List<Mutator.Field> fields,
            int base,
            String service,
            String method,
            long timeoutNanos,
            Map<String, String> attachments) {
        int at = buf.writerIndex();
        RequestHeader.write(buf, service, method, timeoutNanos, attachments);
        fields.add(new Mutator.Field(base + at, Mutator.Encoding.U16));
        int methodAt = at + 2 + buf.getUnsignedShort(at);
        fields.add(new Mutator.Field(base + methodAt, Mutator.Encoding.U16));
        int countAt = methodAt + 2 + buf.getUnsignedShort(methodAt) + 8;
        fields.add(new Mutator.Field(base + countAt, Mutator.Encoding.U16));
        for (int i = 0, next = countAt + 2; i < 2 * attachments.size(); i++) {
            fields.add(new Mutator.Field(base + next, Mutator.Encoding.U16));
            next += 2 + buf.getUnsignedShort(next);
        }
    }

    public static String name(Random r) {
        return r.nextInt(8) == 0 ? Long.toHexString(r.nextLong()) : NAMES[r.nextInt(NAMES.length)];
    }

    public static long timeout(Random r) {
        switch (r.nextInt(6)) {
            case 0:
                return 0;
            case 1:
                return Long.MAX_VALUE;
            case 2:
                return -1;
            default:
                return 5_000_000_000L;
        }
    }

    private static byte[] payload(Random r) {
        byte[] p = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(48)];
        r.nextBytes(p);
        return p;
    }
}
