package ukl.model;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Symmetry reduction (issue 15, item 3). Soundness is checked, not assumed: every permutation the
 * group has is an automorphism at every reachable state of a full search; a permutation that is
 * not one is caught; and the reduced searches (exact and fingerprint) find one state per orbit of
 * the full set and the same safety verdicts, with counterexamples as short as the full search's.
 */
class SymmetryTest {
    private static Scenario scenario(String preset, String workload, int threads, int cpus, String events, boolean sym, Option... opts) {
        Scenario.Builder b = Scenario.builder().preset(preset).workload(workload);
        b.threads = threads;
        b.cpus = cpus;
        b.coRunner = false;
        if (events != null) b.eventsSpec(events);
        for (Option o : opts) b.option(o);
        if (b.options.contains(Option.BYP)) b.bypassLimit = 2;   // the code's 50 only multiplies the states
        b.symmetry = sym;
        return b.build();
    }

    /** Scenarios with a nontrivial group: CPU swaps, rotations on one CPU, both; IPIs, signals, NMIs, bypass; two that violate. */
    private static final Object[][] CASES = {
            {"ukl-paper", "stack-grow", 2, 2, "TIMER:1,NMI:1", new Option[0]},          // DOUBLE_FAULT_PANIC
            {"linux", "kstack-overflow", 2, 2, "TIMER:1", new Option[0]},              // DOUBLE_FAULT_PANIC
            {"ukl-paper", "tlb-shootdown", 2, 2, "TIMER:1", new Option[0]},            // IPIs and their wait masks
            {"ukl-5.14", "signal-getppid", 2, 2, "TIMER:1", new Option[0]},
            {"ukl-6x", "read-user", 2, 2, "NMI:1", new Option[0]},
            {"ukl-5.14", "getppid", 2, 2, "TIMER:1", new Option[]{Option.BYP}},
            {"ukl-5.14", "mmap", 2, 2, "TIMER:1", new Option[]{Option.BYP}},                // mmap_lock; DEADLOCK
            {"linux", "blocking-read", 4, 2, "TIMER:1,WAKEUP:2", new Option[0]},       // two threads a CPU that sleep and wake
    };

    private static Scenario of(Object[] c, boolean sym) {
        return scenario((String) c[0], (String) c[1], (Integer) c[2], (Integer) c[3], (String) c[4], sym, (Option[]) c[5]);
    }

    @Test
    void everyPermutationIsAnAutomorphismAtEveryReachableState() {
        for (Object[] c : CASES) {
            Explorer full = Explorer.exact(of(c, false));
            assertNull(full.run().incompleteReason(), c[0] + " " + c[1] + ": a complete search");
            Machine m = full.machine();
            Symmetry g = Symmetry.of(m);
            assertFalse(g.trivial(), c[0] + " " + c[1] + ": a group to test");
            int checked = 0;
            for (byte[] b : full.states()) {
                State s = State.decode(b, m.nCpu, m.nThr, m.nMm);
                for (int e = 0; e < g.elements(); e++) {
                    State.Enc direct = new State.Enc();
                    g.encodeImage(s, e, direct);
                    assertArrayEquals(g.apply(s, e).encode(), direct.bytes(), "the image, decoded from its encoding, encodes back to the same bytes");
                    String bad = g.notAutomorphismAt(m, s, e);
                    assertNull(bad, c[0] + " " + c[1] + ", " + g.describe(e, m) + ": " + bad);
                    checked++;
                }
            }
            assertTrue(checked > 100, "states checked: " + checked);
        }
    }

