package ukl.model;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The fingerprint explorer (issue 15): its set, its determinism across worker counts, its bounds. */
class FingerprintExplorerTest {
    private static Scenario scenario(String preset, String workload, String events, long maxStates) {
        Scenario.Builder b = Scenario.builder().preset(preset).workload(workload);
        if (events != null) b.eventsSpec(events);
        b.maxStates = maxStates;
        return b.build();
    }

    @Test
    void fpSetAddsOnceAndGrows() {
        FpSet s = new FpSet(16);
        for (long i = 1; i <= 100_000; i++) assertTrue(s.add(FpSet.of(longBytes(i), 0, 8)));
        for (long i = 1; i <= 100_000; i++) assertFalse(s.add(FpSet.of(longBytes(i), 0, 8)));
        assertEquals(100_000, s.size());
        assertTrue(s.bytes() >= 8 * 100_000 * 4 / 3, "load at most 3/4");
    }

    @Test
    void fingerprintsOfDistinctEncodingsDiffer() {
        // Every reachable state of a small scenario, whole, against its fingerprint: no two share one.
        Explorer ex = Explorer.exact(scenario("linux", "getppid", null, 2_000_000));
        ex.run();
        Set<Long> fps = new HashSet<>();
        List<byte[]> states = ex.states();
        for (byte[] b : states) assertTrue(fps.add(FpSet.of(b, 0, b.length)), "a fingerprint collision among " + states.size() + " states");
        // one changed byte or a longer encoding changes the fingerprint
        byte[] a = states.get(states.size() - 1).clone();
        long f = FpSet.of(a, 0, a.length);
        a[a.length / 2] ^= 1;
        assertNotEquals(f, FpSet.of(a, 0, a.length));
        assertNotEquals(FpSet.of(new byte[7], 0, 7), FpSet.of(new byte[8], 0, 8));
    }

    @Test
    void collisionEstimateIsTlcs() {
        assertEquals(0.0, FpSet.collisionProbability(10, 10));
        assertEquals(1e6 * 1e6 / Math.pow(2, 64), FpSet.collisionProbability(1_000_000, 2_000_000), 1e-20);
    }

    @Test
    void sameResultWhateverTheWorkerCount() {
        Scenario sc = scenario("ukl-paper", "tlb-shootdown", "TIMER:1", 2_000_000);
        Result one = Explorer.fingerprint(sc, 1).run(), three = Explorer.fingerprint(sc, 3).run();
        assertEquals(one.stats().states(), three.stats().states());
        assertEquals(one.stats().transitions(), three.stats().transitions());
        assertEquals(one.verdict(), three.verdict());
        for (Property p : Property.values()) assertEquals(one.properties().get(p), three.properties().get(p), p.name());
    }

    @Test
    void aStateBoundIsIncompleteAndCutsWhereTheExactOneDoes() {
        Scenario sc = scenario("linux", "tlb-shootdown", "TIMER:1,NMI:1", 5_000);
        Result exact = Explorer.exact(sc).run(), fp = Explorer.fingerprint(sc, 2).run();
        assertNotEquals("ok", fp.verdict(), "a run that hits a bound is never ok");
        assertNotNull(fp.incompleteReason());
        assertEquals(exact.stats().states(), fp.stats().states());
        assertEquals(exact.stats().transitions(), fp.stats().transitions());
        for (Property p : Property.values()) assertEquals(exact.properties().get(p).status(), fp.properties().get(p).status(), p.name());
    }

