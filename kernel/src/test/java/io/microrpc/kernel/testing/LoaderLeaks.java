package io.microrpc.kernel.testing;

import static org.awaitility.Awaitility.await;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import shark.CloseableHeapGraph;
import shark.GcRoot;
import shark.HeapField;
import shark.HeapObject;
import shark.HprofHeapGraph;
import shark.HprofRecord.HeapDumpRecord.ObjectRecord.ClassDumpRecord;
import shark.HprofRecordTag;

/**
 * Proves that a class loader (or any object) became unreachable and, when it did not, says why: it
 * writes a heap dump and names the shortest chain of references from a GC root to it. For every test
 * that unloads a plugin (the swap tests, the registry and distribution tests).
 *
 * <pre>{@code
 * LoaderLeaks.assertCollected("class loader of policy 1.0.14", loaderRef, Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>The dump is read with Shark's HPROF graph; the path search is ours, because what keeps a class
 * loader alive includes edges that a plain object graph does not show: every object keeps its class,
 * every class keeps its defining loader (and its protection domain and superclass), and a loader keeps
 * every class it defined. Weak and phantom referents are never followed; soft ones only when there is no
 * strong path (the message then says so: {@code System.gc()} does not clear soft references). What the
 * JVM holds outside the heap (JIT-compiled code, its own handles) is not in a dump: a loader that
 * survives with no path found is held there, and the message says that too.
 *
 * <p>Dumps go to {@code target/leak-dumps/}; one that shows a path is kept for a closer look with a heap
 * analyzer, the others are deleted. Not thread-safe; one check at a time.
 */
public final class LoaderLeaks {

    private static final Path DUMPS = Path.of("target", "leak-dumps");

    /** Holds the object under examination weakly, where the analysis finds it in the dump. */
    private static final class Target extends WeakReference<Object> {
        Target(Object o) {
            super(o);
        }
    }

    @SuppressWarnings("UnusedVariable") // a GC root on purpose: the heap dump shows the path through it
    private static volatile Target target;

    private LoaderLeaks() {}

    /**
     * Asks for collections (at most every 50 ms, with some allocation pressure, so other threads keep
     * running between them) until {@code ref} is cleared; if it is still there after {@code within},
     * fails saying what holds it ({@link #retention}).
     *
     * @param what names the object in the failure message, e.g. {@code class loader of policy 1.0.14}
     */
    public static void assertCollected(String what, WeakReference<?> ref, Duration within) {
        if (awaitCollected(ref, within)) {
            return;
        }
        Retention r = retention(ref, what);
        if (r == null) {
            // The dump's own full collection took it: it was garbage, just not collected yet.
            return;
        }
        throw new AssertionError(what + " still reachable " + within.toSeconds() + " s after its last use. " + r);
    }

