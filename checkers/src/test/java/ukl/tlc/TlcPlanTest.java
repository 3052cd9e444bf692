package ukl.tlc;

import org.junit.jupiter.api.Test;
import ukl.model.Explorer;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 16: the tuned TLC runs, distributed TLC, and how far a cut-short run got. */
class TlcPlanTest {
    private static Scenario sc(String preset, String workload, String events) {
        Scenario.Builder b = Scenario.builder().preset(preset).workload(workload);
        if (events != null) b.eventsSpec(events);
        return b.build();
    }

    private static Map<Property, Result.Status> statuses(Result r) {
        Map<Property, Result.Status> m = new java.util.EnumMap<>(Property.class);
        r.properties().forEach((p, pr) -> m.put(p, pr.status()));
        return m;
    }

    private static Result tlc(Scenario s, int workers, TlcEngine.Plan plan) {
        Path w = TlcEngine.tempWork();
        try {
            return new TlcEngine(s, w, workers, 300).plan(plan).check();
        } finally {
            TlcEngine.deleteTree(w);
        }
    }

    @Test
    void continueOutputGivesEachViolationItsOwnTrace() {
        String st = "/\\ budget = <<1>>\n/\\ err = \"%s\"\n";
        String out = "Error: Invariant StackClobberInv is violated.\nError: The behavior up to this point is:\n"
                + "State 1: <Initial predicate>\n" + st.formatted("none") + "\nState 2: <Nmi line 5, col 1 to line 5, col 9 of module Kernel>\n" + st.formatted("STACK_CLOBBER") + "\n"
                + "Progress(3) at 2026-12-03 16:41:48: 9 states generated (9 s/min), 8 distinct states found (8 ds/min), 2 states left on queue.\n"
                + "Error: Invariant DeadlockInv is violated.\nError: The behavior up to this point is:\n"
                + "State 1: <Initial predicate>\n" + st.formatted("none") + "\nState 2: <Step line 5, col 1 to line 5, col 9 of module Kernel>\n" + st.formatted("none")
                + "\nState 3: <Step line 5, col 1 to line 5, col 9 of module Kernel>\n" + st.formatted("none") + "\n"
                + "Model checking completed. No error has been found.\n12 states generated, 10 distinct states found, 0 states left on queue.\n";
        // -continue: exit 0 and "No error has been found", yet two counterexamples.
        TlcRunner.Run r = TlcRunner.parse(0, out, 1, null);
        assertEquals(2, r.violations().size());
        assertEquals("StackClobberInv", r.violations().get(0).invariant());
        assertEquals(2, r.violations().get(0).trace().size());
        assertEquals("STACK_CLOBBER", r.violations().get(0).lastErr());
        assertEquals("DeadlockInv", r.violations().get(1).invariant());
        assertEquals(3, r.violations().get(1).trace().size());
        assertEquals("none", r.violations().get(1).lastErr());
        assertTrue(r.complete());
        assertEquals(10, r.distinct());
        TlcRunner.Reached reached = TlcRunner.reachedOf(out, 1);
        assertEquals(List.of("StackClobberInv", "DeadlockInv"), reached.violations());
    }

