package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the kernel's calls into plugin code that may take long (PF4J's start and unload of a plugin, an
 * extension's {@code start} and {@code stop}) on a thread of their own, so that code that throws
 * anything ({@code Error} included), never returns, or calls {@code System.exit} cannot take the calling
 * kernel thread with it.
 *
 * <p>Each call gets a new daemon thread named after what it does, e.g.
 * {@code microrpc-plugin-start-codec-x#3}; a thread is never reused, so one that a plugin keeps holds
 * nothing else. The caller waits a bounded time ({@link Call#await}); a call that does not finish in
 * time is <em>abandoned</em>: its thread is interrupted and left to itself, and if the code ever
 * returns, what it returned is handed to the call's clean-up (stop what it started) on that thread.
 * {@link #abandonAll} abandons every call in flight at once and refuses to start plugins from then on,
 * so a shutdown never waits for plugin code; stops still run. Thread-safe.
 */
final class PluginCalls {

    private static final Logger log = LoggerFactory.getLogger(PluginCalls.class);

    /** Plugin code to run; may throw anything. */
    @FunctionalInterface
    interface Code<T> {
        T run() throws Exception;
    }

    private final ThreadFactory threads = new KernelThreadFactory("microrpc-plugin");
    private final AtomicLong sequence = new AtomicLong();
    private final Set<Call<?>> inFlight = ConcurrentHashMap.newKeySet();
    /** Set by {@link #abandonAll}: why plugins start no more. */
    private volatile String refusal;

    /**
     * Runs plugin code that starts something (a plugin, an extension) on a new thread named
     * {@code microrpc-plugin-<name>#<n>}, and waits for it at most {@code timeout}. After
     * {@link #abandonAll}, the code does not run at all: the call is abandoned before it began.
     *
     * @param undo what to do with the code's result when it returns after the call was abandoned, e.g.
     *     stop the extensions it started; runs on the call's thread
     * @throws ExecutionException with what the code threw, whatever it was
     * @throws Abandoned when it did not finish in time, or the kernel gave up on it
     */
    <T> T starting(String name, Duration timeout, Code<T> code, Consumer<? super T> undo)
            throws ExecutionException, Abandoned {
        Call<T> call = new Call<>(this, code, undo);
        Thread t = thread(call, name);
        inFlight.add(call);
        String refused = refusal;
        if (refused != null) {
            call.abandon(refused);
        } else {
            t.start();
        }
        return call.await(timeout);
    }

    /** Starts plugin code that stops or unloads something on a new thread; runs even after {@link #abandonAll}. */
    Call<Void> stopping(String name, Code<Void> code) {
        Call<Void> call = new Call<>(this, code, v -> {});
        Thread t = thread(call, name);
        inFlight.add(call);
        t.start();
        return call;
    }

    private Thread thread(Call<?> call, String name) {
        Thread t = threads.newThread(call);
        t.setName("microrpc-plugin-" + name + '#' + sequence.incrementAndGet());
        call.thread = t;
        return t;
    }

    /**
     * Abandons every call in flight (their waiters return at once with {@link Abandoned} carrying
     * {@code reason}), and refuses to start plugins from now on.
     */
    void abandonAll(String reason) {
        refusal = reason;
        for (Call<?> c : inFlight) {
            c.abandon(reason);
        }
    }

    /** One call into plugin code on its own thread. */
    static final class Call<T> implements Runnable {
        private static final Object RUNNING = new Object();
        private static final Object DONE = new Object();
        /** The state of a call abandoned because it ran out of time; other abandoned calls hold their reason. */
        private static final String TIMED_OUT = new String("timed out");

        private final PluginCalls owner;
        private final Code<T> code;
        private final Consumer<? super T> ifAbandoned;
        /** {@link #RUNNING}, {@link #DONE}, or why it was abandoned ({@link #TIMED_OUT} or a reason). */
        private final AtomicReference<Object> state = new AtomicReference<>(RUNNING);

        private final CountDownLatch finished = new CountDownLatch(1);
        private final long startNanos = System.nanoTime();
        private volatile Thread thread;
        /** The call's stack when it was abandoned; written before {@code finished} counts down. */
        private volatile StackTraceElement[] abandonedAt = new StackTraceElement[0];
        /** Written by the call's thread before it moves to DONE; read by the waiter after. */
        private T value;

        private Throwable failure;

        private Call(PluginCalls owner, Code<T> code, Consumer<? super T> ifAbandoned) {
            this.owner = owner;
            this.code = code;
            this.ifAbandoned = ifAbandoned;
        }

        @Override
        public void run() {
            T v = null;
            Throwable f = null;
            try {
                v = code.run();
            } catch (Throwable t) {
                f = t;
            }
            value = v;
            failure = f;
            if (state.compareAndSet(RUNNING, DONE)) {
                owner.inFlight.remove(this);
                finished.countDown();
                return;
            }
            value = null;
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            if (f != null) {
                log.info(
                        "{} ended after {} ms, after the kernel had abandoned it: {}",
                        Thread.currentThread().getName(),
                        ms,
                        f.toString());
                return;
            }
            log.info(
                    "{} returned after {} ms, after the kernel had abandoned it; undoing what it started",
                    Thread.currentThread().getName(),
                    ms);
            if (v != null) {
                try {
                    ifAbandoned.accept(v);
                } catch (Throwable t) {
                    log.warn(
                            "Undoing what {} started failed",
                            Thread.currentThread().getName(),
                            t);
                }
            }
        }

        /**
         * Waits for the code at most {@code timeout} and returns its result.
         *
         * @throws ExecutionException with what the code threw, whatever it was
         * @throws Abandoned when it did not finish in time (its thread is then interrupted and left
         *     running), or when {@link #abandonAll} gave up on it
         */
        T await(Duration timeout) throws ExecutionException, Abandoned {
            boolean interrupted = false;
            try {
                finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            try {
                if (state.get() != DONE) {
                    abandon(interrupted ? "the waiting thread was interrupted" : TIMED_OUT);
                }
                Object s = state.get();
                if (s == DONE) {
                    if (failure != null) {
                        throw new ExecutionException(failure);
                    }
                    return value;
                }
                throw new Abandoned(thread.getName(), s == TIMED_OUT, (String) s, abandonedAt);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Gives up on the call unless it is done or abandoned already. */
        private void abandon(String reason) {
            if (state.compareAndSet(RUNNING, reason)) {
                owner.inFlight.remove(this);
                // Where it was stuck, taken before the interrupt moves it on (into a catch, a finally).
                abandonedAt = thread.getStackTrace();
                thread.interrupt();
                finished.countDown();
            }
        }
    }

    /**
     * Plugin code that did not finish: it ran out of time, or the kernel gave up on it. Carries the name
     * of the thread left running and, as its stack trace, where that thread was.
     */
    static final class Abandoned extends Exception {

        private static final long serialVersionUID = 1L;

        private final String threadName;
        private final boolean timedOut;
        private final String reason;

        Abandoned(String threadName, boolean timedOut, String reason, StackTraceElement[] stack) {
            super(
                    (timedOut ? "still running" : "abandoned: " + reason) + " in thread " + threadName,
                    null,
                    false,
                    true);
            this.threadName = threadName;
            this.timedOut = timedOut;
            this.reason = timedOut ? "it ran out of time" : reason;
            setStackTrace(stack);
        }

        /** Why the kernel gave up on it, e.g. {@code the kernel is shutting down}. */
        String reason() {
            return reason;
        }

        String threadName() {
            return threadName;
        }

        /** True when it ran out of time; false when the kernel gave up on it (a shutdown). */
        boolean timedOut() {
            return timedOut;
        }

        /**
         * Where the thread was: the first frame outside the JDK and PF4J, e.g.
         * {@code at com.acme.Codec.start(Codec.java:42)}; {@code before it began} when it never ran.
         */
        String where() {
            StackTraceElement[] stack = getStackTrace();
            if (stack.length == 0) {
                return "before it began";
            }
            boolean exiting = false;
            for (StackTraceElement e : stack) {
                String c = e.getClassName();
                exiting |= c.equals("java.lang.Runtime")
                        && (e.getMethodName().equals("exit")
                                || e.getMethodName().equals("halt"));
                if (!c.startsWith("java.")
                        && !c.startsWith("jdk.")
                        && !c.startsWith("sun.")
                        && !c.startsWith("org.pf4j.")
                        && !c.startsWith(PluginCalls.class.getPackageName())) {
                    return "at " + frame(e) + (exiting ? ", which called System.exit" : "");
                }
            }
            return "at " + frame(stack[0]);
        }

        /** {@code com.acme.Codec.start(Codec.java:42)}, without the class loader and module prefixes. */
        private static String frame(StackTraceElement e) {
            String file = e.getFileName() == null
                    ? "Unknown Source"
                    : e.getLineNumber() >= 0 ? e.getFileName() + ':' + e.getLineNumber() : e.getFileName();
            return e.getClassName()
                    + '.'
                    + e.getMethodName()
                    + '('
                    + (e.isNativeMethod() ? "Native Method" : file)
                    + ')';
        }
    }
}
