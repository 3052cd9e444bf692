package ukl.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Symmetry reduction (issue 15, item 3): the permutations of threads and CPUs under which the
 * machine's transition relation is invariant, and a state's canonical form, the least encoding
 * among its images. The explorers store canonical forms with {@code --symmetry}, so a state and
 * its images count once.
 *
 * <p>Which permutations. A thread permutation must map each thread to one with the same
 * {@link Scenario.ThreadSpec} but for its CPU, and come with a CPU permutation that carries every
 * thread's CPU along (idle threads included). And it must keep, on each CPU, the order of that
 * CPU's threads by id: {@code pickNext} (Scheduling.java) chooses the next READY thread
 * round-robin by id from the current one, and from the idle thread (whose id is above every other)
 * that is the READY thread with the lowest id. So two identical threads on one CPU are not
 * interchangeable (swapping them changes which one the idle thread picks), nor are rotations of
 * three; what is left is moving whole CPUs: a CPU permutation with each CPU's threads, in id
 * order, mapped to the other CPU's in id order (the first attempt also allowed rotations on one
 * CPU; SymmetryTest caught it, and keeps that case). Clone children and their parents are fixed
 * points: a child's slot is tied to its parent's id, and an empty slot's zeroed fields would not
 * map. The permutations that keep specs and these orders form a group.
 *
 * <p>Soundness is not argued here but checked: {@code SymmetryTest} explores scenarios in full
 * and requires, for every reachable state s and every permutation p, that the successors of p(s)
 * are the images of s's successors (encodings and violated properties alike) and that deadlock is
 * judged alike, which makes p an automorphism of the reachable graph; the reduced and the full
 * searches then find the same violations, and the reduced one as many states as the full set has
 * orbits, which the cross-check compares against TLC's full state set.
 */
public final class Symmetry {
    private final int nThr, nCpu, nStacks;
    private final int[][] thr, cpu, stk;   // per non-identity element: thread, CPU and stack maps
    private final int[][] thrInv, cpuInv, stkInv;

    private Symmetry(int nThr, int nCpu, int nStacks, List<int[][]> elems) {
        this.nThr = nThr;
        this.nCpu = nCpu;
        this.nStacks = nStacks;
        thr = new int[elems.size()][];
        cpu = new int[elems.size()][];
        stk = new int[elems.size()][];
        for (int g = 0; g < elems.size(); g++) {
            thr[g] = elems.get(g)[0];
            cpu[g] = elems.get(g)[1];
            int[] s = new int[nStacks];
            for (int t = 0; t < nThr; t++) { s[t] = thr[g][t]; s[nThr + t] = nThr + thr[g][t]; }
            for (int c = 0; c < nCpu; c++) for (int k = 0; k < 7; k++) s[2 * nThr + 7 * c + k] = 2 * nThr + 7 * cpu[g][c] + k;
            stk[g] = s;
        }
        thrInv = inverses(thr);
        cpuInv = inverses(cpu);
        stkInv = inverses(stk);
    }

    private static int[][] inverses(int[][] maps) {
        int[][] out = new int[maps.length][];
        for (int g = 0; g < maps.length; g++) {
            out[g] = new int[maps[g].length];
            for (int i = 0; i < maps[g].length; i++) out[g][maps[g][i]] = i;
        }
        return out;
    }

    /** The group of m's scenario (the identity alone when nothing is symmetric). */
    public static Symmetry of(MachineCore m) {
        int nThr = m.nThr, nCpu = m.nCpu;
        List<Scenario.ThreadSpec> spec = m.scenario.threads;
        boolean[] fixed = new boolean[nThr];
        for (int t = 0; t < nThr; t++) if (spec.get(t).child()) { fixed[t] = true; fixed[spec.get(t).parent()] = true; }
        List<List<Integer>> onCpu = new ArrayList<>();
        for (int c = 0; c < nCpu; c++) {
            List<Integer> l = new ArrayList<>();
            for (int t = 0; t < nThr; t++) if (!m.isIdle(t) && m.cpuOf(t) == c) l.add(t);
            onCpu.add(l);
        }
        List<int[][]> elems = new ArrayList<>();
        for (int[] pc : permutations(nCpu)) {
            boolean sizes = true;
            for (int c = 0; c < nCpu; c++) sizes &= onCpu.get(c).size() == onCpu.get(pc[c]).size();
            if (!sizes) continue;
            int[] pt = new int[nThr];
            Arrays.fill(pt, -1);
            for (int c = 0; c < nCpu; c++) {
                List<Integer> from = onCpu.get(c), to = onCpu.get(pc[c]);
                for (int i = 0; i < from.size(); i++) pt[from.get(i)] = to.get(i);
                pt[m.idleOf(c)] = m.idleOf(pc[c]);
            }
            if (valid(pt, spec, fixed) && !identity(pt, pc)) elems.add(new int[][]{pt, pc.clone()});
        }
        return new Symmetry(nThr, nCpu, 2 * nThr + 7 * nCpu, elems);
    }

