package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.model.InputError;
import ukl.model.Presets;
import ukl.model.Workload;
import ukl.report.HtmlReport;
import ukl.report.Matrix;
import ukl.report.MatrixReport;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ukl matrix}: every valid option set of the chosen presets (and of a proposed path file)
 * against every workload, one cell per check. Ctrl-C prints what is done, the rest incomplete.
 */
@Command(name = "matrix", mixinStandardHelpOptions = true,
        description = {"Check every valid option set of the chosen presets against every workload, and report the matrix.",
                "Rows: preset (or --paths file) and option set; columns: workloads; cells: the violated properties, safe, or incomplete."})
final class MatrixCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--presets", split = ",", paramLabel = "P", description = "presets (default: all five)")
    List<String> presets;
    @Option(names = "--options", paramLabel = "all|O,...", description = "the option universe whose valid subsets make the rows (default: the UKL options BYP,NSS,NSS_PS,RET,PF_DF,PF_SS,STACK_VMA_CHECK and NOHZ_FULL; 'all' adds RUN_TO_COMPLETION, APP_REDZONE, PREEMPT=full)")
    String options;
    @Option(names = "--workloads", split = ",", paramLabel = "W", description = "workloads (default: every bundled one)")
    List<String> workloads;
    @Option(names = "--paths", arity = "1..*", paramLabel = "FILE", description = "path files (a proposed optimization) added as extra rows, each with every valid option set")
    List<String> paths = new ArrayList<>();
    @Option(names = "--engine", paramLabel = "java|tlc|both", description = "java (default), tlc, or both (a cell where they differ is DISAGREE)")
    String engine = "java";
    @Option(names = "--format", paramLabel = "text|json|html|catalog", description = "text (default), json, html (one self-contained file), catalog (the markdown hazards catalog)")
    String format = "text";
    @Option(names = "--out", paramLabel = "FILE", description = "write here instead of stdout")
    String out;
    @Option(names = "--jobs", paramLabel = "N", description = "cells checked at once (default: the number of CPUs)")
    Integer jobs;
    @Option(names = "--max-states", paramLabel = "N", description = "per-cell state bound (default 2000000)")
    long maxStates = 2_000_000;
    @Option(names = "--time-limit", paramLabel = "SECONDS", description = "per-cell time bound (default 300)")
    long timeLimit = 300;
    @Option(names = "--bypass-limit", paramLabel = "N", description = "UKL_BYP limit for BYP rows (default 3: the code's 50 multiplies the states by 50 and adds no behaviour the bypass suite does not cover)")
    int bypassLimit = 3;
    @Option(names = "--cache", paramLabel = "DIR", description = "result cache (default: $XDG_CACHE_HOME/ukl-model/matrix or ~/.cache/ukl-model/matrix)")
    String cache;
    @Option(names = "--threads", split = ",", paramLabel = "N", description = "an axis: app threads (1 to 4), one column per value and workload (default: each workload's own)")
    List<Integer> threadsAxis = new ArrayList<>();

    @Option(names = "--cpus", split = ",", paramLabel = "N", description = "an axis: CPUs (1 to 4)")
    List<Integer> cpusAxis = new ArrayList<>();

    @Option(names = "--co-runner", split = ",", paramLabel = "none|user", description = "an axis: no co-running process, or one on the last CPU")
    List<String> coRunnerAxis = new ArrayList<>();

    @Option(names = "--events", split = ";", paramLabel = "SPEC", description = "an axis of event sets, separated by ';' (each as check --events: TIMER:1,NMI:1 or none)")
    List<String> eventsAxis = new ArrayList<>();

    @Option(names = "--no-cache", description = "check every cell, read and write no cache")
    boolean noCache;

    public Integer call() {
        if (!List.of("text", "json", "html", "catalog").contains(format)) throw InputError.arg("--format", "expected text, json, html or catalog, not '" + format + "'");
        if (!List.of("java", "tlc", "both").contains(engine)) throw InputError.arg("--engine", "expected java, tlc or both, not '" + engine + "'");
        if (jobs != null && (jobs < 1 || jobs > 64)) throw InputError.arg("--jobs", "expected 1 to 64, not " + jobs);
        if (noCache && cache != null) throw InputError.arg("--no-cache", "contradicts --cache " + cache);
        if (bypassLimit < 1) throw InputError.arg("--bypass-limit", "expected at least 1");
        if (maxStates < 1) throw InputError.arg("--max-states", "expected a positive number");
        if (timeLimit < 1) throw InputError.arg("--time-limit", "expected a positive number of seconds");
        List<String> ps = presets == null ? Presets.NAMES : presets;
        for (String p : ps) if (!Presets.exists(p)) throw InputError.arg("--presets", "unknown preset '" + p + "'; expected one of " + String.join(", ", Presets.NAMES));
        List<String> ws = workloads == null ? new ArrayList<>(Workload.ALL.keySet()) : workloads;
        for (String w : ws) if (!Workload.ALL.containsKey(w)) throw InputError.arg("--workloads", "unknown workload '" + w + "'; expected one of " + String.join(", ", Workload.ALL.keySet()));
        List<String> universe;
        if (options == null) universe = Matrix.defaultUniverse();
        else if (options.equals("all")) universe = Matrix.allUniverse();
        else {
            universe = new ArrayList<>();
            for (String o : options.split(",")) {
                String n = o.strip();
                if (!Matrix.allUniverse().contains(n)) throw InputError.arg("--options", "unknown option '" + n + "'; expected all or some of " + String.join(", ", Matrix.allUniverse()));
                if (!universe.contains(n)) universe.add(n);
            }
        }
        if (presets != null && presets.isEmpty() && paths.isEmpty()) throw InputError.arg("--presets", "no rows: give a preset or --paths");
        for (int t : threadsAxis) if (t < 1 || t > 4) throw InputError.arg("--threads", "expected 1 to 4, not " + t);
        for (int c : cpusAxis) if (c < 1 || c > 4) throw InputError.arg("--cpus", "expected 1 to 4, not " + c);
        List<Boolean> coAxis = new ArrayList<>();
        for (String c : coRunnerAxis) {
            String v = c.strip().toLowerCase(java.util.Locale.ROOT);
            if (!v.equals("none") && !v.equals("user")) throw InputError.arg("--co-runner", "expected none or user, not '" + c + "'");
            coAxis.add(v.equals("user"));
        }
        List<String> evAxis = new ArrayList<>();
        for (String e : eventsAxis) evAxis.add(e.strip());
        List<Matrix.Variant> variants = Matrix.variants(threadsAxis, cpusAxis, coAxis, evAxis);
        List<String> columns = new ArrayList<>();
        for (String w : ws) for (Matrix.Variant v : variants) columns.add(Matrix.column(w, v));
        Path cacheDir = noCache ? null : Path.of(cache != null ? cache : defaultCache());
        int nJobs = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
        Matrix.Config cfg = new Matrix.Config(ps, paths, universe, ws, engine, nJobs, maxStates, timeLimit, bypassLimit, cacheDir);
        Matrix mx = new Matrix(cfg);
        mx.onWarning(m -> { synchronized (spec) { spec.commandLine().getErr().println(m); spec.commandLine().getErr().flush(); } });
        List<Matrix.Row> rows = mx.rows();   // also reads and parses --paths files: input errors first
        int total = rows.size() * columns.size();
        PrintWriter err = spec.commandLine().getErr();
        Progress prog = new Progress(err, total, System.console() != null);
        long t0 = System.nanoTime();

        // Ctrl-C: stop the cells, then report what is done (marked incomplete) and exit 3.
        sun.misc.SignalHandler old = null;
        try {
            old = sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> mx.interrupt());
        } catch (IllegalArgumentException e) {
            // No SIGINT on this platform or it is reserved by the JVM: Ctrl-C then ends the JVM as usual.
        }
        try {
            mx.run(rows, variants, prog::cellDone);
        } finally {
            if (old != null) sun.misc.Signal.handle(new sun.misc.Signal("INT"), old);
        }
        prog.finish();
        double secs = (System.nanoTime() - t0) / 1e9;
        List<Matrix.Cell> done = mx.done();
        MatrixReport.Summary sum = MatrixReport.summary(total, done, secs, mx.interrupted(), engine);
        List<MatrixReport.Line> lines = MatrixReport.lines(rows, columns, done);
        String axes = (threadsAxis.isEmpty() ? "" : " --threads " + join(threadsAxis)) + (cpusAxis.isEmpty() ? "" : " --cpus " + join(cpusAxis))
                + (coRunnerAxis.isEmpty() ? "" : " --co-runner " + String.join(",", coRunnerAxis))
                + (eventsAxis.isEmpty() ? "" : " --events '" + String.join(";", eventsAxis) + "'");
        String text = switch (format) {
            case "json" -> Json.write(MatrixReport.json(lines, columns, sum, cfg, false));
            case "html" -> HtmlReport.render(MatrixReport.json(lines, columns, sum, cfg, true), "ukl-model matrix: " + String.join(", ", ps)
                    + (paths.isEmpty() ? "" : " + " + String.join(", ", paths)));
            case "catalog" -> MatrixReport.catalog(lines, columns, sum, "ukl matrix" + (presets == null ? "" : " --presets " + String.join(",", ps))
                    + (options == null ? "" : " --options " + options) + (workloads == null ? "" : " --workloads " + String.join(",", ws)) + axes + " --format catalog");
            default -> MatrixReport.text(lines, columns, sum);
        };
        Output.emit(text, out, spec.commandLine().getOut());
        if (mx.interrupted()) return 3;
        return sum.exitCode();
    }

    private static String join(List<Integer> xs) {
        List<String> s = new ArrayList<>();
        for (Integer x : xs) s.add(String.valueOf(x));
        return String.join(",", s);
    }

    static String defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        String base = xdg != null && !xdg.isBlank() ? xdg : Path.of(System.getProperty("user.home"), ".cache").toString();
        return Path.of(base, "ukl-model", "matrix").toString();
    }

    /** A progress bar on a terminal (cells done, states/s, time left); plain lines every few seconds otherwise. */
    static final class Progress {
        private final PrintWriter err;
        private final int total;
        private final boolean tty;
        private final long t0 = System.nanoTime();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicLong states = new AtomicLong();
        private volatile long lastPrint;

        Progress(PrintWriter err, int total, boolean tty) { this.err = err; this.total = total; this.tty = tty; }

        void cellDone(Matrix.Cell c) {
            int d = done.incrementAndGet();
            if (!c.cached()) states.addAndGet(c.states());
            long now = System.nanoTime();
            if (d < total && now - lastPrint < (tty ? 200_000_000L : 5_000_000_000L)) return;
            lastPrint = now;
            synchronized (this) {
                double secs = (now - t0) / 1e9;
                double rate = secs > 0 ? states.get() / secs : 0;
                long left = d > 0 ? Math.round(secs / d * (total - d)) : 0;
                // Cells differ in size by orders of magnitude: an estimate from the first few
                // (it once opened at "12h34m left") says nothing; wait for 5% of them, or 20.
                boolean estimable = d >= Math.min(total, Math.max(20, total / 20));
                String stats = String.format(Locale.ROOT, "%d/%d cells, %,.0f states/s, %s", d, total, rate,
                        estimable ? hms(left) + " left" : "estimating time left");
                if (tty) {
                    int w = 30, fill = total == 0 ? w : (int) ((long) w * d / total);
                    err.print("\r[" + "#".repeat(fill) + "-".repeat(w - fill) + "] " + stats + "   ");
                } else {
                    err.println("matrix: " + stats);
                }
                err.flush();
            }
        }

        void finish() {
            if (tty) { err.println(); err.flush(); }
        }

        static String hms(long s) { return s >= 3600 ? s / 3600 + "h" + (s % 3600) / 60 + "m" : s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s"; }
    }
}
