package ukl.model;

import ukl.model.lang.Ast;
import ukl.model.lang.PathCompiler;
import ukl.model.lang.PathNames;
import ukl.model.lang.PathParser;
import ukl.model.lang.Program;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One fully resolved check: the program, options, workload and bounds. Immutable once built. */
public final class Scenario {
    public enum ThreadKind { UKL, USER, KTHREAD }

    /** A thread of the scenario: its kind, home CPU, mm (-1 for kernel threads) and app program. */
    /** {@code handler}: the app's signal handler (empty: the signal is ignored, no frame is written). */
    /** {@code parent}: for the slot of a clone child, the thread whose clone() creates it; -1 otherwise (issue 13, item 4). */
    /** {@code exec}: the thread starts as the kernel thread (kernel_init) that execs the UKL program (issue 13, exec). */
    public record ThreadSpec(ThreadKind kind, int cpu, int mm, List<Workload.AppOp> program, boolean idle, boolean coRunner, List<Workload.AppOp> handler, int parent, boolean exec) {
        public ThreadSpec(ThreadKind kind, int cpu, int mm, List<Workload.AppOp> program, boolean idle, boolean coRunner, List<Workload.AppOp> handler) {
            this(kind, cpu, mm, program, idle, coRunner, handler, -1, false);
        }
        public boolean child() { return parent >= 0; }
    }

    /** The program of a clone child: its first app op is where the model lets it go (it exits there). */
    public static final List<Workload.AppOp> CHILD_PROGRAM = List.of(new Workload.AppOp(Workload.AppKind.COMPUTE, null, false));

    /** Whether a program makes clone() calls, so that its thread needs a child slot. */
    public static boolean clones(List<Workload.AppOp> prog) {
        // A shortcut never runs these bodies: clone and fork always take the full path (FULL_PATH_ONLY).
        for (Workload.AppOp o : prog) if ("clone".equals(o.body()) || "fork".equals(o.body())) return true;
        return false;
    }

    public final String name;
    public final String source;          // preset name or path file
    public final Program program;
    public final String basePreset;      // the preset at the root of the extends chain
    public final Program linuxProgram;   // stock linux paths for co-running ordinary processes
    public final Set<Option> options;
    public final boolean preemptFull;
    public final int bypassLimit;
    public final int[] ist;              // per Vector ordinal
    public final Workload workload;
    public final int cpus;
    public final int appThreads;
    public final boolean coRunner;
    public final Map<Event, Integer> events;
    public final long maxStates;
    /** How the Java explorer stores states: exact keeps them whole (for comparing state sets), else fingerprints (issue 15). */
    public final boolean exact;
    /**
     * Symmetry reduction (--symmetry, issue 15): the explorers store one state per orbit of the
     * thread and CPU permutations {@link Symmetry} finds. Liveness is then not checked: a fair
     * cycle of the quotient graph need not be one of the machine's (TLC warns of the same).
     */
    public final boolean symmetry;
    /** Threads that expand states in the fingerprint explorer; 0 = one per core. Not part of the scenario's identity. */
    public final int workers;
    /** The fingerprint table's fixed size in bytes (--fp-memory, TLC's -fpmem); 0 = start small and double. */
    public final long fpMemoryBytes;
    public final int maxDepth;
    public final int maxNesting;
    public final long timeLimitMillis;
    public final List<ThreadSpec> threads;
    public final Map<Property, String> expected;  // from a scenario file; empty otherwise

