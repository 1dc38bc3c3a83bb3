package io.microrpc.plugin.registry.zookeeper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which process a ZooKeeper session belongs to, for the embedded server: a provider writes one as the
 * ephemeral node {@code /microrpc-embedded/sessions/<session id>} of its session, and a server started
 * from the shared data closes the restored sessions whose process is gone instead of keeping their
 * provider nodes until the sessions expire.
 *
 * <p>Data: {@code key=value} lines, {@code pid}, {@code started} (the process's start, epoch
 * milliseconds, so that a reused pid is not taken for the process) and {@code pid-namespace} (Linux: a
 * process in another container that shares the loopback address has pids of its own, and is never
 * judged). Immutable.
 */
record ProcessRecord(long pid, long startedMillis, String pidNamespace) {

    /** Where the records live; outside {@code registry.zookeeper.root}, which is for services. */
    static final String PARENT = "/microrpc-embedded/sessions";
    /** The tree of {@link #PARENT}, which the embedded server's access control covers. */
    static final String TREE = "/microrpc-embedded";
    /** Start times read twice may differ by the clock-tick rounding of the OS. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    /** This process. */
    static ProcessRecord current() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessRecord(
                self.pid(),
                self.info().startInstant().map(Instant::toEpochMilli).orElse(0L),
                currentPidNamespace().orElse(""));
    }

    static String path(long sessionId) {
        return PARENT + "/0x" + Long.toHexString(sessionId);
    }

    byte[] encode() {
        return ("pid=" + pid + "\nstarted=" + startedMillis + "\npid-namespace=" + pidNamespace + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The record in {@code data}, or empty if it is not one (then nobody judges its session). */
    static Optional<ProcessRecord> decode(byte[] data) {
        if (data == null) {
            return Optional.empty();
        }
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                keys.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        try {
            long pid = Long.parseLong(keys.getOrDefault("pid", ""));
            long started = Long.parseLong(keys.getOrDefault("started", "0"));
            return pid > 0
                    ? Optional.of(new ProcessRecord(pid, started, keys.getOrDefault("pid-namespace", "")))
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the process is known to be gone, as seen from this process: no process has its pid, it
     * has exited (a zombie), or one that started at another time has the pid. False whenever this process cannot tell (another pid
     * namespace, or only one side knows its namespace).
     */
    boolean isGone() {
        String ours = currentPidNamespace().orElse("");
        if (!ours.equals(pidNamespace)) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive() || isZombie(pid)) {
            return true;
        }
        if (startedMillis <= 0) {
            return false;
        }
        return handle.get()
                .info()
                .startInstant()
                .map(s -> Math.abs(s.toEpochMilli() - startedMillis) > START_TOLERANCE.toMillis())
                .orElse(false);
    }

    /**
     * Whether {@code pid} has exited but its parent has not collected it yet (Linux; false elsewhere).
     * The JDK counts such a process as alive, and a process killed a moment ago often is one: the
     * server taking over after it notices at once, its parent later (a container's init may never).
     */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int end = stat.lastIndexOf(')');
            String state = end < 0 ? "" : stat.substring(end + 1).trim();
            return state.startsWith("Z") || state.startsWith("X");
        } catch (Exception e) {
            return false;
        }
    }

    /** Linux's {@code pid:[4026531836]}; empty elsewhere. */
    private static Optional<String> currentPidNamespace() {
        try {
            return Optional.of(
                    Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString());
        } catch (Exception | LinkageError e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "pid " + pid;
    }
}
