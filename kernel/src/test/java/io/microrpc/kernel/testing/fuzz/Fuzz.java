package io.microrpc.kernel.testing.fuzz;

import io.netty.buffer.ByteBufUtil;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded mutation fuzzer's run loop: calls a target once per input, each input drawn from its own
 * {@link Random} seeded by the run's seed, the target's name and the input's number, so any one input can
 * be replayed alone, without the ones before it.
 *
 * <p>System properties (all optional):
 * <ul>
 *   <li>{@code microrpc.fuzz.seed}: the run's seed (default {@value #DEFAULT_SEED});
 *   <li>{@code microrpc.fuzz.iterations}: inputs per target, instead of each target's default;
 *   <li>{@code microrpc.fuzz.first}: the number of the first input (default 0), to replay one.
 * </ul>
 *
 * <p>The target checks its invariants and throws on a violation (an exception that escapes is a
 * violation too). The run stops at the first failing input and fails with the seed, the input's number,
 * the input in hex and the command that replays it. Not thread-safe: one run per thread.
 */
public final class Fuzz {

    public static final long DEFAULT_SEED = 20261210L;
    private static final int WARM_UP = 1000;

    private final String name;
    private final String module;
    private final String testSelector;
    private final long seed;
    private final long first;
    private final long iterations;
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final AllocationMeter meter = new AllocationMeter();
    private long maxAllocated;
    private long maxAllocatedInputLength;

    /** The body of a target: one input, from {@code random}; reports the input it built to {@code input}. */
    @FunctionalInterface
    public interface Target {
        void run(Random random, Input input) throws Exception;
    }

    private Fuzz(String name, String module, String testSelector, long defaultIterations) {
        this.name = name;
        this.module = module;
        this.testSelector = testSelector;
        this.seed = Long.getLong("microrpc.fuzz.seed", DEFAULT_SEED);
        this.first = Long.getLong("microrpc.fuzz.first", 0L);
        this.iterations = Long.getLong("microrpc.fuzz.iterations", defaultIterations);
        if (iterations < 0 || first < 0) {
            throw new IllegalArgumentException("microrpc.fuzz.iterations: " + iterations + ", microrpc.fuzz.first: "
                    + first + " (expected: >= 0)");
        }
    }

    /**
     * A run of the target {@code name}.
     *
     * @param module the Maven module of the test, and
     * @param testSelector the surefire {@code -Dtest=} value that runs this target, for the replay command
     * @param defaultIterations inputs when {@code microrpc.fuzz.iterations} is not set
     */
    public static Fuzz of(String name, String module, String testSelector, long defaultIterations) {
        return new Fuzz(name, module, testSelector, defaultIterations);
    }

    public long iterations() {
        return iterations;
    }