    private Scenario(Builder b, Program program, String basePreset, Program linux, int[] ist, Workload w,
                     int cpus, int threads, boolean co, Map<Event, Integer> events) {
        this.name = b.name != null ? b.name : (b.pathsFile != null ? b.pathsFile : b.preset) + " + " + w.name();
        this.source = b.pathsFile != null ? b.pathsFile : b.preset;
        this.program = program;
        this.basePreset = basePreset;
        this.linuxProgram = linux;
        this.options = Collections.unmodifiableSet(EnumSet.copyOf(b.options));
        this.preemptFull = b.preemptFull;
        this.bypassLimit = b.bypassLimit;
        this.ist = ist;
        this.workload = w;
        this.cpus = cpus;
        this.appThreads = threads;
        this.coRunner = co;
        this.events = Collections.unmodifiableMap(events);
        this.maxStates = b.maxStates;
        this.exact = b.exact;
        this.symmetry = b.symmetry;
        this.workers = b.workers;
        this.fpMemoryBytes = b.fpMemoryBytes;
        this.maxDepth = b.maxDepth;
        this.maxNesting = b.maxNesting;
        this.timeLimitMillis = b.timeLimitSeconds * 1000L;
        this.expected = Collections.unmodifiableMap(new LinkedHashMap<>(b.expected));
        List<ThreadSpec> ts = new ArrayList<>();
        ThreadKind appKind = basePreset.equals("linux") ? ThreadKind.USER : ThreadKind.UKL;
        for (int i = 0; i < threads; i++) {
            int k = b.reverseAppThreads ? threads - 1 - i : i;   // a renaming of identical threads
            ts.add(new ThreadSpec(appKind, k % cpus, 0, w.app(), false, false, w.handler(), -1, w.exec()));
        }
        if (co) ts.add(new ThreadSpec(ThreadKind.USER, cpus - 1, 1, w.coApp(), false, true, List.of()));
        // One child slot per cloning app thread (pthread_create: CLONE_VM, the parent's mm, a new
        // stack), empty until its parent's copy_thread (issue 13, item 4). It has the parent's signal
        // handler: copy_sighand copies the actions for fork, CLONE_SIGHAND shares them for threads.
        for (int i = 0; i < threads; i++)
            if (clones(ts.get(i).program())) ts.add(new ThreadSpec(appKind, ts.get(i).cpu(), 0, CHILD_PROGRAM, false, false, ts.get(i).handler(), i, false));
        for (int c = 0; c < cpus; c++)
            ts.add(new ThreadSpec(ThreadKind.KTHREAD, c, -1, List.of(new Workload.AppOp(Workload.AppKind.IDLE, null, false)), true, false, List.of()));
        this.threads = List.copyOf(ts);
    }

    public boolean has(Option o) { return options.contains(o); }

    /** Budget of an event: 0 disabled, -1 unbounded. */
    public int budget(Event e) { return events.getOrDefault(e, 0); }

    /** Whether a property is checked at all in this scenario (MODEL.md: ct only with NOHZ_FULL). */
    public boolean checks(Property p) {
        if (symmetry && p.kind == Property.Kind.LIVENESS) return false;
        if (p == Property.CONTEXT_TRACKING || p == Property.RCU_NOT_WATCHING) return has(Option.NOHZ_FULL);
        return true;
    }

