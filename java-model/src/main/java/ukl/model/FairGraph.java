package ukl.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fair-cycle search both explorers share (so they find the same lasso): Tarjan's SCCs of the
 * subgraph where a starvation condition holds, the fairness test of an SCC and a loop through it.
 * Nodes are numbered in BFS order; per node it needs only the fairness classes of all its outgoing
 * edges ({@code out}, a bit per class) and the CPUs whose timer is disabled there ({@code timerOff}).
 *
 * <p>Fairness classes of edges: Step(c) = c, Timer(c) = n + c, and Step(c) that ran the scheduler
 * (schedule() or a signal delivery) = 2n + c. Weak fairness on Step(c) and Timer(c); strong
 * fairness on the scheduler's steps, which rules out a timer that always fires in the one-op
 * window before schedule() (MODEL.md §6: "weak fairness of the scheduler and of enabled timers").
 * A Timer(c) that lands in app context (app code or ukl_mode 2) is class 3n + c, a Timer(c) too, and
 * strongly fair: a periodic tick drifts against the code, so it cannot land only in one kernel
 * window forever while the loop keeps passing through app code (model-choices.md, "Periodic timers").
 */
final class FairGraph {
    private final int[] edgeStart, edgeTo;
    private final byte[] edgeFair;
    private final int[] out, timerOff;
    private final int nCpu;

    FairGraph(int[] edgeStart, int[] edgeTo, byte[] edgeFair, int[] out, int[] timerOff, int nCpu) {
        this.edgeStart = edgeStart; this.edgeTo = edgeTo; this.edgeFair = edgeFair;
        this.out = out; this.timerOff = timerOff; this.nCpu = nCpu;
    }

    private int classes() { return 4 * nCpu; }

    private boolean timerOn(int v, int c) { return (timerOff[v] & (1 << c)) == 0; }

    /** The first fair SCC of the subgraph {@code in} (Tarjan's order) as {{entry}, loop}, or null if none is fair. */
    int[][] fairLasso(boolean[] in, int n) {
        for (int[] scc : sccs(in, n)) if (fair(scc, in)) return lasso(scc, in);
        return null;
    }

    /** What a fair SCC must contain for class k: an edge inside, or (timers) a state where it is disabled. */
    boolean fair(int[] scc, boolean[] in) {
        int n = nCpu;
        boolean[] taken = new boolean[classes()];
        boolean[] disabled = new boolean[classes()];
        boolean[] enabledSomewhere = new boolean[classes()];
        boolean[] member = new boolean[in.length];
        for (int s : scc) member[s] = true;
        boolean anyEdge = false;
        for (int s : scc) {
            for (int k = 2 * n; k < classes(); k++) if ((out[s] & (1 << k)) != 0) enabledSomewhere[k] = true;
            for (int e = edgeStart[s]; e < edgeStart[s + 1]; e++) {
                int to = edgeTo[e];
                if (to < member.length && member[to]) {
                    anyEdge = true;
                    if (edgeFair[e] >= 0) taken[edgeFair[e]] = true;
                }
            }
            for (int c = 0; c < n; c++) if (!timerOn(s, c)) disabled[n + c] = true;
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
    List<int[]> sccs(boolean[] in, int n) {
        int[] index = new int[n], low = new int[n];
        Arrays.fill(index, -1);
        boolean[] onStack = new boolean[n];
        int[] stack = new int[n];
        int sp = 0, counter = 0;
        List<int[]> res = new ArrayList<>();
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
                        res.add(comp);
                    }
                    depth--;
                    if (depth >= 0) { int u = callV[depth]; low[u] = Math.min(low[u], low[v]); }
                }
            }
        }
        return res;
    }

    /**
     * A loop inside the SCC from its first node (lowest id = first reached by BFS) that takes every
     * fair action or passes where it is disabled: {{entry}, loop nodes from entry back to entry}.
     */
    int[][] lasso(int[] scc, boolean[] in) {
        boolean[] member = new boolean[in.length];
        for (int s : scc) member[s] = true;
        int entry = scc[0];
        List<Integer> loop = new ArrayList<>();
        loop.add(entry);
        int cur = entry;
        int nc = nCpu;
        for (int k = 0; k < classes(); k++) {
            final int cls = k;
            final int alt = k < 2 * nc ? 2 * nc + k : -9;      // a scheduler step is a Step, an app tick a Timer
            final boolean timer = k >= nc && k < 2 * nc;
            if (k >= 2 * nc) {                                  // SF: needed only if enabled in the SCC
                boolean en = false;
                for (int s : scc) if ((out[s] & (1 << cls)) != 0) en = true;
                if (!en) continue;
            }
            boolean ok = false;
            for (int i = 0; i + 1 < loop.size() && !ok; i++) { int ec = edgeClass(loop.get(i), loop.get(i + 1)); ok = ec == cls || ec == alt; }
            for (int s : loop) if (!ok && timer && !timerOn(s, cls - nc)) ok = true;
            if (ok) continue;
            List<Integer> seg = walk(cur, member, (from, e) -> edgeFair[e] == cls || edgeFair[e] == alt, v -> timer && !timerOn(v, cls - nc));
            if (seg == null) continue;
            for (int i = 1; i < seg.size(); i++) loop.add(seg.get(i));
            cur = loop.get(loop.size() - 1);
        }
        List<Integer> back = walk(cur, member, (from, e) -> edgeTo[e] == entry, v -> false);
        if (back != null) for (int i = 1; i < back.size(); i++) loop.add(back.get(i));
        if (loop.size() == 1) loop.add(entry);   // a self-loop
        int[] l = new int[loop.size()];
        for (int i = 0; i < l.length; i++) l[i] = loop.get(i);
        return new int[][]{{entry}, l};
    }

    private int edgeClass(int a, int b) {
        for (int e = edgeStart[a]; e < edgeStart[a + 1]; e++) if (edgeTo[e] == b) return edgeFair[e];
        return -2;
    }

    private interface EdgeTest { boolean test(int from, int edge); }
    private interface NodeTest { boolean test(int v); }

    /** BFS inside the SCC from {@code from} to a node that satisfies {@code stop}, or through an edge that does. */
    private List<Integer> walk(int from, boolean[] member, EdgeTest edge, NodeTest stop) {
        Map<Integer, Integer> prev = new HashMap<>();
        ArrayDeque<Integer> q = new ArrayDeque<>();
        q.add(from);
        prev.put(from, -1);
        while (!q.isEmpty()) {
            int v = q.poll();
            if (v != from && stop.test(v)) return unwind(prev, v);
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
