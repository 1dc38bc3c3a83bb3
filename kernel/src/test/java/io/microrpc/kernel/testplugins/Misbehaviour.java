package io.microrpc.kernel.testplugins;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a misbehaving test plugin does in its {@code start()}, as its JAR's resource
 * {@value #RESOURCE} says: {@code error:oom}, {@code error:stack-overflow} (real, by recursion),
 * {@code error:linkage}, {@code throw}, {@code hang} (never returns, and swallows interrupts: the worst
 * case), {@code slow:<millis>} (returns after that long, interrupts or not), {@code exit:<status>}
 * ({@code System.exit}), or {@code ok}; prefixed with {@code then:}, the
 * first start of an instance of the plugin's class loader behaves and the later ones (a restart with new
 * configuration keys) do the rest. Each step is printed to
 * {@code System.out} (a child JVM's log shows it) and recorded in {@link Journal}. Never packaged into a
 * plugin JAR (the resource is read through the plugin's class loader), so every plugin class loader
 * finds this class on the application class path, and the test sees what the plugins did.
 */
public final class Misbehaviour {

    public static final String RESOURCE = "misbehave.txt";
    /** The message of the simulated {@code OutOfMemoryError}. */
    public static final String OOM = "misbehaving: simulated heap exhaustion in start()";

    private Misbehaviour() {}

    /** Does what the resource of {@code c}'s JAR says, for the {@code nth} start in its class loader. */
    public static void act(Class<?> c, int nth) throws Exception {
        String what = read(c);
        if (what.startsWith("then:")) {
            what = nth == 1 ? "ok" : what.substring("then:".length());
        }
        System.out.println("misbehaving plugin: start() begins: " + what);
        System.out.flush();
        Journal.started(what);
        if (what.equals("error:oom")) {
            throw new OutOfMemoryError(OOM);
        } else if (what.equals("error:stack-overflow")) {
            recurse(0);
        } else if (what.equals("error:linkage")) {
            throw new NoClassDefFoundError("com/acme/missing/Helper (misbehaving on purpose)");
        } else if (what.equals("throw")) {
            throw new IllegalStateException("misbehaving: start() threw");
        } else if (what.equals("hang")) {
            hang();
        } else if (what.startsWith("slow:")) {
            slow(Long.parseLong(what.substring("slow:".length())));
        } else if (what.startsWith("exit:")) {
            System.exit(Integer.parseInt(what.substring("exit:".length())));
        }
    }

    @SuppressWarnings("InfiniteRecursion") // on purpose: the plugin's start() overflows the stack
    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /** Never returns; counts the interrupts it swallows. */
    private static void hang() {
        CountDownLatch never = new CountDownLatch(1);
        while (true) {
            try {
                never.await();
            } catch (InterruptedException e) {
                Journal.interrupted();
            }
        }
    }

    /** Returns after {@code millis}, whether interrupted or not; counts the interrupts it swallows. */
    private static void slow(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = millis; left > 0; left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())) {
            try {
                Thread.sleep(left);
            } catch (InterruptedException e) {
                Journal.interrupted();
            }
        }
    }

    /** A misbehaving plugin's {@code stop()} ran. */
    public static void stopped() {
        Journal.STOPS.incrementAndGet();
    }

    private static String read(Class<?> c) throws IOException {
        try (InputStream in = c.getClassLoader().getResourceAsStream(RESOURCE)) {
            return in == null ? "ok" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /** What the misbehaving plugins did, for the test; on the application class path only. */
    public static final class Journal {
        private static final List<Thread> THREADS = new CopyOnWriteArrayList<>();
        private static final List<String> STARTS = new CopyOnWriteArrayList<>();
        private static final AtomicInteger INTERRUPTS = new AtomicInteger();
        private static final AtomicInteger STOPS = new AtomicInteger();

        private Journal() {}

        static void started(String what) {
            THREADS.add(Thread.currentThread());
            STARTS.add(what);
        }

        static void interrupted() {
            INTERRUPTS.incrementAndGet();
        }

        /** The threads {@code start()} ran on, in order. */
        public static List<Thread> threads() {
            return List.copyOf(THREADS);
        }

        /** What each {@code start()} did, in order. */
        public static List<String> starts() {
            return List.copyOf(STARTS);
        }

        /** Interrupts the hanging starts swallowed. */
        public static int interrupts() {
            return INTERRUPTS.get();
        }

        /** Calls of the misbehaving extensions' {@code stop()}. */
        public static int stops() {
            return STOPS.get();
        }

        public static void reset() {
            THREADS.clear();
            STARTS.clear();
            INTERRUPTS.set(0);
            STOPS.set(0);
        }
    }
}