    /** A stable, human-readable description of every resolved input (the JSON "scenario" object). */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("source", source);
        m.put("basePreset", basePreset);
        List<String> opts = new ArrayList<>();
        for (Option o : options) opts.add(o.name());
        opts.add("PREEMPT=" + (preemptFull ? "full" : "none"));
        m.put("options", opts);
        m.put("bypassLimit", bypassLimit);
        Map<String, Object> istm = new LinkedHashMap<>();
        for (Vector v : Vector.values()) istm.put(v.name(), ist[v.ordinal()]);
        List<Ast.VectorDef> declared = program.merged().vectors();
        for (int i = 0; i < declared.size(); i++) istm.put(declared.get(i).name(), ist[Vector.BUILT_IN + i]);
        m.put("ist", istm);
        if (symmetry) m.put("symmetry", true);   // only when on, so other runs' descriptions (and matrix cache keys) stay as they were
        m.put("workload", workload.name());
        m.put("cpus", cpus);
        m.put("threads", appThreads);
        m.put("coRunner", coRunner ? "user" : "none");
        Map<String, Object> ev = new LinkedHashMap<>();
        for (Event e : Event.values()) if (budget(e) != 0) ev.put(e.name(), budget(e) < 0 ? "unbounded" : budget(e));
        m.put("events", ev);
        m.put("maxStates", maxStates);
        m.put("maxDepth", maxDepth);
        m.put("maxNesting", maxNesting);
        m.put("timeLimitSeconds", timeLimitMillis / 1000);
        return m;
    }

    /** The largest --time-limit: a year. Larger values would overflow the millisecond deadline. */
    public static final long MAX_TIME_LIMIT_SECONDS = 365L * 24 * 3600;
    /** The largest --max-states: the explorer numbers states with an int. */
    public static final long MAX_STATES_LIMIT = 4_000_000_000L;   // state ids stay below 2^32 (the trace log keeps parents as unsigned ints)
    /** The largest finite event count; the state encodes counts in small fields, and '*' means unbounded. */
    public static final int MAX_EVENT_COUNT = 1000;

    public static Builder builder() { return new Builder(); }

    /** Collects inputs from flags or a scenario file and validates them all in {@link #build()}. */
    public static final class Builder {
        public String name;
        public String preset;
        public String pathsFile;
        public String pathsText;      // for tests and generated programs; else read from pathsFile
        public String workload = "getppid";
        public final EnumSet<Option> options = EnumSet.noneOf(Option.class);
        public boolean preemptFull = false;
        public Integer bypassLimit;
        public final Map<Vector, Integer> ist = new EnumMap<>(Vector.class);
        /** --ist for a vector the path file declares (issue 14), by upper-case name; resolved in build(). */
        public final Map<String, Integer> declaredIst = new LinkedHashMap<>();
        public Integer cpus;
        public Integer threads;
        public Boolean coRunner;
        public Map<Event, Integer> events;
        public long maxStates = 2_000_000;
        public boolean exact = false;
        public boolean symmetry = false;
        public int workers = 0;
        public long fpMemoryBytes = 0;
        public int maxDepth = 10_000;
        public int maxNesting = 12;
        public long timeLimitSeconds = 600;
        public final Map<Property, String> expected = new LinkedHashMap<>();
        /** Where errors about flags point (a scenario file, or "command line"). */
        public String origin = "command line";
        /** Where each input came from ("file:line:col" for a scenario file's key), for positioned errors. */
        public final Map<String, String> keyOrigin = new java.util.HashMap<>();
        /** Renames the app threads (t_i becomes t_{n-1-i}); for metamorphic tests, verdicts must not change. */
        public boolean reverseAppThreads;

        public Builder preset(String p) { this.preset = p; return this; }
        public Builder paths(String file, String text) { this.pathsFile = file; this.pathsText = text; return this; }
        public Builder workload(String w) { this.workload = w; return this; }
        public Builder option(Option o) { options.add(o); return this; }
        public Builder preempt(boolean full) { preemptFull = full; return this; }
        public Builder events(Map<Event, Integer> e) { events = e; return this; }
        public Builder cpus(int n) { cpus = n; return this; }
        public Builder threads(int n) { threads = n; return this; }
        public Builder coRunner(boolean b) { coRunner = b; return this; }
        public Builder bypassLimit(int n) { bypassLimit = n; return this; }

        /** Parses {@code NAME[=VALUE]} as given to {@code --option}. */
        public Builder optionSpec(String spec) {
            // A comma list, as --events takes (NSS,PF_DF); names in any case; the UKL_ names that
            // 'ukl list options' prints (UKL_NSS) are aliases of the short ones.
            if (spec.contains(",")) {
                for (String part : spec.split(",", -1)) {
                    if (part.isBlank()) throw InputError.arg(origin, "empty item in the option list '" + spec + "'");
                    optionSpec(part.strip());
                }
                return this;
            }
            String n = spec.strip(), v = null;
            int eq = n.indexOf('=');
            if (eq >= 0) { v = n.substring(eq + 1).strip(); n = n.substring(0, eq).strip(); }
            n = n.toUpperCase(java.util.Locale.ROOT);
            if (n.startsWith("UKL_")) n = n.substring(4);
            if (n.equals("PREEMPT")) {
                String lv = v == null ? null : v.toLowerCase(java.util.Locale.ROOT);
                if (lv == null || !(lv.equals("none") || lv.equals("full")))
                    throw InputError.arg(origin, "option PREEMPT needs a value: PREEMPT=none or PREEMPT=full" + (v == null ? "" : ", not PREEMPT=" + v));
                preemptFull = lv.equals("full");
                return this;
            }
            Option o;
            try { o = Option.valueOf(n); } catch (IllegalArgumentException e) { o = null; }
            if (o == null) throw InputError.arg(origin, "unknown option '" + n + "'; expected one of " + Option.allNames());
            if (v != null) {
                if (o == Option.BYP) bypassLimit(parsePositive(v, "BYP=N (the bypass limit)"));
                else throw InputError.arg(origin, "option " + n + " takes no value");
            }
            options.add(o);
            return this;
        }

        public Builder istSpec(String spec) {
            int eq = spec.indexOf('=');
            if (eq < 0) throw InputError.arg(origin, "--ist takes VECTOR=INDEX (e.g. PF=6), not '" + spec + "'");
            Vector v = Vector.byName(spec.substring(0, eq));
            // Not a built-in name: maybe a vector the path file declares, known only once the program is compiled (build()).
            String n = v != null ? v.name() : spec.substring(0, eq).strip().toUpperCase(java.util.Locale.ROOT);
            if (v == null && !PathNames.vectorName(n))
                throw InputError.arg(origin, "unknown vector '" + spec.substring(0, eq) + "'; expected TIMER, IPI, NMI, MC, DB, PF, DF or a vector the path file declares");
            int k;
            try { k = Integer.parseInt(spec.substring(eq + 1)); } catch (NumberFormatException e) { k = -1; }
            if (k < 0 || k > 7) throw InputError.arg(origin, "IST index for " + n + " must be 0 (none) to 7, not '" + spec.substring(eq + 1) + "'");
            Integer before = v != null ? ist.get(v) : declaredIst.get(n);
            if (before != null && before != k) throw InputError.arg(origin, "contradictory --ist for " + n + ": " + before + " and " + k);
            if (v != null) ist.put(v, k); else declaredIst.put(n, k);
            return this;
        }

        /** Parses {@code EVENT[:COUNT],...}; COUNT may be {@code *} for unbounded; {@code none} for no events. */
        public Builder eventsSpec(String spec) {
            Map<Event, Integer> m = new EnumMap<>(Event.class);
            if (spec.isBlank()) throw InputError.arg(origin, "empty event list; give EVENT[:COUNT],... or 'none'");
            if (!spec.trim().equals("none")) {
                for (String part : spec.split(",", -1)) {
                    String p = part.trim();
                    if (p.isEmpty()) throw InputError.arg(origin, "empty item in the event list '" + spec + "'; expected EVENT[:COUNT],... or 'none'");
                    String n = p, c = null;
                    int colon = p.indexOf(':');
                    if (colon >= 0) { n = p.substring(0, colon); c = p.substring(colon + 1); }
                    Event e = Event.byName(n);
                    if (e == null) throw InputError.arg(origin, "unknown event '" + n + "'; expected TIMER, IPI, NMI, MC, DB, SIGNAL or WAKEUP");
                    int count;
                    if (c == null || c.equals("*")) count = Workload.UNBOUNDED;
                    else count = parseNonNegative(c, "event count for " + n + " (a number or *)");
                    if (count > MAX_EVENT_COUNT)
                        throw InputError.arg(origin, "event count for " + n + " must be 0 to " + MAX_EVENT_COUNT + " (or * for unbounded), not " + c.trim());
                    if (m.containsKey(e)) throw InputError.arg(origin, "event " + n + " is listed twice");
                    m.put(e, count);
                }
            }
            events = m;
            return this;
        }

        private int parsePositive(String v, String what) {
            try { int n = Integer.parseInt(v.trim()); if (n > 0) return n; } catch (NumberFormatException ignored) { }
            throw InputError.arg(origin, "expected a positive number for " + what + ", not '" + v + "'");
        }

        private int parseNonNegative(String v, String what) {
            try { int n = Integer.parseInt(v.trim()); if (n >= 0) return n; } catch (NumberFormatException ignored) { }
            throw InputError.arg(origin, "expected a number >= 0 for " + what + ", not '" + v + "'");
        }

        private String at(String key) { return keyOrigin.getOrDefault(key, origin); }

        public Scenario build() {
            if (workers < 0 || workers > 256)
                throw InputError.arg(at("workers"), "workers must be 0 (one per core) to 256, not " + workers);
            if (maxStates < 1 || maxStates > MAX_STATES_LIMIT)
                throw InputError.arg(at("max-states"), "max-states must be 1 to " + MAX_STATES_LIMIT + ", not " + maxStates);
            if (timeLimitSeconds < 1 || timeLimitSeconds > MAX_TIME_LIMIT_SECONDS)
                throw InputError.arg(at("time-limit"), "time-limit must be 1 to " + MAX_TIME_LIMIT_SECONDS + " seconds, not " + timeLimitSeconds);
            if (preset != null && pathsFile != null)
                throw InputError.arg(at("paths"), "give a preset or a path file, not both");
            if (preset == null && pathsFile == null) preset = "ukl-paper";
            if (preset != null) preset = preset.toLowerCase(java.util.Locale.ROOT);   // names are case-insensitive
            Workload w = Workload.ALL.get(workload.toLowerCase(java.util.Locale.ROOT));
            if (w == null) throw InputError.arg(at("workload"), "unknown workload '" + workload + "'; expected one of " + String.join(", ", Workload.ALL.keySet()));

            Ast.PathFile file;
            if (pathsFile != null) {
                String text = pathsText;
                if (text == null) text = TextFiles.readUtf8(pathsFile);
                file = PathParser.parse(pathsFile, text);
            } else {
                if (!Presets.exists(preset))
                    throw InputError.arg(at("preset"), "unknown preset '" + preset + "'; expected one of " + String.join(", ", Presets.NAMES));
                file = Presets.load(preset);
            }
            PathCompiler.Merged merged = PathCompiler.merge(file, Presets::load);
            String base = merged.basePreset();
            String where = pathsFile != null ? pathsFile : origin;
            for (String req : PathNames.REQUIRED)
                if (merged.file().path(req) == null)
                    throw new InputError(where, pathsFile != null ? 1 : 0, 1, "path '" + req + "' is missing; a path file must define it or extend a preset");

            // Contradictory option sets are input errors (MODEL.md section 5), not verdicts.
            String contradiction = OptionConstraints.contradiction(base, OptionConstraints.admitted(base, merged.file()), options);
            if (contradiction != null) throw InputError.arg(origin, contradiction);
            // Built-in vectors first, then the ones the path file declares (issue 14), in declaration order.
            List<Ast.VectorDef> declared = merged.file().vectors();
            int[] istArr = new int[Vector.BUILT_IN + declared.size()];
            for (Vector v : Vector.values()) istArr[v.ordinal()] = v.defaultIst;
            for (int i = 0; i < declared.size(); i++) {
                Ast.VectorDef d = declared.get(i);
                istArr[Vector.BUILT_IN + i] = declaredIst.getOrDefault(d.name(), d.ist());
            }
            for (String n : declaredIst.keySet())
                if (merged.file().vector(n) == null)
                    throw InputError.arg(origin, "unknown vector '" + n + "' in --ist; expected TIMER, IPI, NMI, MC, DB, PF, DF"
                            + (declared.isEmpty() ? " (this program declares no vectors)" : " or one the path file declares: "
                            + String.join(", ", declared.stream().map(Ast.VectorDef::name).toList())));
            if (options.contains(Option.PF_SS)) {
                if (ist.containsKey(Vector.PF) && ist.get(Vector.PF) == 0)
                    throw InputError.arg(origin, "contradictory: PF_SS puts #PF on an IST stack but --ist PF=0 says none");
                istArr[Vector.PF.ordinal()] = Vector.PF_SS_IST;
            }
            for (Map.Entry<Vector, Integer> e : ist.entrySet()) istArr[e.getKey().ordinal()] = e.getValue();

            int nCpus = cpus != null ? cpus : w.cpus();
            int nThreads = threads != null ? threads : w.threads();
            boolean co = coRunner != null ? coRunner : w.coRunner();
            if (nCpus < 1 || nCpus > 4) throw InputError.arg(at("cpus"), "cpus must be 1 to 4, not " + nCpus);
            if (nThreads < 1 || nThreads > 4) throw InputError.arg(at("threads"), "threads must be 1 to 4, not " + nThreads);
            int children = Scenario.clones(w.app()) ? nThreads : 0;
            if (nThreads + children + (co ? 1 : 0) + nCpus > 10) throw InputError.arg(origin, "too many threads for the state encoding (at most 10 with idle threads)");
            if (maxNesting < 2 || maxNesting > 30) throw InputError.arg(at("max-nesting"), "max-nesting must be 2 to 30, not " + maxNesting);
            Map<Event, Integer> ev = events != null ? events : w.events();
            int limit = bypassLimit != null ? bypassLimit : 50;   // the code's default (UKL-CODE-NOTES)
            if (limit < 1 || limit > 1000) throw InputError.arg(at("bypass-limit"), "bypass-limit must be 1 to 1000, not " + limit);
            // Every path the workload can reach must exist before a state is explored: a wrapped
            // shortcut runs shortcut_enter, the body, then shortcut_exit (§5.13); without one of them
            // the machine would silently run an empty shortcut and check nothing.
            for (Workload.AppOp o : w.app())
                if (o.kind() == Workload.AppKind.SHORTCUT && o.wrapped() && !base.equals("linux"))
                    for (String need : List.of("shortcut_enter", "shortcut_exit"))
                        if (merged.file().path(need) == null)
                            throw new InputError(where, pathsFile != null ? 1 : 0, 1, "workload " + w.name() + " runs a wrapped shortcut, which needs path '"
                                    + need + "'; this program has " + (need.equals("shortcut_exit") ? "shortcut_enter but no shortcut_exit" : "no shortcut_enter"));

            // A clone child returns through ret_from_fork: without that path there is no child to check.
            if (Scenario.clones(w.app()) && merged.file().path("ret_from_fork") == null)
                throw new InputError(where, pathsFile != null ? 1 : 0, 1, "workload " + w.name() + " creates a child with clone() or fork(), whose first return needs path 'ret_from_fork'; this program has none");
            if (w.exec() && merged.file().path("ret_from_fork") == null)
                throw new InputError(where, pathsFile != null ? 1 : 0, 1, "workload " + w.name() + " starts in ret_from_fork's kernel-thread branch, which runs the exec and the first return; this program has no path 'ret_from_fork'");

            Set<String> optNames = new TreeSet<>();
            for (Option o : options) optNames.add(o.name());
            this.bypassLimit = limit;
            Program prog = PathCompiler.compile(pathsFile != null ? pathsFile : preset, merged, optNames);
            Program linux = base.equals("linux") ? prog
                    : PathCompiler.compile("linux", PathCompiler.merge(Presets.load("linux"), Presets::load), optNames);
            Map<Event, Integer> evCopy = new EnumMap<>(Event.class);
            evCopy.putAll(ev);
            return new Scenario(this, prog, base, linux, istArr, w, nCpus, nThreads, co, evCopy);
        }
    }
}