    /** The trace log and the queue on disk (budgets of one log chunk and no queue memory) change nothing. */
    @Test
    void spillingToDiskChangesNothing() {
        Scenario sc = scenario("ukl-paper", "tlb-shootdown", "TIMER:1,NMI:1", 2_000_000);
        Result mem = Explorer.fingerprint(sc, 2).run();
        Result disk = new FpSearch(sc, Machine.Perturbation.NONE, 2).budgets(0, 0).run();
        assertTrue(disk.stats().diskBytes() > 0, "it spilled");
        assertEquals(0, mem.stats().diskBytes());
        assertEquals(mem.stats().states(), disk.stats().states());
        assertEquals(mem.stats().transitions(), disk.stats().transitions());
        for (Property p : Property.values()) assertEquals(mem.properties().get(p), disk.properties().get(p), p.name());
        // and a violating one, whose trace is rebuilt from the log on disk
        Scenario v = scenario("ukl-paper", "stack-grow", "TIMER:1,NMI:1", 2_000_000);
        Result a = Explorer.exact(v).run(), b = new FpSearch(v, Machine.Perturbation.NONE, 1).budgets(0, 0).run();
        assertEquals("violation", a.verdict());
        assertTrue(b.stats().diskBytes() > 0, "its trace log is mostly on disk");
        for (Property p : Property.values()) assertEquals(a.properties().get(p), b.properties().get(p), p.name());
    }

    /**
     * A fixed table far smaller than the state space moves its fingerprints to disk each time it
     * fills (FpSet's DiskFPSet tier) and the run completes with the counts and verdicts of the
     * exact explorer; the same for a violating scenario, on one worker and on two.
     */
    @Test
    void aFixedTableThatFillsSpillsToDiskAndFindsTheSameStates() {
        for (String[] c : new String[][]{{"linux", "tlb-shootdown", "TIMER:1,NMI:1"}, {"ukl-paper", "stack-grow", "TIMER:1,NMI:1"}, {"ukl-5.14", "exec", null}}) {
            Scenario exact = scenario(c[0], c[1], c[2], 2_000_000);
            Result a = Explorer.exact(exact).run();
            Scenario.Builder bld = Scenario.builder().preset(c[0]).workload(c[1]);
            if (c[2] != null) bld.eventsSpec(c[2]);
            bld.fpMemoryBytes = 8 * 4096;   // 4,096 slots: moved to disk at 95 %
            for (int workers : new int[]{1, 2}) {
                FpSearch f = new FpSearch(bld.build(), Machine.Perturbation.NONE, workers);
                Result r = f.run();
                assertEquals(a.verdict(), r.verdict(), c[1] + ": " + r.incompleteReason());
                assertEquals(a.stats().states(), r.stats().states(), c[1]);
                assertEquals(a.stats().transitions(), r.stats().transitions(), c[1]);
                for (Property p : Property.values()) assertEquals(a.properties().get(p), r.properties().get(p), c[1] + " " + p);
                if (a.stats().states() > 8192) assertTrue(r.stats().diskBytes() > 0, c[1] + ": nothing went to disk");
            }
        }
    }

    /** The disk tier on its own: fingerprints added across several moves to disk are all found again, and no new one is. */
    @Test
    void theDiskTierFindsEveryFingerprintItHolds() {
        FpSet s = new FpSet(1024, true, true, 0);
        for (long i = 1; i <= 50_000; i++) assertTrue(s.add(FpSet.of(longBytes(i), 0, 8)), "new " + i);
        assertTrue(s.flushes() >= 40, "flushes " + s.flushes());
        assertEquals(50_000, s.size());
        for (long i = 1; i <= 50_000; i++) assertFalse(s.add(FpSet.of(longBytes(i), 0, 8)), "seen " + i);
        for (long i = 50_001; i <= 51_000; i++) assertTrue(s.add(FpSet.of(longBytes(i), 0, 8)), "new " + i);
        assertTrue(s.diskBytes() >= 8L * 49_000);
        s.close();
    }

    @Test
    void theDefaultEngineIsFingerprintsAndExactIsAsked() {
        Scenario.Builder b = Scenario.builder().preset("linux").workload("getppid");
        assertFalse(new Explorer(b.build()).isExact());
        b.exact = true;
        assertTrue(new Explorer(b.build()).isExact());
        Explorer fp = Explorer.fingerprint(scenario("linux", "getppid", null, 2_000_000), 1);
        fp.run();
        assertThrows(IllegalStateException.class, fp::states);
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }
}