    private static boolean valid(int[] pt, List<Scenario.ThreadSpec> spec, boolean[] fixed) {
        for (int t = 0; t < pt.length; t++) {
            if (pt[t] < 0 || (fixed[t] && pt[t] != t)) return false;
            Scenario.ThreadSpec a = spec.get(t), b = spec.get(pt[t]);
            if (a.kind() != b.kind() || a.mm() != b.mm() || a.idle() != b.idle() || a.coRunner() != b.coRunner()
                    || a.exec() != b.exec() || a.parent() != b.parent() || !Objects.equals(a.program(), b.program())
                    || !Objects.equals(a.handler(), b.handler())) return false;
        }
        return true;
    }

    private static boolean identity(int[] pt, int[] pc) {
        for (int i = 0; i < pt.length; i++) if (pt[i] != i) return false;
        for (int i = 0; i < pc.length; i++) if (pc[i] != i) return false;
        return true;
    }

    private static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] a, boolean[] used, int k, List<int[]> out) {
        if (k == a.length) { out.add(a.clone()); return; }
        for (int i = 0; i < a.length; i++) if (!used[i]) { used[i] = true; a[k] = i; permute(a, used, k + 1, out); used[i] = false; }
    }

    /** The group of a scenario's machine. */
    public static Symmetry of(Scenario sc) { return of(new Machine(sc, Machine.Perturbation.NONE)); }

    /** One line for reports: the group, or that there is none. */
    public static String summary(Scenario sc) {
        Machine m = new Machine(sc, Machine.Perturbation.NONE);
        Symmetry g = of(m);
        if (g.trivial()) return "symmetry: none in this scenario (no two threads are interchangeable), so the full state space; liveness not checked";
        List<String> el = new ArrayList<>();
        for (int i = 0; i < g.thr.length && i < 3; i++) el.add(g.describe(i, m));
        return "symmetry: a group of " + g.order() + " permutations (" + String.join("; ", el) + (g.thr.length > 3 ? "; ..." : "")
                + "), one state per orbit; liveness not checked";
    }

    /** The group's order, identity included. */
    public int order() { return thr.length + 1; }

    /** Whether there is anything to reduce. */
    public boolean trivial() { return thr.length == 0; }

    /** Element g (0 .. order()-2; the identity is not listed) as text, e.g. "t0<->t1, cpu0<->cpu1". */
    public String describe(int g, MachineCore m) {
        List<String> parts = new ArrayList<>();
        for (int t = 0; t < nThr; t++) if (thr[g][t] != t) parts.add(m.threadName(t) + "->" + m.threadName(thr[g][t]));
        for (int c = 0; c < nCpu; c++) if (cpu[g][c] != c) parts.add("cpu" + c + "->cpu" + cpu[g][c]);
        return String.join(", ", parts);
    }

    /**
     * The image of s under element g: every thread, CPU and stack id renamed, fields moved with
     * them. Decoded from the image's encoding (State.encodeImageTo), so the renaming is written once.
     */
    public State apply(State s, int g) {
        State.Enc e = new State.Enc();
        encodeImage(s, g, e);
        return State.decode(e.buf, 0, nCpu, nThr, s.nMm);
    }

    /**
     * Whether element g is an automorphism at s: the successors of g(s) are the images of s's
     * successors (as encodings; violations and bounds by property and text), and deadlock is
     * judged alike. Null when it is, else what differs. The soundness test asks it of every
     * reachable state of a full search (SymmetryTest).
     */
    String notAutomorphismAt(Machine m, State s, int g) {
        State gs = apply(s, g);
        java.util.Set<String> a = new java.util.HashSet<>(), b = new java.util.HashSet<>();
        m.successors(s, tr -> a.add(outcome(tr, tr.next() == null ? null : apply(tr.next(), g))));
        m.successors(gs, tr -> b.add(outcome(tr, tr.next())));
        if ((m.stuck(s) == null) != (m.stuck(gs) == null)) return "deadlock judged differently at a state and its image";
        if (!a.equals(b)) {
            java.util.Set<String> onlyA = new java.util.TreeSet<>(a), onlyB = new java.util.TreeSet<>(b);
            onlyA.removeAll(b); onlyB.removeAll(a);
            StringBuilder sb = new StringBuilder("the image of a successor is not a successor of the image: " + onlyA.size()
                    + " outcome(s) only from the state (mapped), " + onlyB.size() + " only from its image");
            if (!onlyA.isEmpty() && !onlyB.isEmpty() && onlyA.iterator().next().startsWith("state ") && onlyB.iterator().next().startsWith("state ")) {
                java.util.Map<String, String> x = decode(onlyA.iterator().next(), s).describe(m), y = decode(onlyB.iterator().next(), s).describe(m);
                sb.append("; they differ in");
                for (String k : x.keySet()) if (!Objects.equals(x.get(k), y.get(k))) sb.append(' ').append(k).append(": ").append(x.get(k)).append(" / ").append(y.get(k)).append(';');
            } else {
                if (!onlyA.isEmpty()) sb.append("; e.g. ").append(onlyA.iterator().next(), 0, Math.min(60, onlyA.iterator().next().length()));
                if (!onlyB.isEmpty()) sb.append("; the image's: ").append(onlyB.iterator().next(), 0, Math.min(60, onlyB.iterator().next().length()));
            }
            sb.append(" (at the state ").append(s.describe(m)).append(')');
            return sb.toString();
        }
        return null;
    }

    private static State decode(String outcome, State like) {
        return State.decode(java.util.Base64.getDecoder().decode(outcome.substring("state ".length())), like.nCpu, like.nThr, like.nMm);
    }

    private static String outcome(Machine.Transition tr, State next) {
        if (tr.bound() != null) return "bound";
        if (tr.violated() != null) return "violates " + tr.violated();
        return "state " + java.util.Base64.getEncoder().encodeToString(next.encode());
    }

    /** A group of the given elements, whatever they are (tests: a wrong permutation must be caught). */
    static Symmetry ofElements(MachineCore m, int[][] threadMaps, int[][] cpuMaps) {
        List<int[][]> el = new ArrayList<>();
        for (int i = 0; i < threadMaps.length; i++) el.add(new int[][]{threadMaps[i], cpuMaps[i]});
        return new Symmetry(m.nThr, m.nCpu, 2 * m.nThr + 7 * m.nCpu, el);
    }

    /** Non-identity elements. */
    int elements() { return thr.length; }

    /** s's canonical encoding into out: the least (unsigned bytes, then length) of the encodings of s and its images. */
    public void canonical(State s, State.Enc out, State.Enc tmp) {
        s.encodeTo(out);
        for (int g = 0; g < thr.length; g++) {
            encodeImage(s, g, tmp);
            if (Arrays.compareUnsigned(tmp.buf, 0, tmp.n, out.buf, 0, out.n) < 0) {
                byte[] b = out.buf; out.buf = tmp.buf; tmp.buf = b;
                out.n = tmp.n;
            }
        }
    }

    /** The encoding of g(s), written without building g(s) (the same bytes as apply(s, g).encode()). */
    void encodeImage(State s, int g, State.Enc out) { s.encodeImageTo(out, thr[g], thrInv[g], cpu[g], cpuInv[g], stk[g], stkInv[g]); }

    /** s's canonical encoding as a new array. */
    public byte[] canonical(State s) {
        State.Enc out = new State.Enc(), tmp = new State.Enc();
        canonical(s, out, tmp);
        return out.bytes();
    }
}
