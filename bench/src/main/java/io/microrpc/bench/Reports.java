package io.microrpc.bench;

import io.microrpc.kernel.internal.transport.Transports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleBiFunction;
import java.util.stream.Collectors;

/** Formats results as a console table and as Markdown, with the machine they were measured on. */
final class Reports {

    private static final String[] HEADERS = {
        "scenario",
        "target",
        "C",
        "calls/s",
        "p50 µs",
        "p99 µs",
        "p99.9 µs",
        "errors",
        "calls/s vs raw",
        "p50 vs raw",
        "raw baseline",
    };

    private Reports() {}

    /**
     * One table row: the median round of a scenario by calls/s and, for microrpc, the raw echo rounds
     * it is compared with. Ratios are taken round by round (microrpc's round i against the raw echo's
     * round i, measured a minute apart) and the median ratio is shown, so that load which comes and goes
     * on a shared machine affects both sides of a ratio alike. With one round, all of this is that round.
     */
    record Row(Result result, List<Result> rounds, List<Result> baselineRounds) {

        static Row of(List<Result> rounds, List<Result> baselineRounds) {
            List<Result> sorted = new ArrayList<>(rounds);
            sorted.sort(Comparator.comparingDouble(Result::callsPerSecond));
            return new Row(
                    sorted.get((sorted.size() - 1) / 2),
                    List.copyOf(rounds),
                    baselineRounds == null ? List.of() : List.copyOf(baselineRounds));
        }

        /** The median over rounds of {@code ratio(microrpc round i, raw round i)}; NaN without a baseline. */
        double medianRatio(ToDoubleBiFunction<Result, Result> ratio) {
            int n = Math.min(rounds.size(), baselineRounds.size());
            double[] ratios = new double[n];
            for (int i = 0; i < n; i++) {
                ratios[i] = ratio.applyAsDouble(rounds.get(i), baselineRounds.get(i));
            }
            Arrays.sort(ratios);
            return n == 0 ? Double.NaN : n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
        }

        /** microrpc's calls/s as a fraction of the raw echo's (median over rounds). */
        double throughputRatio() {
            return medianRatio((r, b) -> r.callsPerSecond() / b.callsPerSecond());
        }

        String[] cells(boolean withRounds) {
            Result r = result;
            boolean compared = !baselineRounds.isEmpty();
            List<String> cells = new ArrayList<>(List.of(
                    r.label(),
                    r.target(),
                    Integer.toString(r.concurrency()),
                    String.format(Locale.ROOT, "%,.0f", r.callsPerSecond()),
                    micros(r.micros(50)),
                    micros(r.micros(99)),
                    micros(r.micros(99.9)),
                    Long.toString(rounds.stream().mapToLong(Result::errors).sum()),
                    compared ? String.format(Locale.ROOT, "%.2f", throughputRatio()) : "—",
                    compared
                            ? String.format(Locale.ROOT, "%.2f×", medianRatio((x, b) -> x.micros(50) / b.micros(50)))
                            : "—",
                    compared ? baselineRounds.get(0).label() : ""));
            if (withRounds) {
                cells.add(rounds.stream()
                        .map(x -> String.format(Locale.ROOT, "%,.0f", x.callsPerSecond()))
                        .collect(Collectors.joining(" / ")));
            }
            return cells.toArray(String[]::new);
        }

        private static String micros(double us) {
            return Double.isNaN(us) ? "—" : String.format(Locale.ROOT, us < 100 ? "%.1f" : "%.0f", us);
        }
    }

    private static boolean withRounds(List<Row> rows) {
        return rows.stream().anyMatch(r -> r.rounds().size() > 1);
    }

    private static String[] headers(boolean withRounds) {
        if (!withRounds) {
            return HEADERS;
        }
        String[] h = Arrays.copyOf(HEADERS, HEADERS.length + 1);
        h[HEADERS.length] = "calls/s per round";
        return h;
    }

    /** A fixed-width table for the console. */
    static String table(List<Row> rows) {
        boolean withRounds = withRounds(rows);
        String[] headers = headers(withRounds);
        List<String[]> lines = new ArrayList<>();
        lines.add(headers);
        rows.forEach(r -> lines.add(r.cells(withRounds)));
        int[] widths = new int[headers.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < lines.size(); l++) {
            String[] line = lines.get(l);
            for (int i = 0; i < line.length; i++) {
                // Text columns to the left, numbers to the right.
                boolean left = i < 2 || i >= HEADERS.length - 1;
                String pad = " ".repeat(widths[i] - line[i].length());
                sb.append(left ? line[i] + pad : pad + line[i]).append(i < line.length - 1 ? "  " : "");
            }
            sb.append('\n');
            if (l == 0) {
                int total = 0;
                for (int w : widths) {
                    total += w + 2;
                }
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        return sb.toString();
    }

    /** A Markdown document: how it was run, on what, and the table. */
    static String markdown(List<Row> rows, String commandLine, String load) {
        boolean withRounds = withRounds(rows);
        String[] headers = headers(withRounds);
        StringBuilder sb = new StringBuilder();
        sb.append("# microrpc benchmark results\n\n");
        sb.append("- Command: `").append(commandLine).append("`\n");
        sb.append("- Machine: ").append(machine()).append("\n");
        sb.append("- Load: ").append(load).append("\n");
        sb.append("- Date: ")
                .append(ZonedDateTime.now(ZoneId.systemDefault()).withNano(0))
                .append("\n\n");
        sb.append('|');
        for (String h : headers) {
            sb.append(' ').append(h).append(" |");
        }
        sb.append("\n|");
        for (int i = 0; i < headers.length; i++) {
            sb.append(i < 2 || i >= HEADERS.length - 1 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (Row r : rows) {
            sb.append('|');
            for (String c : r.cells(withRounds)) {
                sb.append(' ').append(c).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\n").append(LEGEND);
        return sb.toString();
    }

    /** The 1-minute load average, or "?" where /proc/loadavg does not exist. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static final String LEGEND = "calls/s vs raw: microrpc's throughput divided by the raw echo's (the raw baseline "
            + "column); getUser and listUser are compared with raw-echo-128. p50 vs raw: microrpc's median latency "
            + "divided by the raw echo's. Latency is per call in a closed loop of C users, from issue to completion. "
            + "With several rounds, each row shows its median round by calls/s, and the ratios are the medians of "
            + "the per-round ratios (round i of microrpc against round i of the raw echo).\n";

    /** CPU count and model, OS, JVM and Netty transport of this machine. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // Not Linux: the model is only informative.
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + System.getProperty("os.name")
                + ' '
                + System.getProperty("os.version") + ", " + System.getProperty("java.vm.name") + ' '
                + System.getProperty("java.runtime.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB, Netty " + Transports.name() + " transport";
    }

    /** Tells the user why calls failed, since an error rate makes the figures meaningless. */
    static void warnOnErrors(Result result, Throwable first) {
        if (result.errors() > 0 || first != null) {
            System.err.printf(
                    "%s (%s): %d failed calls in the measurement; first failure seen (warm-up included): %s%n",
                    result.label(), result.target(), result.errors(), first);
        }
    }
}
