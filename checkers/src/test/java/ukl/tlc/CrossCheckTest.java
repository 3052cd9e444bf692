package ukl.tlc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ukl.model.InputError;
import ukl.model.Machine;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.model.TlaValue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The two engines agree; a deliberately broken Java engine is caught. Runs TLC as a subprocess. */
class CrossCheckTest {
    static Scenario scenario(String name) {
        Path f = Path.of(System.getProperty("ukl.specs.dir"), "scenarios", name + ".scenario");
        return ukl.cli.ScenarioFiles.build(f.toString());
    }

    /** Small scenarios covering each kind of verdict: a violation with its trace, a deadlock, a liveness violation, a pass. */
    @ParameterizedTest
    @ValueSource(strings = {"paper-stackgrow-nofix", "paper-nss-mmap-pfdf", "rtc-compute-2threads", "syscall-no-exit-work",
            "ret-early-sti", "paper-shortcut-bare", "byp-always", "compute-2threads", "linux-ud-ist-nmi", "k514-fork-no-fix", "k514-exec-no-fix",
            "sym-paper-stackgrow-2cpu"})
    void enginesAgree(String name, @TempDir Path work) {
        CrossCheck.Outcome o = CrossCheck.run(scenario(name), work, 1, 300);
        assertTrue(o.agree(), String.join("\n", o.differences()));
        assertEquals(o.javaStates(), o.tlcStates());
        assertEquals(o.java().verdict(), o.tlc().verdict());
        for (Property p : Property.values())
            if (o.tlc().properties().get(p).status() == Result.Status.VIOLATED)
                assertFalse(o.tlc().properties().get(p).trace().steps().isEmpty(), p + ": TLC's trace maps back to ops");
    }

    @Test
    void aPerturbedJavaEngineIsCaughtWithAPreciseDiff(@TempDir Path work) {
        // popf that does not restore IF: the RET return path then leaves interrupts off in app code.
        CrossCheck.Outcome o = CrossCheck.run(scenario("paper-ret"), work, 1, 300, Machine.Perturbation.POPF_KEEPS_IF);
        assertFalse(o.agree());
        assertFalse(o.statesAgree());
        String diff = String.join("\n", o.differences());
        assertTrue(diff.contains("distinct states: java"), diff);
        assertTrue(diff.contains("first state the Java explorer reaches and TLC does not") || diff.contains("first state TLC reaches"), diff);
        assertTrue(diff.contains("cpu0.if"), "the diff shows the state fields: " + diff);
    }

    @Test
    void underSymmetryTheReducedSetIsTlcsOrbitsAndAFaultIsStillCaught(@TempDir Path work) {
        // --symmetry: the Java explorer keeps one state per orbit; TLC explores in full and its
        // states are mapped to orbits. The sets agree, the reduction is real, and a perturbed
        // Java machine still disagrees.
        CrossCheck.Outcome o = CrossCheck.run(scenario("sym-k514-signal-2cpu"), work.resolve("ok"), 1, 300);
        assertTrue(o.agree(), String.join("\n", o.differences()));
        assertEquals(o.javaStates(), o.tlcStates());
        assertTrue(o.tlc().stats().states() > o.javaStates() * 3 / 2, "TLC's " + o.tlc().stats().states() + " states fall into " + o.javaStates() + " orbits");
        CrossCheck.Outcome bad = CrossCheck.run(scenario("sym-k514-signal-2cpu"), work.resolve("bad"), 1, 300, Machine.Perturbation.SET_MODE_NOOP);
        assertFalse(bad.agree(), "a perturbed machine under symmetry");
    }

    @Test
    void tlcOutputParsing() {
        String out = """
                Model checking completed. No error has been found.
                23 states generated, 22 distinct states found, 0 states left on queue.
                The depth of the complete state graph search is 22.
                """;
        TlcRunner.Run r = TlcRunner.parse(0, out, 1.0, null);
        assertEquals(22, r.distinct());
        assertEquals(23, r.generated());
        assertTrue(r.complete());
        assertNull(r.violatedInvariant());

        String viol = """
                Error: Invariant DoubleFaultPanicInv is violated.
                Error: The behavior up to this point is:
                State 1: <Initial predicate>
                /\\ x = 0
                /\\ s = <<[k |-> 1, b |-> TRUE]>>

                State 2: <Next line 6, col 9 to line 6, col 68 of module T>
                /\\ x = 1
                /\\ s = <<>>

                26 states generated, 25 distinct states found, 8 states left on queue.
                """;
        TlcRunner.Run v = TlcRunner.parse(12, viol, 1.0, null);
        assertEquals("DoubleFaultPanicInv", v.violatedInvariant());
        assertEquals(2, v.trace().size());
        assertEquals(1L, v.trace().get(1).get("x"));

        assertThrows(InputError.class, () -> TlcRunner.parse(255, "***Parse Error***\nEncountered \"foo\"", 0.1, null));
        assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.parse(255, "Error: TLC threw an unexpected exception.\nThe exception was a java.lang.RuntimeException", 0.1, null));
        assertThrows(InputError.class, () -> TlcRunner.parse(1, "Error: Could not find or load main class tlc2.TLC", 0.1, null));
    }

    @Test
    void tlaValues() {
        assertEquals(List.of(1L, -2L, true, "x"), TlaValue.parse("<<1, -2, TRUE, \"x\">>"));
        Object rec = TlaValue.parse("[a |-> <<>>, b |-> [c |-> FALSE]]");
        assertEquals(Map.of("a", List.of(), "b", Map.of("c", false)), rec);
        assertEquals(List.of("p", "q"), TlaValue.parse("(0 :> \"p\" @@ 1 :> \"q\")"));
        assertThrows(IllegalArgumentException.class, () -> TlaValue.parse("<<1, >>"));
    }
}
