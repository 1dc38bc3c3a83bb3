package io.microrpc.kernel.testing.fuzz;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Replaces {@code System.err} (where slf4j-simple logs) with a stream that counts lines and keeps only
 * the last one, until {@link #close}: a fuzz run that closes a connection per input would otherwise
 * write hundreds of thousands of log lines, and the count proves it logs at most one per connection.
 * Lines are counted as they end; thread-safe.
 */
public final class StderrLines implements AutoCloseable {

    private final PrintStream original = System.err;
    private final Counter counter = new Counter();
    private final String watched;
    private long watchedLines;

    private StderrLines(String watched) {
        this.watched = watched;
        System.setErr(new PrintStream(counter, true, StandardCharsets.UTF_8));
    }

    public static StderrLines capture() {
        return new StderrLines(null);
    }

    /** Captures, and also counts the lines that contain {@code watched}. */
    public static StderrLines capture(String watched) {
        return new StderrLines(watched);
    }

    /** Lines that contained the watched text. */
    public synchronized long watchedLines() {
        return watchedLines;
    }

    /** Lines written since capture started. */
    public synchronized long lines() {
        return counter.lines;
    }

    /** The last complete line (for a failure message). */
    public synchronized String lastLine() {
        return counter.last;
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(original);
    }

    private final class Counter extends OutputStream {
        long lines;
        String last = "";
        private final StringBuilder current = new StringBuilder();

        @Override
        public void write(int b) {
            synchronized (StderrLines.this) {
                if (b == '\n') {
                    lines++;
                    last = current.toString();
                    if (watched != null && last.contains(watched)) {
                        watchedLines++;
                    }
                    current.setLength(0);
                } else if (current.length() < 500) {
                    current.append((char) b);
                }
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }
    }
}
