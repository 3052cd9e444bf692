package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.model.Explorer;
import ukl.model.InputError;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.tlc.TlcEngine;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ukl bench} (issue 15, item 5): a fixed ladder of scenarios, the same every time, checked
 * by the Java explorer (median of --runs) and, where it finishes within --tlc-limit, by TLC with
 * two workers, side by side: distinct states, wall seconds, states/s, peak memory, bytes per
 * state. Speed and memory are measured here, never in timed unit tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the benchmark ladder (small, medium, large; --full adds x-large) on the Java explorer and on TLC,",
                "and print distinct states, wall seconds, states/s, peak memory and bytes per state for each.",
                "Java: the median of --runs runs in this JVM, its peak heap. TLC: one run with 2 workers, its peak RSS."})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--full", description = "add the x-large scenario (about 12 million states; needs several GiB)") boolean full;
    @Option(names = "--runs", paramLabel = "N", description = "Java runs per scenario; the median is reported (default 3)") int runs = 3;
    @Option(names = "--tlc-limit", paramLabel = "SECONDS", description = "TLC's time per scenario; past it the cell says so (default 120)") long tlcLimit = 120;
    @Option(names = "--no-tlc", description = "the Java explorer only") boolean noTlc;
    @Option(names = "--format", paramLabel = "text|json", description = "text (default) or json") String format = "text";
    @Option(names = "--rungs", split = ",", paramLabel = "NAME", description = "only these rungs (small, medium, large, x-large)") List<String> rungs;
    @Option(names = "--exact", description = "the exact Java explorer (whole states) instead of the fingerprint one") boolean exact;
    @Option(names = "--java-workers", paramLabel = "N", description = "fingerprint explorer threads (default 0: one per core)") int javaWorkers;

    /** The ladder: fixed scenarios, listed in proofs-notes/results.md with their measurements. */
    record Rung(String name, String preset, String workload, String events) {}

    static final List<Rung> LADDER = List.of(
            new Rung("small", "linux", "getppid", null),
            new Rung("medium", "ukl-paper", "tlb-shootdown", "TIMER:1,NMI:1"),
            new Rung("large", "linux", "tlb-shootdown", "TIMER:1,NMI:1,MC:1"));
    static final Rung XLARGE = new Rung("x-large", "ukl-paper", "tlb-shootdown", "TIMER:1,NMI:1,MC:1");

    static Scenario scenario(Rung r) { return scenario(r, false, 0); }

    static Scenario scenario(Rung r, boolean exact, int workers) {
        Scenario.Builder b = Scenario.builder().preset(r.preset()).workload(r.workload());
        b.exact = exact;
        b.workers = workers;
        if (r.events() != null) b.eventsSpec(r.events());
        b.maxStates = 40_000_000;
        b.timeLimitSeconds = 3600;
        b.name = "bench " + r.name();
        return b.build();
    }

    public Integer call() {
        if (runs < 1 || runs > 20) throw InputError.arg("--runs", "expected 1 to 20, not " + runs);
        if (tlcLimit < 1) throw InputError.arg("--tlc-limit", "expected a positive number of seconds");
        if (!format.equals("text") && !format.equals("json")) throw InputError.arg("--format", "expected text or json, not '" + format + "'");
        if (javaWorkers < 0 || javaWorkers > 256) throw InputError.arg("--java-workers", "expected 0 (one per core) to 256, not " + javaWorkers);
        if (exact && javaWorkers != 0) throw InputError.arg("command line", "--java-workers sets the fingerprint explorer's threads; --exact runs on one: give one or the other");
        List<Rung> ladder = new ArrayList<>(LADDER);
        if (full || (rungs != null && rungs.contains("x-large"))) ladder.add(XLARGE);
        if (rungs != null) {
            for (String n : rungs)
                if (ladder.stream().noneMatch(r -> r.name().equals(n))) throw InputError.arg("--rungs", "unknown rung '" + n + "'; expected small, medium, large or x-large");
            ladder.removeIf(r -> !rungs.contains(r.name()));
        }
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        text.append(String.format("%-8s %-40s %12s | %9s %12s %10s %8s %8s %9s | %9s %10s %10s %8s%n", "rung", "scenario", "states",
                "java s", "states/s", "heap MiB", "B/state", "store/st", "P(coll)", "tlc s", "states/s", "RSS MiB", "B/state"));
        for (Rung r : ladder) {
            Scenario sc = scenario(r, exact, javaWorkers);
            String what = r.preset() + " + " + r.workload() + (r.events() != null ? " " + r.events() : "");
            err.println("bench: " + r.name() + " (" + what + "), " + runs + " Java run" + (runs == 1 ? "" : "s") + (noTlc ? "" : ", then TLC"));
            err.flush();
            double[] secs = new double[runs];
            long[] heap = new long[runs];
            Result last = null;
            for (int i = 0; i < runs; i++) {
                System.gc();
                resetPeaks();
                long t0 = System.nanoTime();
                last = new Explorer(sc).run();
                secs[i] = (System.nanoTime() - t0) / 1e9;
                heap[i] = Explorer.peakHeap();
                if (last.incompleteReason() != null) break;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rung", r.name());
            row.put("scenario", what);
            long states = last.stats().states();
            row.put("states", states);
            boolean javaDone = last.incompleteReason() == null;
            double js = median(secs), jh = median(heap);
            row.put("javaComplete", javaDone);
            row.put("javaSeconds", js);
            row.put("javaStatesPerSecond", js > 0 ? states / js : 0);
            row.put("javaPeakHeapBytes", (long) jh);
            row.put("javaBytesPerState", states > 0 ? jh / states : 0);
            Result.Stats st = last.stats();
            boolean fp = !Double.isNaN(st.fpCollision());
            row.put("javaStorage", fp ? "fingerprints" : "exact");
            row.put("javaWorkers", st.workers());
            if (fp) {
                row.put("javaStoreBytes", st.storeBytes());
                row.put("javaStoreBytesPerState", states > 0 ? (double) st.storeBytes() / states : 0);
                row.put("javaDiskBytes", st.diskBytes());
                row.put("fingerprintCollisionProbability", st.fpCollision());
            }
            String storeCols = fp ? String.format("%8.1f %9.1e", states > 0 ? (double) st.storeBytes() / states : 0, st.fpCollision()) : String.format("%8s %9s", "-", "-");
            String tlcCols = String.format("%9s %10s %10s %8s", "-", "-", "-", "-");
            if (!noTlc) {
                Path work = TlcEngine.tempWork();
                try {
                    long t0 = System.nanoTime();
                    Result t = new TlcEngine(sc, work, 2, tlcLimit).check();
                    double ts = (System.nanoTime() - t0) / 1e9;
                    boolean done = t.incompleteReason() == null;
                    row.put("tlcComplete", done);
                    row.put("tlcSeconds", ts);
                    row.put("tlcStates", t.stats().states());
                    row.put("tlcPeakRssBytes", t.stats().peakMemoryBytes());
                    if (done) {
                        long rss = t.stats().peakMemoryBytes();
                        tlcCols = String.format("%9.1f %10.0f %10s %8s", ts, t.stats().states() / ts, rss < 0 ? "?" : String.valueOf(rss >> 20),
                                rss < 0 ? "?" : String.valueOf(rss / Math.max(1, t.stats().states())));
                    } else {
                        tlcCols = String.format("%-40s", "not done in " + tlcLimit + " s");
                    }
                } finally {
                    TlcEngine.deleteTree(work);
                }
            }
            rows.add(row);
            text.append(String.format("%-8s %-40s %12s | %9.2f %12.0f %10d %8.0f %s | %s%n", r.name(), what,
                    String.format("%,d", states) + (javaDone ? "" : "+"), js, js > 0 ? states / js : 0, ((long) jh) >> 20, states > 0 ? jh / states : 0, storeCols, tlcCols));
        }
        text.append("Java: ").append(exact ? "the exact explorer" : "the fingerprint explorer, " + (javaWorkers == 0 ? Runtime.getRuntime().availableProcessors() : javaWorkers) + " worker(s)")
                .append("; median of ").append(runs).append(" runs in one JVM (peak heap, garbage included; store/st: the bytes per state the explorer holds, fingerprint table, trace log, queue peak;")
                .append(" P(coll): TLC's optimistic fingerprint-collision estimate); TLC: one run, 2 workers, peak RSS of its process.\n");
        text.append(String.format("machine: %d CPUs, max heap %d MiB, %s %s%n", Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.vm.name"), System.getProperty("java.version")));
        if (format.equals("json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tool", Report.TOOL);
            m.put("runs", runs);
            m.put("ladder", rows);
            out.print(Json.write(m));
        } else {
            out.print(text);
        }
        out.flush();
        return 0;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) if (b.getType() == MemoryType.HEAP) b.resetPeakUsage();
    }

    /** The median of the runs that happened (a run cut short leaves zeros after it). */
    private static double median(double[] xs) {
        double[] c = Arrays.stream(xs).filter(x -> x > 0).sorted().toArray();
        int n = c.length;
        return n == 0 ? 0 : n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    }

    private static double median(long[] xs) {
        double[] d = new double[xs.length];
        for (int i = 0; i < xs.length; i++) d[i] = xs[i];
        return median(d);
    }
}
