package ukl.props;

import ukl.model.Machine;
import ukl.model.Replay;
import ukl.model.Scenario;
import ukl.model.State;
import ukl.model.Trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Helpers shared by the suites: a machine run as a value, its transitions described like trace lines. */
final class Runs {
    private Runs() {}

    /** One point of a run: the machine and its current state. */
    record Run(Machine m, State s, int steps) {
        Run next(State n) { return new Run(m, n, steps + 1); }
        @Override public String toString() { return m.scenario.name + " after " + steps + " steps"; }
    }

    /** A successor the machine allows, or a violation, with the trace-line description of the step. */
    record Move(String description, State next, String violation) {}

    static String line(Trace.Step st) {
        if (st == null) return "?";
        String where = st.path() == null ? "" : " " + st.path() + (st.line() > 0 ? ":" + st.line() : "");
        return "cpu" + st.cpu() + " " + st.thread() + " " + st.kind() + " " + st.action() + where;
    }

    /** Every transition out of s (bound-hits left out: they are not behaviors). */
    static List<Move> moves(Machine m, State s) {
        List<Machine.Transition> ts = new ArrayList<>();
        m.successors(s, ts::add);
        List<Move> out = new ArrayList<>();
        for (Machine.Transition t : ts) {
            if (t.bound() != null) continue;
            if (t.violated() != null) {
                out.add(new Move(line(Replay.violation(m, s, t.violated(), 0)), null, t.violated() + ": " + t.why()));
            } else {
                out.add(new Move(line(Replay.step(m, s, t.next(), 0)), t.next(), null));
            }
        }
        return out;
    }

    /** A uniformly random walk; returns the visited states and the violations met on the way. */
    record Walk(List<State> states, List<String> violations) {}

    static Walk walk(Machine m, long seed, int steps) {
        Random rnd = new Random(seed);
        State s = m.initial();
        List<State> seen = new ArrayList<>(List.of(s));
        List<String> viol = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            List<Machine.Transition> ts = new ArrayList<>();
            m.successors(s, ts::add);
            ts.removeIf(t -> t.bound() != null);
            if (ts.isEmpty()) break;
            Machine.Transition t = ts.get(rnd.nextInt(ts.size()));
            if (t.violated() != null) { viol.add(t.violated().name()); break; }
            s = t.next();
            seen.add(s);
        }
        return new Walk(seen, viol);
    }

    static Scenario.Builder scenario(String preset, String workload, String events, int threads, int cpus) {
        Scenario.Builder b = Scenario.builder().preset(preset).workload(workload).threads(threads).cpus(cpus);
        b.eventsSpec(events);
        return b;
    }
}
