package ukl.model;

import java.util.Arrays;

/**
 * Replays another engine's trace on the Java machine, one step at a time: a step replays when
 * the machine has a transition between the two states (compared by canonical encoding), or, for
 * the last step of a safety counterexample, a transition that violates the same property.
 */
public final class Replay {
    private Replay() {}

    /** The Java transition from {@code from} to {@code to} as a trace step, or null if there is none. */
    public static Trace.Step step(Machine m, State from, State to, int index) { return step(m, from, to.encode(), index); }

    /** The same, for a target given by its canonical encoding. */
    static Trace.Step step(Machine m, State from, byte[] want, int index) {
        Machine.Transition[] found = new Machine.Transition[1];
        m.successors(from, tr -> {
            if (found[0] == null && tr.next() != null && Arrays.equals(tr.next().encode(), want)) found[0] = tr;
        });
        return found[0] == null ? null : TraceText.step(m, found[0].label(), from, found[0].next(), index, false);
    }

    /** A Java transition from {@code from} that violates {@code p}, as a trace step, or null. */
    public static Trace.Step violation(Machine m, State from, Property p, int index) {
        Machine.Transition[] found = new Machine.Transition[1];
        m.successors(from, tr -> { if (found[0] == null && tr.violated() == p) found[0] = tr; });
        if (found[0] == null) return null;
        return TraceText.step(m, found[0].label(), from, null, index, true);
    }

    /** Why the Java machine says {@code from} violates {@code p} in one step (its message), or null. */
    public static String why(Machine m, State from, Property p) {
        String[] w = new String[1];
        if (p == Property.DEADLOCK) return m.stuck(from);
        m.successors(from, tr -> { if (w[0] == null && tr.violated() == p) w[0] = tr.why(); });
        return w[0];
    }

    /** Whether {@code s} is an initial state of the machine. */
    public static boolean initial(Machine m, State s) { return Arrays.equals(m.initial().encode(), s.encode()); }

    /** A step that could not be replayed: the trace shows where the engines part. */
    public static Trace.Step unreplayed(int index, String what) {
        return new Trace.Step(index, "unreplayed", -1, "-", what, null, 0, null, java.util.Map.of(), false);
    }
}
