package ukl.model;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 16: the Java engine's random simulation ('ukl check --simulate'). */
class SimulatorTest {
    private static Scenario sc(String preset, String workload, String events) {
        Scenario.Builder b = Scenario.builder().preset(preset).workload(workload);
        if (events != null) b.eventsSpec(events);
        return b.build();
    }

    @Test
    void findsAViolationTheExplorerFindsAndItsTraceReplays() {
        Scenario s = sc("ukl-paper", "compute", "NMI:2,MC:1,TIMER:1");
        Result r = new Simulator(s).run(100, 1, 1000);
        assertEquals("violation", r.verdict());
        Result.PropertyResult pr = r.properties().get(Property.STACK_CLOBBER);
        assertEquals(Result.Status.VIOLATED, pr.status());
        assertFalse(pr.trace().shortest(), "a random walk's trace is never claimed shortest");
        assertTrue(pr.trace().steps().size() >= Explorer.check(s).properties().get(Property.STACK_CLOBBER).trace().steps().size());
        assertTrue(pr.trace().steps().get(pr.trace().steps().size() - 1).violating());
        // Properties it did not see violated are unknown, never "holds"; liveness is not judged.
        for (Result.PropertyResult p : r.properties().values())
            assertNotEquals(Result.Status.HOLDS, p.status(), p.property().name());
    }

    @Test
    void aScenarioThatHoldsGivesIncompleteNeverOk() {
        Scenario s = sc("linux", "getppid", null);
        Simulator sim = new Simulator(s);
        Result r = sim.run(100, 7, 300);
        assertEquals("incomplete", r.verdict());
        assertEquals(3, r.exitCode());
        assertTrue(r.incompleteReason().contains("prove nothing"));
        assertEquals(300, sim.stats().behaviors());
        // Every state a walk visits is a state the explorer reaches.
        Explorer ex = Explorer.exact(s);
        ex.run();
        Set<String> all = new HashSet<>();
        for (byte[] b : ex.states()) all.add(java.util.Arrays.toString(b));
        assertTrue(sim.stats().distinct() <= all.size());
        assertTrue(sim.stats().distinct() > 1);
    }

    @Test
    void theSameSeedGivesTheSameWalks() {
        Scenario s = sc("ukl-paper", "compute", "NMI:2,MC:1,TIMER:1");
        Simulator a = new Simulator(s), b = new Simulator(s), c = new Simulator(s);
        Result ra = a.run(60, 42, 200), rb = b.run(60, 42, 200);
        c.run(60, 43, 200);
        assertEquals(a.stats(), b.stats());
        assertEquals(ra.properties().get(Property.STACK_CLOBBER).trace(), rb.properties().get(Property.STACK_CLOBBER).trace());
        assertNotEquals(a.stats(), c.stats(), "another seed, other walks");
    }
}
