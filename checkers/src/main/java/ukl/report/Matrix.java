package ukl.report;

import ukl.model.Explorer;
import ukl.model.InputError;
import ukl.model.Option;
import ukl.model.OptionConstraints;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.model.Workload;
import ukl.tlc.TlcEngine;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The design-review matrix: rows are (preset or path file, valid option set), columns are
 * workloads, and each cell is checked by the Java explorer, TLC, or both. Cells are cached by
 * content, so a second run only checks what changed.
 */
public final class Matrix {
    /** A row: a preset (or a user's path file) with one valid option set. */
    public record Row(String label, String preset, String pathsFile, String pathsText, Set<Option> options, boolean preemptFull) {}

    /** One checked cell. {@code violated} in property order; {@code traces}: property name to TraceExport JSON; {@code stories}: to Story text. */
    public record Cell(Row row, String workload, String status, List<String> violated, String incomplete, long states,
                       double seconds, boolean cached, String disagreement, Map<String, Object> traces, Map<String, String> stories,
                       String bound) {
        public boolean safe() { return status.equals("safe"); }
    }

    /**
     * A sweep axis beyond option sets and workloads (issue 14, ukl review): the events, threads,
     * CPUs, co-runner and preemption a cell runs with; null keeps the workload's default.
     */
    public record Variant(String name, String events, Integer threads, Integer cpus, Boolean coRunner, Boolean preemptFull) {
        public static final Variant DEFAULTS = new Variant("defaults", null, null, null, null, null);
    }

    /** One cell to check: a row, a workload, a variant. */
    public record Job(Row row, String workload, Variant variant) {}

    public record Config(List<String> presets, List<String> pathFiles, List<String> optionUniverse, List<String> workloads,
                         String engine, int jobs, long maxStates, long timeLimitSeconds, int bypassLimit, Path cacheDir) {}

    private final Config cfg;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Cell> done = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile ExecutorService pool;
    private final List<Future<?>> futures = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Matrix(Config cfg) { this.cfg = cfg; }

    /** The option universe of the default matrix: the UKL options (the §5 design choices) and NOHZ_FULL. */
    public static List<String> defaultUniverse() {
        List<String> r = new ArrayList<>();
        for (Option o : OptionConstraints.UKL_OPTIONS) r.add(o.name());
        r.add(Option.NOHZ_FULL.name());   // context tracking is live only here: RCU_NOT_WATCHING, CONTEXT_TRACKING (issue 13)
        return r;
    }

    /** Every option name ukl knows, for --options all. */
    public static List<String> allUniverse() {
        List<String> r = new ArrayList<>();
        for (Option o : Option.values()) r.add(o.name());
        r.add("PREEMPT=full");
        return r;
    }