    /** Runs every input, then prints a summary line; returns the counts of the outcomes the target reported. */
    public Map<String, Long> run(Target target) {
        long started = System.nanoTime();
        long cpuStarted = meter.cpuNanos();
        Input input = new Input(this);
        for (long i = first; i < first + iterations; i++) {
            input.reset(i);
            long before = meter.allocatedBytes();
            try {
                try {
                    target.run(new Random(inputSeed(i)), input);
                } catch (AllocationExceeded e) {
                    // The first inputs also pay for class loading and JIT warm-up: the same input again.
                    input.reset(i);
                    input.counting = false;
                    target.run(new Random(inputSeed(i)), input);
                }
            } catch (Throwable t) {
                throw failure(i, input, t);
            }
            long allocated = meter.allocatedBytes() - before;
            // The first inputs also load classes and warm up: not a figure about the inputs.
            if (i >= first + WARM_UP && allocated > maxAllocated) {
                maxAllocated = allocated;
                maxAllocatedInputLength = input.bytes == null ? 0 : input.bytes.length;
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long cpuMillis = (meter.cpuNanos() - cpuStarted) / 1_000_000;
        System.out.printf(
                Locale.ROOT,
                "fuzz %s: %,d inputs from #%d, seed %d, %,d ms (%,d ms on this thread's CPU, %,.0f"
                        + " inputs per CPU second); most allocated by one input after the first %,d: %,d bytes (a %,d-byte input);"
                        + " outcomes %s%n",
                name,
                iterations,
                first,
                seed,
                millis,
                cpuMillis,
                iterations * 1000.0 / Math.max(1, cpuMillis),
                WARM_UP,
                maxAllocated,
                maxAllocatedInputLength,
                outcomes);
        return outcomes;
    }

    private long inputSeed(long iteration) {
        // SplitMix64 of the three, so neighbouring inputs and targets get unrelated streams.
        long z = seed * 0x9E3779B97F4A7C15L + name.hashCode() * 0xBF58476D1CE4E5B9L + iteration;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private AssertionError failure(long iteration, Input input, Throwable cause) {
        String hex = input.bytes == null
                ? "(none reported)"
                : input.bytes.length + " bytes: " + ByteBufUtil.hexDump(input.bytes);
        String message = String.format(
                Locale.ROOT,
                "fuzz %s failed on input #%d of seed %d: %s%n  input %s%n%s"
                        + "  replay: mvn -o -pl %s -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=%s"
                        + " -Dmicrorpc.fuzz.seed=%d -Dmicrorpc.fuzz.first=%d -Dmicrorpc.fuzz.iterations=1",
                name,
                iteration,
                seed,
                cause,
                hex,
                input.notes,
                module,
                testSelector,
                seed,
                iteration);
        System.out.println(message); // System.err may be captured (StderrLines)
        return new AssertionError(message, cause);
    }

    /** An input made the code under test allocate more than the target allows. */
    static final class AllocationExceeded extends AssertionError {
        private static final long serialVersionUID = 1L;

        AllocationExceeded(String message) {
            super(message);
        }
    }

    /** What a target reports about the input it is running: its bytes, notes for a failure report, its outcome. */
    public static final class Input {

        private final Fuzz fuzz;
        private long iteration;
        private byte[] bytes;
        private final StringBuilder notes = new StringBuilder();

        private Input(Fuzz fuzz) {
            this.fuzz = fuzz;
        }

        private boolean counting;

        private void reset(long i) {
            iteration = i;
            counting = true;
            bytes = null;
            notes.setLength(0);
        }

        public long iteration() {
            return iteration;
        }

        /** The bytes this input feeds to the code under test; printed in hex if it fails. */
        public void bytes(byte[] input) {
            bytes = input;
        }

        /** Something else a replay needs to know (how the bytes were split, which method was called). */
        public void note(String what, Object value) {
            notes.append("  ").append(what).append(": ").append(value).append(System.lineSeparator());
        }

        /** Counts this input under {@code outcome}, so the summary shows which paths the inputs reached. */
        public void outcome(String outcome) {
            if (counting) {
                fuzz.outcomes.merge(outcome, 1L, Long::sum);
            }
        }

        /**
         * Fails unless this thread allocated at most {@code limit} bytes since
         * {@link #startAllocationCount}: a length read from the input must never be allocated before the
         * bytes that back it arrived. An input that fails this runs once more before it fails the run,
         * since the first inputs of a run pay for class loading and warm-up too.
         */
        public void checkAllocatedAtMost(long limit, String what) {
            // Not per call of the target: the fuzzer's own bookkeeping is in the figure too, and small.
            long allocated = fuzz.meter.allocatedBytes() - fuzz.meter.mark;
            if (allocated > limit) {
                throw new AllocationExceeded(
                        what + ": " + allocated + " bytes allocated for one input (expected: at most " + limit + ")");
            }
        }

        /** Starts the allocation count that {@link #checkAllocatedAtMost} checks. */
        public void startAllocationCount() {
            fuzz.meter.mark = fuzz.meter.allocatedBytes();
        }
    }
}