    @Test
    void aPermutationThatIsNotAnAutomorphismIsCaught() {
        // Renaming an app thread and its CPU's idle thread: their programs differ, so not a symmetry.
        Explorer full = Explorer.exact(scenario("ukl-paper", "getppid", 2, 2, "TIMER:1", false));
        full.run();
        Machine m = full.machine();
        int[] pt = new int[m.nThr];
        for (int t = 0; t < m.nThr; t++) pt[t] = t;
        int idle0 = m.idleOf(0);
        pt[0] = idle0; pt[idle0] = 0;
        Symmetry wrong = Symmetry.ofElements(m, new int[][]{pt}, new int[][]{{0, 1}});
        int caught = 0;
        for (byte[] b : full.states()) if (wrong.notAutomorphismAt(m, State.decode(b, m.nCpu, m.nThr, m.nMm), 0) != null) caught++;
        assertTrue(caught > 0, "the wrong permutation passes at every state");
        // And a rotation of three threads on one CPU, which the first version of the group had:
        // from the idle thread pickNext takes the READY thread with the lowest id, which a rotation
        // does not keep (a state where idle runs and t0, t1 are READY).
        Explorer three = Explorer.exact(scenario("linux", "blocking-read", 3, 1, "TIMER:1,WAKEUP:2", false));
        three.run();
        Machine m3 = three.machine();
        int[] rot = new int[m3.nThr];
        for (int t = 0; t < m3.nThr; t++) rot[t] = t;
        rot[0] = 2; rot[1] = 0; rot[2] = 1;
        Symmetry rotation = Symmetry.ofElements(m3, new int[][]{rot}, new int[][]{{0}});
        caught = 0;
        for (byte[] b : three.states()) if (rotation.notAutomorphismAt(m3, State.decode(b, m3.nCpu, m3.nThr, m3.nMm), 0) != null) caught++;
        assertTrue(caught > 0, "a rotation of three threads on one CPU passes at every state");
        assertTrue(Symmetry.of(m3).trivial(), "threads on one CPU are not interchangeable");
    }

    @Test
    void theReducedSearchesFindOneStatePerOrbitAndTheSameVerdicts() {
        for (Object[] c : CASES) {
            String what = c[0] + " " + c[1];
            Explorer full = Explorer.exact(of(c, false));
            Result fr = full.run();
            assertNull(fr.incompleteReason(), what + ": a complete search");
            Machine m = full.machine();
            Symmetry g = Symmetry.of(m);
            Set<ByteBuffer> orbits = new HashSet<>();
            for (byte[] b : full.states()) orbits.add(ByteBuffer.wrap(g.canonical(State.decode(b, m.nCpu, m.nThr, m.nMm))));

            Explorer red = Explorer.exact(of(c, true));
            Result rr = red.run();
            Set<ByteBuffer> reduced = new HashSet<>();
            for (byte[] b : red.states()) reduced.add(ByteBuffer.wrap(b));
            Set<ByteBuffer> onlyFull = new HashSet<>(orbits), onlyReduced = new HashSet<>(reduced);
            onlyFull.removeAll(reduced);
            onlyReduced.removeAll(orbits);
            assertTrue(onlyFull.isEmpty() && onlyReduced.isEmpty(), what + ": the reduced search's states are the full set's orbits; full " + full.states().size()
                    + " states in " + orbits.size() + " orbits, reduced " + reduced.size() + "; orbits only in the full set " + onlyFull.size() + ", only in the reduced one " + onlyReduced.size()
                    + (onlyFull.isEmpty() ? "" : "; e.g. " + State.decode(onlyFull.iterator().next().array(), m.nCpu, m.nThr, m.nMm).describe(m))
                    + (onlyReduced.isEmpty() ? "" : "; reduced e.g. " + State.decode(onlyReduced.iterator().next().array(), m.nCpu, m.nThr, m.nMm).describe(m)));
            assertTrue(reduced.size() < full.states().size(), what + ": it reduces");

            Explorer fpx = Explorer.fingerprint(of(c, true), 2);
            Result fpr = fpx.run();
            assertEquals(rr.stats().states(), fpr.stats().states(), what + ": fingerprints");
            assertEquals(rr.stats().transitions(), fpr.stats().transitions(), what + ": fingerprints");
            assertEquals(rr.verdict(), fr.verdict(), what);
            for (Property p : Property.values()) {
                Result.PropertyResult a = fr.properties().get(p), r = rr.properties().get(p);
                if (p.kind == Property.Kind.LIVENESS) { assertEquals(Result.Status.NOT_CHECKED, r.status(), what + " " + p); continue; }
                assertEquals(a.status(), r.status(), what + " " + p);
                assertEquals(r, fpr.properties().get(p), what + " " + p + ": both reduced explorers give the same trace");
                if (a.trace() != null) {
                    assertEquals(a.trace().steps().size(), r.trace().steps().size(), what + " " + p + ": as short as the full search's");
                    List<State> real = red.traceStates(p);
                    assertTrue(Replay.initial(m, real.get(0)), what + " " + p + ": the trace starts at the initial state");
                    State last = real.get(real.size() - 1);
                    assertTrue(Replay.violation(m, last, p, 1) != null || Replay.why(m, last, p) != null, what + " " + p + ": and its last state violates p");
                }
            }
        }
    }
}
