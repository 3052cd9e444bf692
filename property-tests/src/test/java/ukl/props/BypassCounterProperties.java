package ukl.props;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import ukl.model.Event;
import ukl.model.Machine;
import ukl.model.Option;
import ukl.model.Scenario;
import ukl.model.State;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Suite 5: the bypass counter, the code's rule (UKL-CODE-NOTES "Bypass"), over any sequence of
 * syscalls and signals: at most limit-1 consecutive syscalls bypass; limit 1 never bypasses; a
 * pending signal always takes the full path; every limit-th counted syscall takes the full path.
 * The machine (ukl-5.14 + BYP) is driven one syscall or signal at a time and its decisions are
 * checked against those statements, not against a copy of its own code.
 */
class BypassCounterProperties {
    enum Cmd { SYSCALL, SIGNAL }

    @Provide
    Arbitrary<List<Cmd>> commands() {
        return Arbitraries.of(Cmd.class).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 200, seed = "20261122")
    void theCodesRuleHolds(@ForAll("commands") List<Cmd> cmds, @ForAll @IntRange(min = 1, max = 6) int limit) {
        String bad = check(Machine.Perturbation.NONE, cmds, limit);
        assertNull(bad, bad);
    }

    /** The suite can fail: a counter that never resets lets more than limit-1 syscalls in a row bypass. */
    @Test
    void aBrokenCounterIsReported() {
        List<Cmd> cmds = new ArrayList<>();
        for (int i = 0; i < 10; i++) cmds.add(Cmd.SYSCALL);
        String bad = check(Machine.Perturbation.BYPASS_COUNTER_NEVER_RESETS, cmds, 3);
        assertNotNull(bad, "the broken counter went unnoticed");
        assertTrue(bad.contains("in a row"), bad);   // the suite's own check or the machine's BYPASS_BOUND
    }

    /** Null when every decision follows the rule; otherwise the first statement broken. */
    static String check(Machine.Perturbation p, List<Cmd> cmds, int limit) {
        Scenario.Builder b = Runs.scenario("ukl-5.14", "getppid", "SIGNAL:*", 1, 1).option(Option.BYP).bypassLimit(limit);
        b.maxStates = 1000;
        Machine m = new Machine(b.build(), p);
        State s = m.initial();
        int inARow = 0, counted = 0;
        for (Cmd c : cmds) {
            if (c == Cmd.SIGNAL) {
                State n = signal(m, s);
                if (n != null) s = n;
                continue;
            }
            boolean pending = "1".equals(s.describe(m).get("t0.sigPending"));
            Decision d = syscall(m, s);
            if (d == null) return "the syscall did not complete";
            if (d.violation() != null) return "the machine reports " + d.violation();
            s = d.after();
            if (d.bypassed()) inARow++; else inARow = 0;
            if (!pending) counted++;
            if (inARow > limit - 1) return inARow + " syscalls in a row bypassed with limit " + limit;
            if (limit == 1 && d.bypassed()) return "limit 1 bypassed a syscall";
            if (pending && d.bypassed()) return "a syscall with a signal pending bypassed";
            if (!pending && counted % limit == 0 && d.bypassed()) return "the limit-th counted syscall (" + counted + ") bypassed";
        }
        return null;
    }

    /** A syscall's outcome: whether it bypassed, the state after it, or the violation that stopped it. */
    record Decision(boolean bypassed, State after, String violation) {
        Decision(boolean bypassed, State after) { this(bypassed, after, null); }
    }

    private static State signal(Machine m, State s) {
        List<Machine.Transition> ts = new ArrayList<>();
        m.successors(s, ts::add);
        for (Machine.Transition t : ts) if (t.label().event() == Event.SIGNAL && t.next() != null) return t.next();
        return null;   // already pending
    }

    /** Steps CPU 0 through one whole syscall; reports whether bypass_check chose the bypass. */
    private static Decision syscall(Machine m, State s) {
        Boolean bypassed = null;
        for (int i = 0; i < 200; i++) {
            List<Machine.Transition> ts = new ArrayList<>();
            m.successors(s, ts::add);
            Machine.Transition step = null;
            for (Machine.Transition t : ts) if (t.label().type() != Machine.Label.Type.EVENT) { step = t; break; }
            if (step == null) return null;
            if (step.next() == null)
                return step.violated() == null ? null : new Decision(true, s, step.violated() + ": " + step.why());
            // The syscall is over when, after its decision, the thread's next app op starts
            // (a finished stub is popped at the next fetch, atomically with that op).
            if (bypassed != null && step.label().type() == Machine.Label.Type.APP_OP) return new Decision(bypassed, s);
            boolean check = step.label().type() == Machine.Label.Type.OP && m.instr(step.label().code(), step.label().pc()) != null
                    && m.instr(step.label().code(), step.label().pc()).op() == ukl.model.lang.Op.BYPASS_CHECK;
            s = step.next();
            Map<String, String> d = s.describe(m);
            if (check) bypassed = "1".equals(d.get("t0.bypass"));
        }
        return null;
    }
}