    /** True once {@code ref} is cleared, asking for a collection at most every 50 ms; false after {@code within}. */
    public static boolean awaitCollected(WeakReference<?> ref, Duration within) {
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
                byte[][] pressure = new byte[16][];
                for (int i = 0; i < pressure.length; i++) {
                    pressure[i] = new byte[1 << 20];
                }
                System.gc();
                return ref.get() == null;
            });
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /**
     * Writes a heap dump of live objects and says what holds the object {@code ref} points at: the
     * shortest path from a GC root, or that no path in the heap exists; null when it was collected, at
     * the latest by the dump's own full collection.
     *
     * @param name names the dump file
     */
    public static synchronized Retention retention(WeakReference<?> ref, String name) {
        if (!mark(ref)) {
            return null;
        }
        Path dump;
        try {
            Files.createDirectories(DUMPS);
            dump = DUMPS.resolve(name.replaceAll("[^A-Za-z0-9._-]", "-") + '-' + System.nanoTime() + ".hprof")
                    .toAbsolutePath();
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a heap dump under " + DUMPS.toAbsolutePath(), e);
        } finally {
            target = null;
        }
        Retention r;
        try (CloseableHeapGraph graph =
                HprofHeapGraph.Companion.openHeapGraph(dump.toFile(), null, EnumSet.allOf(HprofRecordTag.class))) {
            r = new PathSearch(graph, dump).toTarget();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the heap dump " + dump, e);
        }
        if (r == null || !r.inHeap()) {
            // Nothing to look at in it.
            delete(dump.toFile());
        }
        return r;
    }

    /** What keeps an object reachable, as one heap dump shows it. */
    public static final class Retention {
        private final boolean inHeap;
        private final String description;

        Retention(boolean inHeap, String description) {
            this.inHeap = inHeap;
            this.description = description;
        }

        /**
         * True when a chain of references from a GC root in the heap holds it: a reference someone can drop.
         * False when none does and the JVM itself holds it, outside the heap: compiled code that inlined a
         * method of the object's classes, while some thread executes it, or a JNI handle.
         */
        public boolean inHeap() {
            return inHeap;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /**
     * Points {@link #target} at the object; in its own method so that no frame of the caller holds it
     * strongly while the heap is dumped.
     */
    private static boolean mark(WeakReference<?> ref) {
        Object o = ref.get();
        if (o == null) {
            return false;
        }
        target = new Target(o);
        return true;
    }

    private static void delete(File f) {
        if (!f.delete()) {
            f.deleteOnExit();
        }
    }

    /** Breadth-first search over one dump, from every GC root, to the object {@link Target} points at. */
    private static final class PathSearch {

        private static final long ROOT = 0;

        private final CloseableHeapGraph graph;
        /** By object id: the id of the object the search reached it from, or {@link #ROOT}. */
        private final Map<Long, Long> parent = new HashMap<>();
        /** Whether the search follows SoftReference referents (a second search, when no strong path exists). */
        private boolean followSoft;

        private final Map<Long, String> rootNames = new HashMap<>();
        private final Map<Long, List<Long>> classesByLoader = new HashMap<>();
        private final Map<Integer, String> threadNames = new HashMap<>();

        private final Path dump;

        PathSearch(CloseableHeapGraph graph, Path dump) {
            this.graph = graph;
            this.dump = dump;
            for (Iterator<HeapObject.HeapClass> it = graph.getClasses().iterator(); it.hasNext(); ) {
                HeapObject.HeapClass c = it.next();
                classesByLoader
                        .computeIfAbsent(c.readRecord().getClassLoaderId(), k -> new ArrayList<>())
                        .add(c.getObjectId());
            }
            for (GcRoot r : graph.getGcRoots()) {
                if (r instanceof GcRoot.ThreadObject && graph.objectExists(r.getId())) {
                    HeapObject thread = graph.findObjectById(r.getId());
                    threadNames.put(((GcRoot.ThreadObject) r).getThreadSerialNumber(), threadName(thread));
                }
            }
        }

        /** What holds the target, or null when it was collected (it is not in the dump). */
        Retention toTarget() {
            long goal = targetId();
            if (goal == 0 || !graph.objectExists(goal)) {
                return null;
            }
            String strong = search(goal);
            if (strong != null) {
                return new Retention(
                        true,
                        "Find what keeps it in this path and drop that reference. Shortest path "
                                + "from a GC root (heap dump " + dump + "):\n" + strong);
            }
            int reachable = parent.size();
            followSoft = true;
            parent.clear();
            rootNames.clear();
            String soft = search(goal);
            if (soft != null) {
                return new Retention(
                        true,
                        "It is only softly reachable (System.gc() clears soft references only when "
                                + "memory runs short); drop the soft reference or the cache that holds it. Shortest path from a "
                                + "GC root (heap dump " + dump + "):\n" + soft);
            }
            return new Retention(
                    false,
                    "No path from a GC root in the heap holds it (" + reachable + " objects searched): "
                            + "the JVM itself does, outside the heap, e.g. compiled code that inlined a method of its classes "
                            + "while some thread runs that code, or a JNI handle.");
        }

        private String search(long goal) {
            ArrayDeque<Long> queue = new ArrayDeque<>();
            for (GcRoot r : graph.getGcRoots()) {
                long id = r.getId();
                if (id != 0 && graph.objectExists(id) && parent.putIfAbsent(id, ROOT) == null) {
                    rootNames.put(id, describeRoot(r));
                    queue.add(id);
                }
            }
            while (!queue.isEmpty()) {
                long id = queue.poll();
                if (id == goal) {
                    return describePath(goal);
                }
                for (Edge e : edges(graph.findObjectById(id))) {
                    if (e.to != 0 && !parent.containsKey(e.to) && graph.objectExists(e.to)) {
                        parent.put(e.to, id);
                        queue.add(e.to);
                    }
                }
            }
            return null;
        }

        private long targetId() {
            HeapObject.HeapClass marker = graph.findClassByName(Target.class.getName());
            if (marker == null) {
                return 0;
            }
            for (Iterator<HeapObject.HeapInstance> it = marker.getInstances().iterator(); it.hasNext(); ) {
                HeapField referent = it.next().readField("java.lang.ref.Reference", "referent");
                Long id = referent == null ? null : referent.getValue().getAsObjectId();
                if (id != null && id != 0) {
                    return id;
                }
            }
            return 0;
        }

        private String describePath(long goal) {
            List<Long> chain = new ArrayList<>();
            for (long id = goal; id != ROOT; id = parent.get(id)) {
                chain.add(0, id);
            }
            StringBuilder out = new StringBuilder();
            out.append("  GC root: ").append(rootNames.get(chain.get(0))).append('\n');
            out.append("  ")
                    .append(describe(graph.findObjectById(chain.get(0))))
                    .append('\n');
            for (int k = 1; k < chain.size(); k++) {
                long to = chain.get(k);
                String via = "?";
                for (Edge e : edges(graph.findObjectById(chain.get(k - 1)))) {
                    if (e.to == to) {
                        via = e.name;
                        break;
                    }
                }
                out.append("    ")
                        .append(via)
                        .append(" -> ")
                        .append(describe(graph.findObjectById(to)))
                        .append('\n');
            }
            return out.toString();
        }

        private String describeRoot(GcRoot r) {
            String kind = r.getClass().getSimpleName();
            if (r instanceof GcRoot.JavaFrame) {
                GcRoot.JavaFrame f = (GcRoot.JavaFrame) r;
                return "local variable in frame " + f.getFrameNumber() + " of thread "
                        + threadNames.get(f.getThreadSerialNumber());
            }
            if (r instanceof GcRoot.ThreadObject) {
                return "thread " + threadNames.get(((GcRoot.ThreadObject) r).getThreadSerialNumber());
            }
            if (r instanceof GcRoot.JniLocal) {
                return "JNI local of thread " + threadNames.get(((GcRoot.JniLocal) r).getThreadSerialNumber());
            }
            if (r instanceof GcRoot.NativeStack) {
                return "native stack of thread " + threadNames.get(((GcRoot.NativeStack) r).getThreadSerialNumber());
            }
            if (r instanceof GcRoot.ThreadBlock) {
                return "thread block of thread " + threadNames.get(((GcRoot.ThreadBlock) r).getThreadSerialNumber());
            }
            return kind;
        }

        private static String threadName(HeapObject thread) {
            HeapObject.HeapInstance t = thread.getAsInstance();
            HeapField name = t == null ? null : t.readField("java.lang.Thread", "name");
            String s = name == null ? null : name.getValue().readAsJavaString();
            return s == null ? "?" : '"' + s + '"';
        }

        private static String describe(HeapObject o) {
            String id = "@" + Long.toHexString(o.getObjectId());
            HeapObject.HeapClass c = o.getAsClass();
            if (c != null) {
                return "class " + c.getName();
            }
            HeapObject.HeapInstance i = o.getAsInstance();
            if (i != null) {
                if (i.instanceOf("java.lang.Thread")) {
                    return "thread " + threadName(i) + " (" + i.getInstanceClassName() + id + ")";
                }
                return i.getInstanceClassName() + id;
            }
            HeapObject.HeapObjectArray a = o.getAsObjectArray();
            if (a != null) {
                return a.getArrayClassName() + id;
            }
            return o.toString();
        }

        /** The strong references out of {@code o}, named as the path shows them. */
        private List<Edge> edges(HeapObject o) {
            List<Edge> out = new ArrayList<>();
            HeapObject.HeapClass c = o.getAsClass();
            if (c != null) {
                ClassDumpRecord r = c.readRecord();
                out.add(new Edge("(defining loader)", r.getClassLoaderId()));
                out.add(new Edge("(protection domain)", r.getProtectionDomainId()));
                out.add(new Edge("(signers)", r.getSignersId()));
                out.add(new Edge("(superclass)", r.getSuperclassId()));
                for (Iterator<HeapField> it = c.readStaticFields().iterator(); it.hasNext(); ) {
                    HeapField f = it.next();
                    Long id = f.getValue().getAsObjectId();
                    if (id != null) {
                        out.add(new Edge("static " + f.getName(), id));
                    }
                }
                return out;
            }
            HeapObject.HeapInstance i = o.getAsInstance();
            if (i != null) {
                out.add(new Edge("(its class)", i.getInstanceClassId()));
                if (i.getInstanceClassName().equals("java.lang.String")) {
                    return out;
                }
                for (Iterator<HeapField> it = i.readFields().iterator(); it.hasNext(); ) {
                    HeapField f = it.next();
                    Long id = f.getValue().getAsObjectId();
                    if (id == null) {
                        continue;
                    }
                    if (isReferent(f)) {
                        if (followSoft
                                && f.getName().equals("referent")
                                && i.instanceOf("java.lang.ref.SoftReference")) {
                            out.add(new Edge(".referent (soft)", id));
                        }
                        continue;
                    }
                    out.add(new Edge(
                            "." + f.getName() + " (" + f.getDeclaringClass().getName() + ')', id));
                }
                for (Long cls : classesByLoader.getOrDefault(i.getObjectId(), List.of())) {
                    out.add(new Edge("(defined class)", cls));
                }
                return out;
            }
            HeapObject.HeapObjectArray a = o.getAsObjectArray();
            if (a != null) {
                out.add(new Edge("(its class)", a.getArrayClassId()));
                long[] elements = a.readRecord().getElementIds();
                for (int k = 0; k < elements.length; k++) {
                    out.add(new Edge("[" + k + "]", elements[k]));
                }
            }
            return out;
        }

        /** Fields the collector treats specially: a Reference's referent and its discovered-list link. */
        private static boolean isReferent(HeapField f) {
            return f.getDeclaringClass().getName().equals("java.lang.ref.Reference")
                    && (f.getName().equals("referent") || f.getName().equals("discovered"));
        }
    }

    private static final class Edge {
        final String name;
        final long to;

        Edge(String name, long to) {
            this.name = name;
            this.to = to;
        }
    }
}
