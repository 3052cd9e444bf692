package ukl.model;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exhaustive breadth-first exploration of a scenario. Breadth-first, so the first violation of
 * each safety property found is a shortest one. A state that violates a property ends its path
 * (it has no successors); other properties are judged on every state reachable without passing
 * through a violation. After a complete exploration, liveness is decided by searching the state
 * graph for a fair cycle (weak fairness of every CPU's Step and of enabled timers).
 */
public final class Explorer {
    private final Machine m;
    private final Scenario sc;
    private final FpSearch fp;   // the fingerprint engine, or null for this exact one
    private Symmetry sym;        // --symmetry with a group to reduce by; else null
    private final Map<Property, List<State>> realTrace = new EnumMap<>(Property.class);   // under symmetry
    private StateStore store = new StateStore();
    private int[] parent = new int[1024];
    private int[] depthOf = new int[1024];
    // edges in CSR form, filled in BFS order (state ids are processed in order)
    private int[] edgeStart = new int[1024];
    private int[] edgeTo = new int[4096];
    private byte[] edgeFair = new byte[4096];
    private int nEdges;
    private final Map<Property, int[]> firstViolation = new EnumMap<>(Property.class);   // parent id
    private final Map<Property, Machine.Transition> violationStep = new EnumMap<>(Property.class);
    private final Map<Property, List<Integer>> traceIds = new EnumMap<>(Property.class);   // state ids of each counterexample
    private String bound;
    private long transitions;
    private int maxDepth;

    /**
     * The scenario's engine: the fingerprint explorer ({@link FpSearch}, on {@link Scenario#workers}
     * threads) unless the scenario asks for the exact one ({@code --exact}).
     */
    public Explorer(Scenario sc) {
        this.sc = sc;
        if (sc.exact) {
            this.m = new Machine(sc, Machine.Perturbation.NONE);
            this.fp = null;
        } else {
            this.fp = new FpSearch(sc, Machine.Perturbation.NONE, sc.workers > 0 ? sc.workers : Runtime.getRuntime().availableProcessors());
            this.m = fp.machine();
        }
    }

    /** The exact explorer (whole states kept) over a deliberately perturbed machine (the cross-check, tests). */
    public Explorer(Scenario sc, Machine.Perturbation p) {
        this.sc = sc;
        this.m = new Machine(sc, p);
        this.fp = null;
    }

    /** The exact explorer: whole states in the visited set, so {@link #states()} can list them. */
    public static Explorer exact(Scenario sc) { return new Explorer(sc, Machine.Perturbation.NONE); }

    /** The fingerprint explorer on {@code workers} threads, whatever the scenario says (tests, bench). */
    public static Explorer fingerprint(Scenario sc, int workers) { return new Explorer(sc, workers); }

    private Explorer(Scenario sc, int workers) {
        this.sc = sc;
        this.fp = new FpSearch(sc, Machine.Perturbation.NONE, workers);
        this.m = fp.machine();
    }

    public Machine machine() { return m; }

    public boolean isExact() { return fp == null; }

    public static Result check(Scenario sc) { return new Explorer(sc).run(); }

    /**
     * Explores the scenario. Running out of heap is a bound like any other: the result is
     * incomplete (exit 3), with how far the search got and a hint, never a verdict.
     */
    public Result run() {
        if (fp != null) return fp.run();
        long t0 = System.nanoTime();
        if (sc.symmetry) { Symmetry g = Symmetry.of(m); sym = g.trivial() ? null : g; }
        try {
            return explore(t0);
        } catch (OutOfMemoryError e) {
            long reached = store.size();
            List<Property> found = new ArrayList<>(firstViolation.keySet());
            // Let go of everything the search held before building the (small) result.
            store = new StateStore();
            parent = depthOf = edgeStart = edgeTo = new int[0];
            edgeFair = new byte[0];
            firstViolation.clear();
            violationStep.clear();
            traceIds.clear();
            return outOfMemory(sc, reached, transitions, maxDepth, found, t0);
        }
    }

    /**
     * Each property's status from what a search found, shared by both explorers: a first violation
     * gives its trace, a liveness property is decided only after a complete search, anything else
     * holds when the search was complete and is unknown when it was not.
     */
    static Map<Property, Result.PropertyResult> judge(Scenario sc, java.util.Set<Property> violated, boolean complete,
                                                      java.util.function.Function<Property, Trace> safetyTrace,
                                                      java.util.function.Function<Property, Trace> lasso) {
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        for (Property p : Property.values()) {
            if (!sc.checks(p)) { props.put(p, new Result.PropertyResult(p, Result.Status.NOT_CHECKED, null)); continue; }
            if (violated.contains(p)) {
                props.put(p, new Result.PropertyResult(p, Result.Status.VIOLATED, safetyTrace.apply(p)));
            } else if (p.kind == Property.Kind.LIVENESS) {
                if (!complete) { props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null)); continue; }
                Trace l = lasso.apply(p);
                props.put(p, new Result.PropertyResult(p, l != null ? Result.Status.VIOLATED : Result.Status.HOLDS, l));
            } else {
                props.put(p, new Result.PropertyResult(p, complete ? Result.Status.HOLDS : Result.Status.UNKNOWN, null));
            }
        }
        return props;
    }

    static String verdict(Map<Property, Result.PropertyResult> props, boolean complete) {
        boolean anyViolation = props.values().stream().anyMatch(r -> r.status() == Result.Status.VIOLATED);
        return anyViolation ? "violation" : complete ? "ok" : "incomplete";
    }

    /** Running out of heap: every checked property unknown, how far it got and a hint, never a verdict. */
    static Result outOfMemory(Scenario sc, long reached, long transitions, int depth, java.util.Collection<Property> found, long t0) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        List<String> names = new ArrayList<>();
        for (Property p : found) names.add(p.name());
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        for (Property p : Property.values())
            props.put(p, new Result.PropertyResult(p, sc.checks(p) ? Result.Status.UNKNOWN : Result.Status.NOT_CHECKED, null));
        String bound = "out of memory after " + reached + " states, depth " + depth + " (heap " + (maxHeap >> 20)
                + " MiB); give Java more heap (JAVA_TOOL_OPTIONS=-Xmx<size>) or lower --max-states"
                + (names.isEmpty() ? "" : "; violations seen before it ran out (rerun with more heap for their traces): " + String.join(", ", names));
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Result(sc, "java", "incomplete", props, new Result.Stats(reached, transitions, depth, secs, 0, peakHeap()), bound);
    }

    private Result explore(long t0) {
        long deadline = sc.timeLimitMillis > 0 ? System.currentTimeMillis() + sc.timeLimitMillis : Long.MAX_VALUE;
        Runtime rt = Runtime.getRuntime();
        State init = m.initial();
        store.add(encode(init));
        parent[0] = -1;
        depthOf[0] = 0;
        int id = 0;
        for (; id < store.size(); id++) {
            if (store.size() > sc.maxStates) { bound = "state bound " + sc.maxStates + " reached (raise --max-states)"; break; }
            if ((id & 1023) == 0) {
                if (System.currentTimeMillis() > deadline) { bound = "time limit " + sc.timeLimitMillis / 1000 + "s reached (raise --time-limit)"; break; }
                if (Thread.currentThread().isInterrupted()) { bound = "interrupted (Ctrl-C) after " + store.size() + " states, depth " + maxDepth; break; }
                long used = rt.totalMemory() - rt.freeMemory();
                if (used > rt.maxMemory() * 0.92) {
                    System.gc();
                    used = rt.totalMemory() - rt.freeMemory();
                    if (used > rt.maxMemory() * 0.85) { bound = "memory bound reached (" + (used >> 20) + " MiB of " + (rt.maxMemory() >> 20) + " MiB heap)"; break; }
                }
            }
            ensureEdgeStart(id + 1);
            edgeStart[id] = nEdges;
            if (depthOf[id] >= sc.maxDepth) { bound = "depth bound " + sc.maxDepth + " reached"; edgeStart[id + 1] = nEdges; continue; }
            State s = State.decode(store.get(id), m.nCpu, m.nThr, m.nMm);
            final int from = id;
            String stuck = m.stuck(s);
            if (stuck != null && !firstViolation.containsKey(Property.DEADLOCK)) {
                firstViolation.put(Property.DEADLOCK, new int[]{from});
                violationStep.put(Property.DEADLOCK, new Machine.Transition(null, null, Property.DEADLOCK, stuck, null, -1));
            }
            m.successors(s, tr -> {
                transitions++;
                if (tr.bound() != null) { if (bound == null) bound = tr.bound(); return; }
                if (tr.violated() != null) {
                    if (!firstViolation.containsKey(tr.violated())) {
                        firstViolation.put(tr.violated(), new int[]{from});
                        violationStep.put(tr.violated(), tr);
                    }
                    return;
                }
                int r = store.add(encode(tr.next()));
                int to;
                if (r >= 0) {
                    to = r;
                    ensureState(r + 1);
                    parent[r] = from;
                    depthOf[r] = depthOf[from] + 1;
                    if (depthOf[r] > maxDepth) maxDepth = depthOf[r];
                } else {
                    to = -r - 1;
                }
                addEdge(to, tr.fairClass());
            });
            edgeStart[id + 1] = nEdges;
        }
        boolean complete = bound == null;
        int explored = id;

        Map<Property, Result.PropertyResult> props = judge(sc, firstViolation.keySet(), complete, this::safetyTrace, p -> liveness(p, explored));
        String verdict = verdict(props, complete);
        double secs = (System.nanoTime() - t0) / 1e9;
        Result.Stats stats = new Result.Stats(store.size(), transitions, maxDepth, secs, secs > 0 ? store.size() / secs : 0, peakHeap());
        return new Result(sc, "java", verdict, props, stats, bound);
    }

    /** What the store keeps of a state: its encoding, or under symmetry its orbit's canonical one. */
    private byte[] encode(State s) { return sym == null ? s.encode() : sym.canonical(s); }

    /** The symmetry group the last run reduced by (null: none). */
    public Symmetry symmetry() { return fp != null ? fp.symmetry() : sym; }

    /** The states of p's counterexample, in order (a liveness loop ends back at its first loop state). */
    public List<State> traceStates(Property p) {
        if (fp != null) return fp.traceStates(p);
        if (sym != null) return realTrace.getOrDefault(p, List.of());
        List<State> out = new ArrayList<>();
        for (int id : traceIds.getOrDefault(p, List.of())) out.add(State.decode(store.get(id), m.nCpu, m.nThr, m.nMm));
        return out;
    }

    /** Every reachable state's canonical encoding (for comparing against other engines); under --symmetry one per orbit, its canonical form. */
    public List<byte[]> states() {
        if (fp != null) throw new IllegalStateException("states() needs the exact explorer (Explorer.exact); the fingerprint one keeps no states");
        List<byte[]> out = new ArrayList<>(store.size());
        for (int i = 0; i < store.size(); i++) out.add(store.get(i));
        return out;
    }

    /** Peak heap use of this JVM so far, garbage included (JMX memory pools). */
    public static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans())
            if (b.getType() == MemoryType.HEAP && b.getPeakUsage() != null) sum += b.getPeakUsage().getUsed();
        return sum;
    }

    private void ensureState(int n) {
        if (n > parent.length) {
            int cap = Math.max(n, parent.length * 2);
            parent = Arrays.copyOf(parent, cap);
            depthOf = Arrays.copyOf(depthOf, cap);
        }
    }

    private void ensureEdgeStart(int n) {
        if (n + 1 > edgeStart.length) edgeStart = Arrays.copyOf(edgeStart, Math.max(n + 1, edgeStart.length * 2));
    }

    private void addEdge(int to, int fair) {
        if (nEdges == edgeTo.length) {
            edgeTo = Arrays.copyOf(edgeTo, nEdges * 2);
            edgeFair = Arrays.copyOf(edgeFair, nEdges * 2);
        }
        edgeTo[nEdges] = to;
        edgeFair[nEdges] = (byte) fair;
        nEdges++;
    }

    // ------------------------------------------------------------------ traces

    private List<Integer> pathTo(int id) {
        List<Integer> p = new ArrayList<>();
        for (int x = id; x >= 0; x = parent[x]) p.add(0, x);
        return p;
    }

    private Trace safetyTrace(Property p) {
        int last = firstViolation.get(p)[0];
        List<Trace.Step> steps = new ArrayList<>();
        List<Integer> path = pathTo(last);
        traceIds.put(p, path);
        if (sym != null) return symmetricTrace(p, path);
        for (int i = 0; i + 1 < path.size(); i++) steps.add(stepBetween(path.get(i), path.get(i + 1), steps.size() + 1));
        Machine.Transition v = violationStep.get(p);
        if (v.label() != null) {
            State before = State.decode(store.get(last), m.nCpu, m.nThr, m.nMm);
            steps.add(TraceText.step(m, v.label(), before, null, steps.size() + 1, true));
        }
        return new Trace(steps, -1, p.name(), v.why());
    }

    /**
     * Under symmetry the stored path is one of canonical forms, and a canonical form's successor's
     * canonical form need not be a successor of it: the machine's own states are rebuilt from the
     * initial state, each the first successor of the one before whose canonical form is the next
     * on the path (one exists because every permutation is an automorphism, SymmetryTest), and the
     * last step is a transition of the last real state that violates p.
     */
    private Trace symmetricTrace(Property p, List<Integer> path) {
        List<byte[]> canon = new ArrayList<>();
        for (int id : path) canon.add(store.get(id));
        List<State> real = realize(m, sym, canon);
        realTrace.put(p, real);
        return symmetricSteps(m, p, real, violationStep.get(p).label() != null);
    }

    /** The machine's states along a path of canonical forms, from the initial state. */
    static List<State> realize(Machine m, Symmetry sym, List<byte[]> canon) {
        List<State> out = new ArrayList<>();
        State s = m.initial();
        out.add(s);
        State.Enc a = new State.Enc(), b = new State.Enc();
        for (int i = 1; i < canon.size(); i++) {
            byte[] want = canon.get(i);
            State[] found = new State[1];
            m.successors(s, tr -> {
                if (found[0] != null || tr.next() == null) return;
                sym.canonical(tr.next(), a, b);
                if (Arrays.equals(a.buf, 0, a.n, want, 0, want.length)) found[0] = tr.next();
            });
            if (found[0] == null) throw new IllegalStateException("symmetry: no successor of trace state " + (i - 1) + " in the orbit of the next one (a permutation that is not an automorphism)");
            s = found[0];
            out.add(s);
        }
        return out;
    }

    /** The steps along real states, then (lastStep) the last one's transition that violates p; the why is the last state's own. */
    static Trace symmetricSteps(Machine m, Property p, List<State> real, boolean lastStep) {
        List<Trace.Step> steps = new ArrayList<>();
        for (int i = 0; i + 1 < real.size(); i++) {
            Trace.Step st = Replay.step(m, real.get(i), real.get(i + 1), steps.size() + 1);
            if (st == null) throw new IllegalStateException("trace step " + i + " not reproducible");
            steps.add(st);
        }
        State last = real.get(real.size() - 1);
        // A violating transition (lastStep) or a state with no way on (DEADLOCK's first clause, no label).
        String why;
        if (lastStep) {
            Machine.Transition[] v = new Machine.Transition[1];
            m.successors(last, tr -> { if (v[0] == null && tr.violated() == p) v[0] = tr; });
            why = v[0] == null ? null : v[0].why();
            if (v[0] != null) steps.add(TraceText.step(m, v[0].label(), last, null, steps.size() + 1, true));
        } else why = p == Property.DEADLOCK ? m.stuck(last) : null;
        if (why == null) throw new IllegalStateException("symmetry: the trace's last state does not violate " + p + " (a permutation that is not an automorphism)");
        return new Trace(steps, -1, p.name(), why);
    }

    /** Regenerates the transition from a to b to recover its label and what changed. */
    private Trace.Step stepBetween(int a, int b, int index) {
        Trace.Step s = Replay.step(m, State.decode(store.get(a), m.nCpu, m.nThr, m.nMm), store.get(b), index);
        if (s == null) throw new IllegalStateException("trace step " + a + " -> " + b + " not reproducible");
        return s;
    }

    // ------------------------------------------------------------------ liveness

    /** RESCHED_STARVATION's condition on cpu c: its running thread has needResched set while another of its threads is READY. */
    private static boolean reschedStarved(Machine m, State s, int c) {
        int r = s.running(c);
        if (m.isIdle(r) || !s.needResched(r)) return false;
        for (int u = 0; u < m.nThr; u++)
            if (u != r && !m.isIdle(u) && m.cpuOf(u) == c && s.status(u) == State.READY) return true;
        return false;
    }

    static String starvationWhy(Machine m, Property p, int subj, int loopStart, int last) {
        return p == Property.RESCHED_STARVATION
                ? "cpu" + subj + "'s running thread keeps needResched set while another thread is READY, forever, on a fair loop (steps " + loopStart + "-" + last + " repeat)"
                : m.threadName(subj) + "'s pending signal is never delivered on a fair loop (steps " + loopStart + "-" + last + " repeat)";
    }

    /** The bad condition that must not hold forever, per subject (CPU or thread); both explorers ask it. */
    static boolean starving(Machine m, Property p, int subject, State s) {
        // Fair loops exclude timer storms (<>[]~Storm in the TLA+ wrapper): a loop through a
        // state where a periodic tick came before the context it interrupted made a step is
        // a storm, not starvation (proofs-notes/model-choices.md, "Periodic timers").
        for (int c = 0; c < m.nCpu; c++) if (s.storm(c)) return false;
        if (p == Property.RESCHED_STARVATION) return reschedStarved(m, s, subject);
        return s.sigPending(subject);
    }

    private Trace liveness(Property p, int n) {
        int subjects = p == Property.RESCHED_STARVATION ? m.nCpu : m.nThr;
        // What the fair-cycle search reads of each state: the classes of its outgoing edges, and
        // (for states where a condition holds, the only ones it looks at) the CPUs whose timer is off.
        int[] out = new int[n], timerOff = new int[n];
        for (int v = 0; v < n; v++) for (int e = edgeStart[v]; e < edgeStart[v + 1]; e++) if (edgeFair[e] >= 0) out[v] |= 1 << edgeFair[e];
        boolean[] timersRead = new boolean[n];
        for (int subj = 0; subj < subjects; subj++) {
            if (p == Property.SIGNAL_STARVATION && m.isIdle(subj)) continue;
            boolean[] in = new boolean[n];
            boolean anyBad = false;
            for (int i = 0; i < n; i++) {
                State s = State.decode(store.get(i), m.nCpu, m.nThr, m.nMm);
                in[i] = starving(m, p, subj, s);
                anyBad |= in[i];
                if (in[i] && !timersRead[i]) {
                    timersRead[i] = true;
                    for (int c = 0; c < m.nCpu; c++) if (!m.timerEnabled(s, c)) timerOff[i] |= 1 << c;
                }
            }
            if (!anyBad) continue;
            int[][] l = new FairGraph(edgeStart, edgeTo, edgeFair, out, timerOff, m.nCpu).fairLasso(in, n);
            if (l != null) return lasso(p, subj, l[0][0], l[1]);
        }
        return null;
    }

    /** The trace of a lasso: the BFS path to the loop's entry, then the loop. */
    private Trace lasso(Property p, int subj, int entry, int[] loopIds) {
        List<Integer> prefix = pathTo(entry);
        List<Integer> loop = new ArrayList<>();
        for (int v : loopIds) loop.add(v);
        List<Trace.Step> steps = new ArrayList<>();
        List<Integer> ids = new ArrayList<>(prefix);
        ids.addAll(loop.subList(1, loop.size()));
        traceIds.put(p, ids);
        for (int i = 0; i + 1 < prefix.size(); i++) steps.add(stepBetween(prefix.get(i), prefix.get(i + 1), steps.size() + 1));
        int loopStart = steps.size() + 1;
        for (int i = 0; i + 1 < loop.size(); i++) steps.add(stepBetween(loop.get(i), loop.get(i + 1), steps.size() + 1));
        return new Trace(steps, loopStart, p.name(), starvationWhy(m, p, subj, loopStart, steps.size()));
    }
}
