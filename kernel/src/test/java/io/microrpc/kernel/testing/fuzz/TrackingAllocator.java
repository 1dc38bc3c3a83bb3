package io.microrpc.kernel.testing.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands out the buffers of another allocator (the pooled default, which Netty's leak detector tracks)
 * and remembers each one, so a test can prove after every input that all of them were released: an
 * exact, per-input leak check that needs no garbage collection. Also records the largest capacity
 * asked for, to prove that no declared length was allocated up front. Not thread-safe: for an
 * {@code EmbeddedChannel} and the test thread that drives it.
 */
public final class TrackingAllocator implements ByteBufAllocator {

    private final ByteBufAllocator delegate;
    private final List<ByteBuf> allocated = new ArrayList<>();
    private int largestRequest;

    public TrackingAllocator(ByteBufAllocator delegate) {
        this.delegate = delegate;
    }

    /** Forgets the buffers of the previous input. */
    public void reset() {
        allocated.clear();
        largestRequest = 0;
    }

    /** The largest initial capacity asked for since {@link #reset}. */
    public int largestRequest() {
        return largestRequest;
    }

    public int count() {
        return allocated.size();
    }

    /** Fails naming the first buffer allocated since {@link #reset} that is still referenced. */
    public void assertAllReleased(String when) {
        for (int i = 0; i < allocated.size(); i++) {
            ByteBuf b = allocated.get(i);
            if (b.refCnt() != 0) {
                throw new AssertionError("buffer " + i + " of " + allocated.size() + " allocated for this input is not "
                        + "released " + when + ": refCnt " + b.refCnt() + ", " + b.readableBytes() + " readable bytes");
            }
        }
    }

    private <T extends ByteBuf> T track(T buf, int initialCapacity) {
        allocated.add(buf);
        largestRequest = Math.max(largestRequest, initialCapacity);
        return buf;
    }

    @Override
    public ByteBuf buffer() {
        return track(delegate.buffer(), 256);
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        return track(delegate.buffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        return track(delegate.buffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer() {
        return track(delegate.ioBuffer(), 256);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        return track(delegate.ioBuffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.ioBuffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public ByteBuf heapBuffer() {
        return track(delegate.heapBuffer(), 256);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
        return track(delegate.heapBuffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.heapBuffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public ByteBuf directBuffer() {
        return track(delegate.directBuffer(), 256);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
        return track(delegate.directBuffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.directBuffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
        return track(delegate.compositeBuffer(), 0);
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
        return track(delegate.compositeBuffer(maxNumComponents), 0);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
        return track(delegate.compositeHeapBuffer(), 0);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(delegate.compositeHeapBuffer(maxNumComponents), 0);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
        return track(delegate.compositeDirectBuffer(), 0);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(delegate.compositeDirectBuffer(maxNumComponents), 0);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return delegate.isDirectBufferPooled();
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
