package ukl.tlc;

import ukl.model.Explorer;
import ukl.model.Machine;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.model.State;
import ukl.model.TlaState;
import ukl.model.Trace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the Java explorer and TLC on one scenario and compares (1) the state sets through the
 * canonical encoding, (2) every property's status, and (3) each engine's counterexamples replayed
 * on the other: TLC's traces on the Java machine, the Java traces in TLC through a
 * trace-constrained spec (as tlaplus/Examples' EWD998ChanTrace and CCF's Traceccfraft do).
 */
public final class CrossCheck {
    public record Outcome(Scenario scenario, Result java, Result tlc, long javaStates, long tlcStates,
                          boolean statesAgree, boolean verdictsAgree, boolean tracesReplay,
                          List<String> differences, double javaSeconds, double tlcSeconds, double tlcStatesRunSeconds,
                          String incomplete) {
        public boolean agree() { return incomplete == null && statesAgree && verdictsAgree && tracesReplay; }
    }

    public static Outcome run(Scenario sc, Path work, int workers, long timeoutSeconds) {
        return run(sc, work, workers, timeoutSeconds, ukl.model.Machine.Perturbation.NONE);
    }

    /** With a perturbed Java machine: the cross-check must then report a disagreement. */
    public static Outcome run(Scenario sc, Path work, int workers, long timeoutSeconds, ukl.model.Machine.Perturbation javaFault) {
        return run(sc, work, workers, timeoutSeconds, javaFault, TlcEngine.Plan.TUNED);
    }

    public static Outcome run(Scenario sc, Path work, int workers, long timeoutSeconds, ukl.model.Machine.Perturbation javaFault, TlcEngine.Plan plan) {
        Explorer ex = new Explorer(sc, javaFault);
        Result jr = ex.run();
        TlcEngine tlc = new TlcEngine(sc, work, workers, timeoutSeconds).keepStates(true).typeOk(true).plan(plan);
        Result tr = tlc.check();
        Machine m = ex.machine();
        List<String> diffs = new ArrayList<>();
        // Two runs are comparable only when both finished under the same bounds: a run cut short by
        // --max-states, a time limit, a killed TLC or Ctrl-C agrees or disagrees with nothing.
        String incomplete = jr.incompleteReason() != null ? "java: " + jr.incompleteReason()
                : tr.incompleteReason() != null ? "tlc: " + tr.incompleteReason() : null;
        if (incomplete != null) {
            diffs.add("not compared: " + incomplete);
            return new Outcome(sc, jr, tr, jr.stats().states(), tr.stats().states(), false, false, false, diffs,
                    jr.stats().seconds(), tr.stats().seconds(), tlc.statesRunSeconds(), incomplete);
        }

        // 1. the state sets. Under --symmetry the Java explorer keeps one canonical state per orbit
        // and TLC explores Kernel.tla in full (its threads are integers, so TLC's SYMMETRY, which
        // permutes model values, cannot apply): TLC's states are mapped to their orbits' canonical
        // forms, so the sets agree exactly when the reduced search reached every orbit TLC did, and no other.
        ukl.model.Symmetry sym = ex.symmetry();
        Set<Key> js = new HashSet<>(), ts = new HashSet<>();
        for (byte[] b : ex.states()) js.add(new Key(b));
        for (byte[] b : tlc.states()) ts.add(new Key(sym == null ? b : sym.canonical(State.decode(b, m.nCpu(), m.nThr(), m.nMm()))));
        boolean statesAgree = js.equals(ts);
        if (!statesAgree) {
            diffs.add("distinct states: java " + js.size() + ", tlc " + ts.size() + (sym == null ? "" : " (orbits of TLC's " + tlc.states().size() + " states)"));
            for (Key k : js) if (!ts.contains(k)) { diffs.add("first state the Java explorer reaches and TLC does not:\n" + show(k, m)); break; }
            for (Key k : ts) if (!js.contains(k)) { diffs.add("first state TLC reaches and the Java explorer does not:\n" + show(k, m)); break; }
        }

        // 2. the verdicts
        boolean verdictsAgree = true;
        for (Property p : Property.values()) {
            Result.Status a = jr.properties().get(p).status(), b = tr.properties().get(p).status();
            if (a != b) { verdictsAgree = false; diffs.add(p + ": java " + a.word + ", tlc " + b.word); }
        }

        // 3. the traces, both ways
        boolean replay = true;
        for (Map.Entry<Property, Boolean> e : tlc.traceReplayed().entrySet())
            if (!e.getValue()) { replay = false; diffs.add(e.getKey() + ": TLC's counterexample does not replay on the Java machine:\n" + steps(tr.properties().get(e.getKey()).trace())); }
        for (Result.PropertyResult pr : jr.properties().values()) {
            if (pr.trace() == null) continue;
            String bad = TraceCheck.check(ex, pr, work.resolve("trace-" + pr.property().name()), workers, timeoutSeconds);
            if (bad != null) { replay = false; diffs.add(pr.property() + ": the Java counterexample is not a behavior of Kernel.tla: " + bad); }
        }
        return new Outcome(sc, jr, tr, js.size(), ts.size(), statesAgree, verdictsAgree, replay, diffs,
                jr.stats().seconds(), tr.stats().seconds(), tlc.statesRunSeconds(), null);
    }

    private static String show(Key k, Machine m) {
        State s = State.decode(k.b, m.nCpu(), m.nThr(), m.nMm());
        StringBuilder sb = new StringBuilder();
        s.describe(m).forEach((f, v) -> sb.append("    ").append(f).append(" = ").append(v).append('\n'));
        return sb.toString();
    }

    record Key(byte[] b) {
        @Override public boolean equals(Object o) { return o instanceof Key k && java.util.Arrays.equals(b, k.b); }
        @Override public int hashCode() { return java.util.Arrays.hashCode(b); }
    }

    /** A compact listing of a trace's steps, for disagreement reports. */
    private static String steps(Trace t) {
        if (t == null) return "  (no trace)\n";
        StringBuilder sb = new StringBuilder();
        for (Trace.Step s : t.steps()) sb.append("    ").append(s.index()).append(". ").append(s.kind()).append(' ').append(s.action()).append('\n');
        return sb.toString();
    }
}
