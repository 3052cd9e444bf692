package ukl.model;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

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

    public Explorer(Scenario sc) { this(sc, Machine.Perturbation.NONE); }

    /** An explorer over a deliberately perturbed machine (tests of the cross-check and suites). */
    public Explorer(Scenario sc, Machine.Perturbation p) {
        this.sc = sc;
        this.m = new Machine(sc, p);
    }

    public Machine machine() { return m; }

    public static Result check(Scenario sc) { return new Explorer(sc).run(); }

    /**
     * Explores the scenario. Running out of heap is a bound like any other: the result is
     * incomplete (exit 3), with how far the search got and a hint, never a verdict.
     */
    public Result run() {
        long t0 = System.nanoTime();
        try {
            return explore(t0);
        } catch (OutOfMemoryError e) {
            long reached = store.size(), maxHeap = Runtime.getRuntime().maxMemory();
            int depth = maxDepth;
            List<String> found = new ArrayList<>();
            for (Property p : firstViolation.keySet()) found.add(p.name());
            // Let go of everything the search held before building the (small) result.
            store = new StateStore();
            parent = depthOf = edgeStart = edgeTo = new int[0];
            edgeFair = new byte[0];
            firstViolation.clear();
            violationStep.clear();
            traceIds.clear();
            Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
            for (Property p : Property.values())
                props.put(p, new Result.PropertyResult(p, sc.checks(p) ? Result.Status.UNKNOWN : Result.Status.NOT_CHECKED, null));
            bound = "out of memory after " + reached + " states, depth " + depth + " (heap " + (maxHeap >> 20)
                    + " MiB); give Java more heap (JAVA_TOOL_OPTIONS=-Xmx<size>) or lower --max-states"
                    + (found.isEmpty() ? "" : "; violations seen before it ran out (rerun with more heap for their traces): " + String.join(", ", found));
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(sc, "java", "incomplete", props, new Result.Stats(reached, transitions, depth, secs, 0, peakHeap()), bound);
        }
    }

    private Result explore(long t0) {
        long deadline = sc.timeLimitMillis > 0 ? System.currentTimeMillis() + sc.timeLimitMillis : Long.MAX_VALUE;
        Runtime rt = Runtime.getRuntime();
        State init = m.initial();
        store.add(init.encode());
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
                int r = store.add(tr.next().encode());
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

        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        for (Property p : Property.values()) {
            if (!sc.checks(p)) { props.put(p, new Result.PropertyResult(p, Result.Status.NOT_CHECKED, null)); continue; }
            if (firstViolation.containsKey(p)) {
                props.put(p, new Result.PropertyResult(p, Result.Status.VIOLATED, safetyTrace(p)));
            } else if (p.kind == Property.Kind.LIVENESS) {
                if (!complete) { props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null)); continue; }
                Trace lasso = liveness(p, explored);
                props.put(p, new Result.PropertyResult(p, lasso != null ? Result.Status.VIOLATED : Result.Status.HOLDS, lasso));
            } else {
                props.put(p, new Result.PropertyResult(p, complete ? Result.Status.HOLDS : Result.Status.UNKNOWN, null));
            }
        }
        boolean anyViolation = props.values().stream().anyMatch(r -> r.status() == Result.Status.VIOLATED);
        String verdict = anyViolation ? "violation" : complete ? "ok" : "incomplete";
        double secs = (System.nanoTime() - t0) / 1e9;
        Result.Stats stats = new Result.Stats(store.size(), transitions, maxDepth, secs, secs > 0 ? store.size() / secs : 0, peakHeap());
        return new Result(sc, "java", verdict, props, stats, bound);
    }

    /** The states of p's counterexample, in order (a liveness loop ends back at its first loop state). */
    public List<State> traceStates(Property p) {
        List<State> out = new ArrayList<>();
        for (int id : traceIds.getOrDefault(p, List.of())) out.add(State.decode(store.get(id), m.nCpu, m.nThr, m.nMm));
        return out;
    }

    /** Every reachable state's canonical encoding (for comparing against other engines). */
    public List<byte[]> states() {
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
        for (int i = 0; i + 1 < path.size(); i++) steps.add(stepBetween(path.get(i), path.get(i + 1), steps.size() + 1));
        Machine.Transition v = violationStep.get(p);
        if (v.label() != null) {
            State before = State.decode(store.get(last), m.nCpu, m.nThr, m.nMm);
            steps.add(TraceText.step(m, v.label(), before, null, steps.size() + 1, true));
        }
        return new Trace(steps, -1, p.name(), v.why());
    }

    /** Regenerates the transition from a to b to recover its label and what changed. */
    private Trace.Step stepBetween(int a, int b, int index) {
        Trace.Step s = Replay.step(m, State.decode(store.get(a), m.nCpu, m.nThr, m.nMm), store.get(b), index);
        if (s == null) throw new IllegalStateException("trace step " + a + " -> " + b + " not reproducible");
        return s;
    }

    // ------------------------------------------------------------------ liveness

    /** The bad condition that must not hold forever, per subject (CPU or thread). */
    private IntPredicate bad(Property p, int subject) {
        return id -> {
            State s = State.decode(store.get(id), m.nCpu, m.nThr, m.nMm);
            // Fair loops exclude timer storms (<>[]~Storm in the TLA+ wrapper): a loop through a
            // state where a periodic tick came before the context it interrupted made a step is
            // a storm, not starvation (proofs-notes/model-choices.md, "Periodic timers").
            for (int c = 0; c < m.nCpu; c++) if (s.storm[c]) return false;
            if (p == Property.RESCHED_STARVATION) {
                int c = subject, r = s.running[c];
                if (m.isIdle(r) || !s.needResched[r]) return false;
                for (int u = 0; u < m.nThr; u++)
                    if (u != r && !m.isIdle(u) && m.cpuOf(u) == c && s.status[u] == State.READY) return true;
                return false;
            }
            return s.sigPending[subject];
        };
    }

    private Trace liveness(Property p, int n) {
        int subjects = p == Property.RESCHED_STARVATION ? m.nCpu : m.nThr;
        for (int subj = 0; subj < subjects; subj++) {
            if (p == Property.SIGNAL_STARVATION && m.isIdle(subj)) continue;
            boolean[] in = new boolean[n];
            IntPredicate b = bad(p, subj);
            boolean anyBad = false;
            for (int i = 0; i < n; i++) { in[i] = b.test(i); anyBad |= in[i]; }
            if (!anyBad) continue;
            for (int[] scc : sccs(in, n)) {
                if (!fair(scc, in)) continue;
                return lasso(p, subj, scc, in);
            }
        }
        return null;
    }

    /**
     * Fairness classes of edges: Step(c) = c, Timer(c) = n + c, and Step(c) that ran the scheduler
     * (schedule() or a signal delivery) = 2n + c. Weak fairness on Step(c) and Timer(c); strong
     * fairness on the scheduler's steps, which rules out a timer that always fires in the one-op
     * window before schedule() (MODEL.md §6: "weak fairness of the scheduler and of enabled timers").
     * A Timer(c) that lands in app context (app code or ukl_mode 2) is class 3n + c, a Timer(c) too, and strongly fair: a
     * periodic tick drifts against the code, so it cannot land only in one kernel window forever
     * while the loop keeps passing through app code (model-choices.md, "Periodic timers").
     */
    private int fairClasses() { return 4 * m.nCpu; }

    /** What a fair SCC must contain for class k: an edge inside, or (timers) a state where it is disabled. */
    private boolean fair(int[] scc, boolean[] in) {
        int n = m.nCpu;
        boolean[] taken = new boolean[fairClasses()];
        boolean[] disabled = new boolean[fairClasses()];
        boolean[] enabledSomewhere = new boolean[fairClasses()];
        boolean[] member = new boolean[in.length];
        for (int s : scc) member[s] = true;
        boolean anyEdge = false;
        for (int s : scc) {
            for (int e = edgeStart[s]; e < edgeStart[s + 1]; e++) {
                int to = edgeTo[e];
                if (edgeFair[e] >= 2 * n) enabledSomewhere[edgeFair[e]] = true;
                if (to < member.length && member[to]) {
                    anyEdge = true;
                    if (edgeFair[e] >= 0) taken[edgeFair[e]] = true;
                }
            }
            State st = State.decode(store.get(s), m.nCpu, m.nThr, m.nMm);
            for (int c = 0; c < n; c++) if (!m.timerEnabled(st, c)) disabled[n + c] = true;
        }
        if (!anyEdge) return false;
        for (int c = 0; c < n; c++) {
            if (!taken[c] && !taken[2 * n + c]) return false;                 // WF Step(c): always enabled
            if (!taken[n + c] && !taken[3 * n + c] && !disabled[n + c]) return false; // WF Timer(c)
            if (enabledSomewhere[2 * n + c] && !taken[2 * n + c]) return false; // SF scheduler on c
            if (enabledSomewhere[3 * n + c] && !taken[3 * n + c]) return false; // SF tick in app context
        }
        return true;
    }

    /** Tarjan's algorithm, iterative, over the subgraph induced by {@code in}. */
    private List<int[]> sccs(boolean[] in, int n) {
        int[] index = new int[n], low = new int[n];
        Arrays.fill(index, -1);
        boolean[] onStack = new boolean[n];
        int[] stack = new int[n];
        int sp = 0, counter = 0;
        List<int[]> out = new ArrayList<>();
        int[] callV = new int[n], callE = new int[n];
        for (int root = 0; root < n; root++) {
            if (!in[root] || index[root] >= 0) continue;
            int depth = 0;
            callV[0] = root; callE[0] = edgeStart[root];
            index[root] = low[root] = counter++;
            stack[sp++] = root; onStack[root] = true;
            while (depth >= 0) {
                int v = callV[depth];
                if (callE[depth] < edgeStart[v + 1]) {
                    int w = edgeTo[callE[depth]++];
                    if (w >= n || !in[w]) continue;
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack[sp++] = w; onStack[w] = true;
                        depth++;
                        callV[depth] = w; callE[depth] = edgeStart[w];
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                } else {
                    if (low[v] == index[v]) {
                        int cnt = 0;
                        for (int k = sp - 1; k >= 0; k--) { cnt++; if (stack[k] == v) break; }
                        int[] comp = new int[cnt];
                        for (int k = 0; k < cnt; k++) { int w = stack[--sp]; onStack[w] = false; comp[k] = w; }
                        Arrays.sort(comp);
                        out.add(comp);
                    }
                    depth--;
                    if (depth >= 0) { int u = callV[depth]; low[u] = Math.min(low[u], low[v]); }
                }
            }
        }
        return out;
    }

    /** A prefix to the SCC and a loop inside it that takes every fair action or passes where it is disabled. */
    private Trace lasso(Property p, int subj, int[] scc, boolean[] in) {
        boolean[] member = new boolean[in.length];
        for (int s : scc) member[s] = true;
        int entry = scc[0];   // lowest id = first reached by BFS
        List<Integer> prefix = pathTo(entry);
        List<Integer> loop = new ArrayList<>();
        loop.add(entry);
        int cur = entry;
        int nc = m.nCpu;
        for (int k = 0; k < fairClasses(); k++) {
            final int cls = k;
            final int alt = k < 2 * nc ? 2 * nc + k : -9;      // a scheduler step is a Step, an app tick a Timer
            final boolean timer = k >= nc && k < 2 * nc;
            if (k >= 2 * nc) {                                  // SF: needed only if enabled in the SCC
                boolean en = false;
                for (int s : scc) for (int e = edgeStart[s]; e < edgeStart[s + 1]; e++) if (edgeFair[e] == cls) en = true;
                if (!en) continue;
            }
            boolean ok = false;
            for (int i = 0; i + 1 < loop.size() && !ok; i++) { int ec = edgeClass(loop.get(i), loop.get(i + 1)); ok = ec == cls || ec == alt; }
            for (int s : loop) if (!ok && timer && !m.timerEnabled(State.decode(store.get(s), m.nCpu, m.nThr, m.nMm), cls - nc)) ok = true;
            if (ok) continue;
            List<Integer> seg = walk(cur, member, (from, e) -> edgeFair[e] == cls || edgeFair[e] == alt, st -> timer && !m.timerEnabled(st, cls - nc));
            if (seg == null) continue;
            for (int i = 1; i < seg.size(); i++) loop.add(seg.get(i));
            cur = loop.get(loop.size() - 1);
        }
        List<Integer> back = walk(cur, member, (from, e) -> edgeTo[e] == entry, st -> false);
        if (back != null) for (int i = 1; i < back.size(); i++) loop.add(back.get(i));
        if (loop.size() == 1) loop.add(entry);   // a self-loop
        List<Trace.Step> steps = new ArrayList<>();
        List<Integer> ids = new ArrayList<>(prefix);
        ids.addAll(loop.subList(1, loop.size()));
        traceIds.put(p, ids);
        for (int i = 0; i + 1 < prefix.size(); i++) steps.add(stepBetween(prefix.get(i), prefix.get(i + 1), steps.size() + 1));
        int loopStart = steps.size() + 1;
        for (int i = 0; i + 1 < loop.size(); i++) steps.add(stepBetween(loop.get(i), loop.get(i + 1), steps.size() + 1));
        String why = p == Property.RESCHED_STARVATION
                ? "cpu" + subj + "'s running thread keeps needResched set while another thread is READY, forever, on a fair loop (steps " + loopStart + "-" + steps.size() + " repeat)"
                : m.threadName(subj) + "'s pending signal is never delivered on a fair loop (steps " + loopStart + "-" + steps.size() + " repeat)";
        return new Trace(steps, loopStart, p.name(), why);
    }

    private int edgeClass(int a, int b) {
        for (int e = edgeStart[a]; e < edgeStart[a + 1]; e++) if (edgeTo[e] == b) return edgeFair[e];
        return -2;
    }

    private interface EdgeTest { boolean test(int from, int edge); }

    /** BFS inside the SCC from {@code from} to a state that satisfies {@code stop}, or through an edge that does. */
    private List<Integer> walk(int from, boolean[] member, EdgeTest edge, java.util.function.Predicate<State> stop) {
        Map<Integer, Integer> prev = new java.util.HashMap<>();
        ArrayDeque<Integer> q = new ArrayDeque<>();
        q.add(from);
        prev.put(from, -1);
        while (!q.isEmpty()) {
            int v = q.poll();
            if (v != from && stop.test(State.decode(store.get(v), m.nCpu, m.nThr, m.nMm))) return unwind(prev, v);
            for (int e = edgeStart[v]; e < edgeStart[v + 1]; e++) {
                int w = edgeTo[e];
                if (w >= member.length || !member[w]) continue;
                if (edge.test(v, e)) {
                    List<Integer> p = unwind(prev, v);
                    p.add(w);
                    return p;
                }
                if (!prev.containsKey(w)) { prev.put(w, v); q.add(w); }
            }
        }
        return null;
    }

    private static List<Integer> unwind(Map<Integer, Integer> prev, int v) {
        List<Integer> p = new ArrayList<>();
        for (int x = v; x != -1; x = prev.get(x)) p.add(0, x);
        return p;
    }
}
