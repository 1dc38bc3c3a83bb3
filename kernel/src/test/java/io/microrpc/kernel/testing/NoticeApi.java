package io.microrpc.kernel.testing;

import io.microrpc.spi.OneWay;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** A one-way method whose implementation throws, for tests of what a failed one-way call leaves behind. */
public interface NoticeApi {

    /** Throws an IllegalStateException with {@code message}; callers never hear about it. */
    @OneWay
    void noticeAndFail(String message);

    String ping(String message);

    /** Counts its calls and throws. */
    final class Impl implements NoticeApi {

        public final AtomicInteger failed = new AtomicInteger();
        public final CountDownLatch firstFailure = new CountDownLatch(1);

        @Override
        public void noticeAndFail(String message) {
            failed.incrementAndGet();
            firstFailure.countDown();
            throw new IllegalStateException(message);
        }

        @Override
        public String ping(String message) {
            return message;
        }
    }
}