    @Test
    void distributedOutputIsReadFromTheLastStatesErr() {
        String out = "TLC2 TLC Server Version 2.18 of 20 March 2023\nError: The behavior up to this point is:\n"
                + "State 1: <Initial predicate>\n/\\ err = \"none\"\n\nState 2: <Nmi line 571, col 11 to line 571, col 89 of module Kernel>\n/\\ err = \"STACK_CLOBBER\"\n\n"
                + "1252 states generated, 644 distinct states found, 91 states left on queue.\nFinished in 06s at (2026-12-03 16:50:57)\nvm, work completed. Thank you!\n";
        TlcRunner.Run r = TlcRunner.parse(0, out, 1, null);
        assertEquals(1, r.violations().size());
        assertNull(r.violations().get(0).invariant());
        assertEquals("STACK_CLOBBER", r.violations().get(0).lastErr());
        // The same text from the ordinary TLC (no server banner) is no finished check.
        assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.parse(0, out.replace("TLC2 TLC Server Version", "TLC2 Version"), 1, null));
    }

    /** Both layouts, one and two workers, give the Java explorer's states and verdicts (safety and liveness violated). */
    @Test
    void tunedAndPerPropertyRunsAgreeWithTheExplorer() {
        Scenario rtc = Scenario.builder().preset("ukl-paper").workload("compute").optionSpec("RUN_TO_COMPLETION").threads(2).cpus(1).eventsSpec("TIMER:*").build();
        for (Scenario s : List.of(sc("ukl-paper", "stack-grow", null), rtc)) {
            Result java = Explorer.check(s);
            for (TlcEngine.Plan plan : TlcEngine.Plan.values())
                for (int w : new int[]{1, 2}) {
                    Result t = tlc(s, w, plan);
                    assertNull(t.incompleteReason(), plan + " " + w);
                    assertEquals(statuses(java), statuses(t), s.name + " " + plan + " " + w + " workers");
                    assertEquals(java.stats().states(), t.stats().states(), s.name + " " + plan + " " + w);
                    for (Result.PropertyResult pr : t.properties().values())
                        if (pr.trace() != null && pr.property().kind == Property.Kind.SAFETY)
                            assertEquals(java.properties().get(pr.property()).trace().steps().size(), pr.trace().steps().size(),
                                    pr.property() + ": TLC's trace is a shortest one (" + plan + ", " + w + " workers)");
                }
        }
    }

    @Test
    void distributedTlcFindsWhatOneTlcFinds() {
        Scenario s = sc("ukl-paper", "stack-grow", null);
        Result single = tlc(s, 1, TlcEngine.Plan.TUNED);
        Path w = TlcEngine.tempWork();
        try {
            TlcEngine e = new TlcEngine(s, w, 1, 300).distributed(new TlcEngine.Distributed(2, List.of(), "127.0.0.1", 0));
            Result d = e.check();
            assertNull(d.incompleteReason());
            assertEquals(statuses(single), statuses(d));
            assertEquals(single.stats().states(), d.stats().states());
        } finally {
            TlcEngine.deleteTree(w);
        }
    }

    /** A worker killed mid-run: TLC re-queues its states (the run then agrees and says so) or the run is incomplete; never a different verdict. */
    @Test
    void aKilledDistributedWorkerIsReportedAndNeverReadAsADifferentResult() {
        Scenario s = sc("ukl-paper", "compute", "NMI:2,MC:1,TIMER:1");
        Result java = Explorer.check(s);
        Path w = TlcEngine.tempWork();
        AtomicReference<Process> first = new AtomicReference<>();
        TlcRunner.localWorkerStarted = p -> {
            if (first.compareAndSet(null, p)) {
                Thread k = new Thread(() -> {
                    try { Thread.sleep(6000); } catch (InterruptedException ignored) { return; }
                    p.destroyForcibly();
                });
                k.setDaemon(true);
                k.start();
            }
        };
        try {
            TlcEngine e = new TlcEngine(s, w, 1, 300).distributed(new TlcEngine.Distributed(2, List.of(), "127.0.0.1", 0));
            Result d = e.check();
            if (d.incompleteReason() == null) {
                Map<Property, Result.Status> js = statuses(java);
                assertEquals(js, statuses(d));
                assertEquals(java.stats().states(), d.stats().states());
            }
            assertFalse(first.get().isAlive());
            assertTrue(d.incompleteReason() != null || e.notes().stream().anyMatch(n -> n.contains("re-queued") || n.contains("was lost")) || first.get().exitValue() == 0,
                    "a lost worker is reported: " + e.notes());
        } finally {
            TlcRunner.localWorkerStarted = p -> {};
            TlcEngine.deleteTree(w);
        }
    }

    /** A run stopped by its time limit says how far TLC got (its live counters), not "states 0". */
    @Test
    void aRunStoppedByItsTimeLimitSaysHowFarItGot() {
        Scenario s = sc("linux", "tlb-shootdown", "TIMER:1,NMI:1");
        Path w = TlcEngine.tempWork();
        List<TlcRunner.Reached> seen = new ArrayList<>();
        TlcRunner.listener(new TlcRunner.Listener() {
            public void started(String job, String what) {}
            public synchronized void progress(String job, TlcRunner.Reached r) { seen.add(r); }
            public void finished(String job, String outcome, double seconds) {}
        });
        try {
            Result r = new TlcEngine(s, w, 1, 12).check();
            assertEquals("incomplete", r.verdict());
            assertTrue(r.stats().states() > 0, r.incompleteReason());
            assertTrue(r.incompleteReason().contains("distinct states"), r.incompleteReason());
            assertFalse(seen.isEmpty(), "the listener heard TLC's progress while it ran");
        } finally {
            TlcRunner.listener(null);
            TlcEngine.deleteTree(w);
        }
    }
}
