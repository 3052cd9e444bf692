package ukl.report;

import ukl.model.Explorer;
import ukl.model.Machine;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.State;
import ukl.model.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A counterexample with the whole machine state at every step, for stories, exports and the
 * HTML timeline. {@code before.get(i)} is the state step i starts from, {@code after.get(i)} the
 * one it leads to (for the violating step of a safety property, there is none: the step itself
 * breaks the property, so {@code after} repeats {@code before}).
 */
public record TraceView(String scenario, Property property, String why, Trace trace, List<Map<String, String>> before,
                        List<Map<String, String>> after, int cpus, List<String> threads, List<State> states, Machine machine) {

    /** The view of p's shortest counterexample in an explorer that has run; null if p is not violated. */
    public static TraceView of(Explorer ex, Result r, Property p) {
        Result.PropertyResult pr = r.properties().get(p);
        if (pr == null || pr.status() != Result.Status.VIOLATED || pr.trace() == null) return null;
        Machine m = ex.machine();
        List<State> states = ex.traceStates(p);
        List<Map<String, String>> before = new ArrayList<>(), after = new ArrayList<>();
        int n = pr.trace().steps().size();
        for (int i = 0; i < n; i++) {
            State b = states.get(Math.min(i, states.size() - 1));
            State a = i + 1 < states.size() ? states.get(i + 1) : b;
            before.add(b.describe(m));
            after.add(a.describe(m));
        }
        List<String> threads = new ArrayList<>();
        for (int t = 0; t < m.nThr(); t++) threads.add(m.threadName(t));
        return new TraceView(r.scenario().name, p, pr.trace().why(), pr.trace(), before, after, m.nCpu(), threads, states, m);
    }

    /** The machine state as a map, at the start of the trace (the initial state when there are no steps). */
    public Map<String, String> initial() {
        if (!before.isEmpty()) return before.get(0);
        return states.isEmpty() ? new LinkedHashMap<>() : states.get(0).describe(machine);
    }

    /** The state the property broke in: after the last step (or before a violating step). */
    public Map<String, String> last() {
        if (after.isEmpty()) return initial();
        int i = after.size() - 1;
        return trace.steps().get(i).violating() ? before.get(i) : after.get(i);
    }
}