    /** Every row: for each preset or path file, every subset of the universe that is not a contradiction. */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        List<String> u = cfg.optionUniverse();
        if (u.size() > 16) throw InputError.arg("--options", "at most 16 options in the universe (2^16 option sets)");
        List<String[]> bases = new ArrayList<>();
        for (String p : cfg.presets()) bases.add(new String[]{p, null, null});
        for (String f : cfg.pathFiles()) {
            String text;
            try { text = Files.readString(Path.of(f), StandardCharsets.UTF_8); }
            catch (java.nio.file.NoSuchFileException e) { throw new InputError(f, 0, 0, "no such file"); }
            catch (IOException e) { throw new InputError(f, 0, 0, "cannot read: " + e.getMessage()); }
            bases.add(new String[]{null, f, text});
        }
        for (String[] b : bases) {
            var merged = b[0] != null ? null : ukl.model.lang.PathCompiler.merge(ukl.model.lang.PathParser.parse(b[1], b[2]), ukl.model.Presets::load);
            String base = b[0] != null ? b[0] : merged.basePreset();
            Set<Option> admitted = b[0] != null ? OptionConstraints.admitted(base) : OptionConstraints.admitted(base, merged.file());
            for (int mask = 0; mask < 1 << u.size(); mask++) {
                Set<Option> opts = EnumSet.noneOf(Option.class);
                boolean full = false;
                TreeSet<String> names = new TreeSet<>();
                for (int i = 0; i < u.size(); i++) {
                    if ((mask & 1 << i) == 0) continue;
                    names.add(u.get(i));
                    if (u.get(i).equals("PREEMPT=full")) full = true;
                    else opts.add(Option.valueOf(u.get(i)));
                }
                if (OptionConstraints.contradiction(base, admitted, opts) != null) continue;
                String label = (b[0] != null ? b[0] : b[1]) + " {" + String.join(",", names) + "}";
                rows.add(new Row(label, b[0], b[1], b[2], opts, full));
            }
        }
        return rows;
    }

    public Scenario scenario(Row r, String workload) { return scenario(r, workload, Variant.DEFAULTS); }

    public Scenario scenario(Row r, String workload, Variant v) {
        Scenario.Builder b = Scenario.builder().workload(workload);
        if (r.preset() != null) b.preset(r.preset());
        else b.paths(r.pathsFile(), r.pathsText());
        for (Option o : r.options()) b.option(o);
        b.preempt(v.preemptFull() != null ? v.preemptFull() : r.preemptFull());
        if (v.events() != null) { b.origin = "--events (variant " + v.name() + ")"; b.eventsSpec(v.events()); }
        if (v.threads() != null) b.threads = v.threads();
        if (v.cpus() != null) b.cpus = v.cpus();
        if (v.coRunner() != null) b.coRunner = v.coRunner();
        if (v != Variant.DEFAULTS) b.name = r.label() + " + " + workload + " [" + v.name() + "]";
        b.maxStates = cfg.maxStates();
        b.timeLimitSeconds = cfg.timeLimitSeconds();
        b.bypassLimit(cfg.bypassLimit());
        b.workers = cfg.jobs() > 1 ? 1 : 0;   // cells already run in parallel: one explorer thread each
        return b.build();
    }

    /** Asks running cells to stop; what is done stays, the rest is reported incomplete. */
    public void interrupt() {
        stop.set(true);
        ExecutorService p = pool;
        if (p != null) p.shutdownNow();
        for (Future<?> f : futures) f.cancel(true);   // queued cells never start; running ones see the interrupt
    }

    public boolean interrupted() { return stop.get(); }

    public List<Cell> done() { synchronized (done) { return new ArrayList<>(done); } }

    /** Checks every cell (in parallel with --jobs), reporting each as it ends. */
    public List<Cell> run(List<Row> rows, Consumer<Cell> progress) { return run(rows, List.of(Variant.DEFAULTS), progress); }

    /** The same over the variant axes too (issue 14: `ukl matrix --threads/--cpus/--co-runner/--events`): one column per workload and variant. */
    public List<Cell> run(List<Row> rows, List<Variant> variants, Consumer<Cell> progress) {
        List<Job> jobs = new ArrayList<>();
        for (Row r : rows) for (String w : cfg.workloads()) for (Variant v : variants) jobs.add(new Job(r, w, v));
        runJobs(jobs, progress);
        return done();
    }

    /** A matrix column: the workload, with the variant's name when it is not the workload's defaults. */
    public static String column(String workload, Variant v) { return v == Variant.DEFAULTS ? workload : workload + " [" + v.name() + "]"; }

    /**
     * Every combination of the given axis values (null: the workload's own default on that axis).
     * An empty product is the defaults alone.
     */
    public static List<Variant> variants(List<Integer> threads, List<Integer> cpus, List<Boolean> coRunner, List<String> events) {
        List<Variant> out = new ArrayList<>();
        for (Integer t : threads.isEmpty() ? java.util.Collections.<Integer>singletonList(null) : threads)
            for (Integer c : cpus.isEmpty() ? java.util.Collections.<Integer>singletonList(null) : cpus)
                for (Boolean co : coRunner.isEmpty() ? java.util.Collections.<Boolean>singletonList(null) : coRunner)
                    for (String e : events.isEmpty() ? java.util.Collections.<String>singletonList(null) : events) {
                        List<String> n = new ArrayList<>();
                        if (t != null) n.add("threads=" + t);
                        if (c != null) n.add("cpus=" + c);
                        if (co != null) n.add("co-runner=" + (co ? "user" : "none"));
                        if (e != null) n.add("events=" + e);
                        out.add(n.isEmpty() ? Variant.DEFAULTS : new Variant(String.join(",", n), e, t, c, co, null));
                    }
        return out;
    }

    /** Checks the given cells; the list holds each job's cell in job order, null where an interrupt cut it short. */
    public List<Cell> runJobs(List<Job> jobs, Consumer<Cell> progress) {
        List<Runnable> tasks = new ArrayList<>();
        Cell[] byJob = new Cell[jobs.size()];
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            final int k = i;
            Scenario sc = scenario(j.row(), j.workload(), j.variant());   // every input error before any checking
            tasks.add(() -> {
                if (stop.get()) return;
                Cell c = cell(j.row(), column(j.workload(), j.variant()), sc);
                if (stop.get() && c.incomplete() != null) return;   // cut short by the interrupt: not a result
                byJob[k] = c;
                done.add(c);
                if (progress != null) progress.accept(c);
            });
        }
        pool = Executors.newFixedThreadPool(Math.max(1, cfg.jobs()), rn -> {
            Thread t = new Thread(rn, "ukl-matrix");
            t.setDaemon(true);
            return t;
        });
        for (Runnable t : tasks) {
            if (stop.get()) break;
            futures.add(pool.submit(t));
        }
        pool.shutdown();
        if (stop.get()) for (Future<?> f : futures) f.cancel(true);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.CancellationException | InterruptedException e) {
                if (!stop.get()) throw new IllegalStateException("a matrix cell was cancelled", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                if (e.getCause() instanceof Error er) throw er;   // out of memory stays itself: the CLI reports it as incomplete
                throw new IllegalStateException(e.getCause());
            }
        }
        try { pool.awaitTermination(1, TimeUnit.MINUTES); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        return java.util.Arrays.asList(byJob);
    }

    private Cell cell(Row r, String w, Scenario sc) {
        String key = cacheKey(sc);
        Cell hit = readCache(key, r, w);
        if (hit != null) return hit;
        long t0 = System.nanoTime();
        Cell c;
        switch (cfg.engine()) {
            case "java" -> c = javaCell(r, w, sc, t0);
            case "tlc" -> c = fromResult(r, w, tlc(sc), t0, null, null);
            default -> {
                Cell j = javaCell(r, w, sc, t0);
                Result t = tlc(sc);
                List<String> tv = names(t);
                String dis = null;
                if (j.incomplete() == null && t.incompleteReason() == null && !tv.equals(j.violated()))
                    dis = "java: " + (j.violated().isEmpty() ? "safe" : String.join(",", j.violated())) + "; tlc: " + (tv.isEmpty() ? "safe" : String.join(",", tv));
                String inc = j.incomplete() != null ? j.incomplete() : t.incompleteReason() != null ? "tlc: " + t.incompleteReason() : null;
                String status = dis != null ? "disagree" : inc != null ? "incomplete" : j.status();
                c = new Cell(r, w, status, j.violated(), inc, j.states(), (System.nanoTime() - t0) / 1e9, false, dis, j.traces(), j.stories(), j.bound());
            }
        }
        writeCache(key, c);
        return c;
    }

    private Result tlc(Scenario sc) {
        Path work = TlcEngine.tempWork();
        try {
            return new TlcEngine(sc, work, 1, cfg.timeLimitSeconds()).check();
        } finally {
            TlcEngine.deleteTree(work);
        }
    }

    private Cell javaCell(Row r, String w, Scenario sc, long t0) {
        Explorer ex = new Explorer(sc);
        Result res = ex.run();
        Map<String, Object> traces = new LinkedHashMap<>();
        Map<String, String> stories = new LinkedHashMap<>();
        for (Property p : res.violations()) {
            TraceView v = TraceView.of(ex, res, p);
            if (v == null) continue;
            traces.put(p.name(), TraceExport.json(v));
            stories.put(p.name(), Story.tell(v));
        }
        return fromResult(r, w, res, t0, traces, stories);
    }

    private Cell fromResult(Row r, String w, Result res, long t0, Map<String, Object> traces, Map<String, String> stories) {
        List<String> v = names(res);
        String inc = res.incompleteReason();
        String status = !v.isEmpty() ? "violated" : inc != null ? "incomplete" : "safe";
        String bound = res.stats().states() + " states, depth " + res.stats().depth() + ", max states " + res.scenario().maxStates
                + ", nesting " + res.scenario().maxNesting + ", events " + res.scenario().describe().get("events");
        return new Cell(r, w, status, v, inc, res.stats().states(), (System.nanoTime() - t0) / 1e9, false, null,
                traces == null ? Map.of() : traces, stories == null ? Map.of() : stories, bound);
    }

    private static List<String> names(Result r) {
        List<String> v = new ArrayList<>();
        for (Property p : r.violations()) v.add(p.name());
        return v;
    }

    // ---- the cache: one file per cell, named by the SHA-256 of everything that decides its result

    /** Program, options, workload, bounds, engine and tool version (the jar's own bytes when run from one). */
    String cacheKey(Scenario sc) {
        Map<String, Object> d = new LinkedHashMap<>(sc.describe());
        d.remove("name");
        d.remove("source");
        StringBuilder sb = new StringBuilder();
        sb.append("tool ").append(toolFingerprint()).append('\n');
        sb.append("engine ").append(cfg.engine()).append('\n');
        sb.append(d).append('\n');
        sb.append(sc.program.listing()).append('\n').append(sc.linuxProgram.listing()).append('\n');
        for (Workload.AppOp o : sc.workload.app()) sb.append(o.render()).append('\n');
        sc.workload.bodies().forEach((k, ops) -> { sb.append(k).append(':'); ops.forEach(o -> sb.append(' ').append(o.render())); sb.append('\n'); });
        return sha256(sb.toString());
    }

    private static volatile String fingerprint;

    static String toolFingerprint() {
        if (fingerprint != null) return fingerprint;
        String f = ukl.cli.Report.VERSION;
        try {
            var src = Matrix.class.getProtectionDomain().getCodeSource();
            if (src != null) {
                Path p = Path.of(src.getLocation().toURI());
                if (Files.isRegularFile(p)) f += " " + sha256(Files.readAllBytes(p));
                else f += " " + classesFingerprint(p);
            }
        } catch (Exception e) {
            f += " unknown-build-" + System.nanoTime();   // no fingerprint: never reuse another build's results
        }
        fingerprint = f;
        return f;
    }

    /** Outside a jar (tests): the newest class file's time and the number of classes. */
    private static String classesFingerprint(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            long[] acc = {0, 0};
            s.filter(Files::isRegularFile).forEach(x -> {
                acc[0]++;
                try { acc[1] = Math.max(acc[1], Files.getLastModifiedTime(x).toMillis()); } catch (IOException e) { acc[1] = Long.MAX_VALUE; }
            });
            return "classes " + acc[0] + " " + acc[1];
        }
    }

    static String sha256(String s) { return sha256(s.getBytes(StandardCharsets.UTF_8)); }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the cache keeps of a cell (serializable: strings, numbers, lists and maps). */
    private record Stored(String status, ArrayList<String> violated, String incomplete, long states, double seconds,
                          String disagreement, LinkedHashMap<String, Object> traces, LinkedHashMap<String, String> stories,
                          String bound) implements Serializable {}

    /** The cache file's first line: the format, so an old or foreign file is never read as a cell. */
    static final String CACHE_MAGIC = "ukl-model matrix cell v2";

    /**
     * Reads a cell, trusting it only when the file names this very key and its payload matches its
     * SHA-256. A file that fails any check (a flipped bit, a cell copied over another's, a
     * truncated write, an old format) is a miss with a warning: the cell is checked again and the
     * entry rewritten. Never a wrong verdict, never a crash.
     */
    private Cell readCache(String key, Row r, String w) {
        if (cfg.cacheDir() == null) return null;
        Path f = cfg.cacheDir().resolve(key + ".cell");
        if (!Files.isRegularFile(f)) return null;
        String bad;
        try {
            byte[] all = Files.readAllBytes(f);
            bad = checkEntry(all, key);
            if (bad == null) {
                byte[] payload = java.util.Arrays.copyOfRange(all, headerLength(all), all.length);
                try (ObjectInputStream in = new ObjectInputStream(new java.io.ByteArrayInputStream(payload))) {
                    Stored s = (Stored) in.readObject();
                    bad = validate(s);
                    if (bad == null)
                        return new Cell(r, w, s.status(), s.violated(), s.incomplete(), s.states(), s.seconds(), true, s.disagreement(),
                                s.traces(), s.stories(), s.bound());
                }
            }
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            bad = "unreadable (" + e.getClass().getSimpleName() + ")";
        }
        warn.accept("ukl: matrix cache entry " + f + " is " + bad + "; checking the cell again");
        return null;
    }

    /** Where warnings go (the CLI's stderr). */
    private volatile Consumer<String> warn = m -> { System.err.println(m); System.err.flush(); };

    public void onWarning(Consumer<String> w) { this.warn = w; }

    private static int headerLength(byte[] all) {
        int lines = 0;
        for (int i = 0; i < all.length; i++) if (all[i] == '\n' && ++lines == 3) return i + 1;
        return -1;
    }

    /** Null when the header names this key and the payload's checksum matches; else what is wrong. */
    static String checkEntry(byte[] all, String key) {
        int h = headerLength(all);
        if (h < 0) return "truncated (no header)";
        String[] head = new String(all, 0, h, StandardCharsets.UTF_8).split("\n");
        if (!head[0].equals(CACHE_MAGIC)) return "not a cell of this format";
        if (!head[1].equals("key " + key)) return "a cell for another scenario (it names " + head[1] + ")";
        byte[] payload = java.util.Arrays.copyOfRange(all, h, all.length);
        if (!head[2].equals("sha256 " + sha256(payload))) return "corrupt (checksum mismatch)";
        return null;
    }

    /** Every field a report reads must be there and well formed. */
    private static String validate(Stored s) {
        if (s.status() == null || !List.of("safe", "violated", "incomplete", "disagree").contains(s.status())) return "corrupt (status " + s.status() + ")";
        if (s.violated() == null || s.traces() == null || s.stories() == null) return "corrupt (missing fields)";
        for (String v : s.violated()) if (v == null || Property.byName(v) == null) return "corrupt (property " + v + ")";
        if (s.status().equals("violated") == s.violated().isEmpty() && !s.status().equals("disagree")) return "corrupt (status and violations differ)";
        if (s.states() < 0) return "corrupt (states " + s.states() + ")";
        return null;
    }

    private void writeCache(String key, Cell c) {
        if (cfg.cacheDir() == null || c.incomplete() != null) return;   // an incomplete cell is worth checking again
        try {
            Files.createDirectories(cfg.cacheDir());
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
                out.writeObject(new Stored(c.status(), new ArrayList<>(c.violated()), c.incomplete(), c.states(), c.seconds(),
                        c.disagreement(), new LinkedHashMap<>(c.traces()), new LinkedHashMap<>(c.stories()), c.bound()));
            }
            byte[] payload = buf.toByteArray();
            byte[] head = (CACHE_MAGIC + "\nkey " + key + "\nsha256 " + sha256(payload) + "\n").getBytes(StandardCharsets.UTF_8);
            Path tmp = Files.createTempFile(cfg.cacheDir(), ".cell-", ".tmp");
            try {
                try (var o = Files.newOutputStream(tmp)) { o.write(head); o.write(payload); }
                Files.move(tmp, cfg.cacheDir().resolve(key + ".cell"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new InputError(cfg.cacheDir().toString(), 0, 0, "cannot write the matrix cache: " + e.getMessage());
        }
    }
}
