package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.transport.ServerConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * The service and method names at the start of a request body, read without decoding them when the
 * connection sent the same bytes before. A connection calls few methods, again and again; decoding both
 * names into new strings and hashing them for the lookups was about a tenth of the server's samples in
 * the echo benchmark (docs/PERFORMANCE.md, finding 6). The strings handed out are the exported
 * service's own, so the lookups compare them by identity.
 *
 * <p>One instance per connection, used only on its event loop. It holds only strings, never a
 * service or its class loader, so a replaced service plugin leaves nothing behind in it.
 */
final class RequestNames {

    private static final int CAPACITY = 8;

    private final ByteBuf[] raw = new ByteBuf[CAPACITY];
    private final String[] services = new String[CAPACITY];
    private final String[] methods = new String[CAPACITY];
    private int size;
    private int next;

    /** What {@link #read} found: the names, and whether they came from the cache. */
    String service;

    String method;
    private int start;
    private int length;
    private boolean cached;

    static RequestNames of(ServerConnection connection) {
        Object state = connection.handlerState();
        if (state instanceof RequestNames) {
            return (RequestNames) state;
        }
        RequestNames names = new RequestNames();
        connection.handlerState(names);
        return names;
    }

    /**
     * Reads both names and leaves {@code body}'s reader index after them.
     *
     * @throws io.microrpc.kernel.internal.protocol.MalformedFrameException if they are truncated
     */
    void read(ByteBuf body) {
        start = body.readerIndex();
        int readable = body.readableBytes();
        if (readable >= 4) {
            int total = 4 + body.getUnsignedShort(start);
            if (readable >= total) {
                total += body.getUnsignedShort(start + total - 2);
                for (int i = 0; i < size && readable >= total; i++) {
                    if (raw[i].readableBytes() == total && ByteBufUtil.equals(body, start, raw[i], 0, total)) {
                        body.skipBytes(total);
                        service = services[i];
                        method = methods[i];
                        cached = true;
                        length = total;
                        return;
                    }
                }
            }
        }
        service = Frames.readString(body);
        method = Frames.readString(body);
        length = body.readerIndex() - start;
        cached = false;
    }

    /**
     * The names just read resolved to an exported method: remember their bytes (still in {@code body})
     * with the service's own strings. The oldest entry goes when the cache is full.
     */
    void resolved(ByteBuf body, String canonicalService, String canonicalMethod) {
        if (cached) {
            return;
        }
        int slot;
        if (size < CAPACITY) {
            slot = size++;
        } else {
            slot = next;
            next = (next + 1) % CAPACITY;
        }
        // A wrapped array: plain heap memory, nothing to release.
        raw[slot] = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(body, start, length));
        services[slot] = canonicalService;
        methods[slot] = canonicalMethod;
    }
}
