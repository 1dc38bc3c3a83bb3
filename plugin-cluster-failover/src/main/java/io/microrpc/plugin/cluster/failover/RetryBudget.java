package io.microrpc.plugin.cluster.failover;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongBinaryOperator;

/**
 * Limits retries to a share of the calls, so that when a whole service is failing, retries do not
 * multiply its load (a retry storm). Every call deposits {@code ratio} of a token, every retry withdraws
 * one; the balance starts at {@code minimum} tokens and never exceeds {@code minimum} plus 100 calls'
 * worth, so a long quiet period does not bank an unbounded burst. Finagle's RetryBudget has the same
 * idea, with time-based deposits. Thread-safe and lock-free.
 */
final class RetryBudget {

    /** Tokens are counted in thousandths so that a ratio of 0.2 deposits 200. */
    private static final long ONE = 1000;

    private final long deposit;
    private final long cap;
    private final AtomicLong balance;
    private final LongBinaryOperator add;

    RetryBudget(double ratio, int minimum) {
        this.deposit = Math.round(ratio * ONE);
        this.cap = minimum * ONE + 100 * deposit;
        this.balance = new AtomicLong(minimum * ONE);
        long bound = cap;
        this.add = (b, d) -> Math.min(bound, b + d);
    }

    /** A call started. */
    void deposit() {
        if (deposit == 0) {
            return;
        }
        if (balance.get() < cap) {
            balance.accumulateAndGet(deposit, add);
        }
    }

    /** Takes one retry's token; false when the budget is spent. */
    boolean tryWithdraw() {
        while (true) {
            long b = balance.get();
            if (b < ONE) {
                return false;
            }
            if (balance.compareAndSet(b, b - ONE)) {
                return true;
            }
        }
    }

    /** Whole retries left, for messages. */
    long available() {
        return balance.get() / ONE;
    }
}
