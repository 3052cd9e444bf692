package ukl.cli;

import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.model.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Text and JSON renderings of a {@link Result}. The JSON schema is stable across engines. */
public final class Report {
    private Report() {}

    public static final String TOOL = "ukl-model";
    public static final String VERSION = "0.1.0";

    static String text(Result r, List<String> mismatches) {
        StringBuilder sb = new StringBuilder();
        Scenario sc = r.scenario();
        sb.append("scenario: ").append(sc.name).append("   [engine: ").append(r.engine()).append("]\n");
        sb.append("  ").append(summary(sc)).append('\n');
        sb.append("verdict: ").append(r.verdict());
        if (r.incompleteReason() != null) sb.append(" (").append(r.incompleteReason()).append(")");
        sb.append('\n');
        for (Result.PropertyResult p : r.properties().values()) {
            String exp = sc.expected.get(p.property());
            sb.append(String.format("  %-24s %-12s", p.property().name(), p.status().word));
            if (exp != null) sb.append(exp.equals(p.status().word) ? "  (expected)" : "  (EXPECTED " + exp + ")");
            sb.append('\n');
        }
        Result.Stats s = r.stats();
        // Java: this JVM's peak heap. TLC: the peak resident memory of its largest process (its heap is not visible from here).
        String mem = r.engine().equals("tlc") ? (s.peakMemoryBytes() < 0 ? "peak memory not measured" : "peak RSS of TLC " + (s.peakMemoryBytes() >> 20) + " MiB")
                : "peak heap " + (s.peakMemoryBytes() >> 20) + " MiB";
        sb.append(String.format("states %d, transitions %d, depth %d, %.2f s (%.0f states/s), %s%n",
                s.states(), s.transitions(), s.depth(), s.seconds(), s.statesPerSecond(), mem));
        if (!Double.isNaN(s.fpCollision()))
            sb.append(String.format("fingerprints: %d worker%s, store %.1f MiB in memory (%.1f bytes/state: %s), collision probability %.1e (TLC's optimistic estimate; --exact keeps whole states)%n",
                    s.workers(), s.workers() == 1 ? "" : "s", s.storeBytes() / 1048576.0, s.states() > 0 ? (double) s.storeBytes() / s.states() : 0,
                    s.storeDetail(), s.fpCollision()));
        if (sc.symmetry && r.engine().equals("java")) sb.append(ukl.model.Symmetry.summary(sc)).append('\n');
        for (Result.PropertyResult p : r.properties().values())
            if (p.trace() != null) sb.append('\n').append(trace(p.trace()));
        if (mismatches != null) {
            sb.append('\n');
            if (r.incompleteReason() != null && scenarioExit(r, mismatches) == 3)
                sb.append("INCOMPLETE: the run hit a bound (").append(r.incompleteReason()).append("); its results prove no expectation\n");
            else if (mismatches.isEmpty()) sb.append("result matches the scenario's expectations\n");
            else {
                sb.append("RESULT DOES NOT MATCH the scenario's expectations:\n");
                for (String m : mismatches) sb.append("  ").append(m).append('\n');
            }
        }
        return sb.toString();
    }

    static String summary(Scenario sc) {
        List<String> opts = new ArrayList<>();
        sc.options.forEach(o -> opts.add(o.name()));
        opts.add("PREEMPT=" + (sc.preemptFull ? "full" : "none"));
        StringBuilder ev = new StringBuilder();
        sc.events.forEach((e, n) -> { if (n != 0) ev.append(ev.length() > 0 ? "," : "").append(e).append(':').append(n < 0 ? "*" : n); });
        return sc.source + ", options " + String.join(",", opts) + (sc.has(ukl.model.Option.BYP) ? " (limit " + sc.bypassLimit + ")" : "")
                + ", workload " + sc.workload.name() + ", " + sc.cpus + " cpu, " + sc.appThreads + " app thread"
                + (sc.appThreads > 1 ? "s" : "") + ", co-runner " + (sc.coRunner ? "user" : "none")
                + ", events " + (ev.length() == 0 ? "none" : ev);
    }

    static String trace(Trace t) {
        StringBuilder sb = new StringBuilder();
        sb.append(t.property()).append(": ").append(t.loopStart() > 0 ? "counterexample (prefix, then a loop)" : t.shortest() ? "shortest trace" : "counterexample (random simulation, not the shortest)")
                .append(", ").append(t.steps().size()).append(" steps\n");
        for (Trace.Step st : t.steps()) {
            if (t.loopStart() == st.index()) sb.append("  -- loop starts here; steps ").append(st.index()).append('-').append(t.steps().size()).append(" repeat forever --\n");
            String where = st.path() == null ? "" : st.path() + (st.line() > 0 ? ":" + st.line() : "");
            sb.append(String.format("  %3d. cpu%d %-6s %-5s %-44s %s%n", st.index(), st.cpu(), st.thread(), st.kind(), st.action(), where));
            if (st.citation() != null && !st.citation().isEmpty()) sb.append("         # ").append(st.citation()).append('\n');
            if (!st.changes().isEmpty()) {
                StringBuilder ch = new StringBuilder();
                for (Map.Entry<String, String> e : st.changes().entrySet()) {
                    String item = e.getKey() + "=" + e.getValue();
                    if (ch.length() > 0 && ch.length() + item.length() > 100) { sb.append("         ").append(ch).append('\n'); ch.setLength(0); }
                    if (ch.length() > 0) ch.append("  ");
                    ch.append(item);
                }
                if (ch.length() > 0) sb.append("         ").append(ch).append('\n');
            }
            if (st.violating()) sb.append("         ^ this step violates ").append(t.property()).append('\n');
        }
        sb.append("  => ").append(t.property()).append(": ").append(t.why()).append('\n');
        return sb.toString();
    }

    static Map<String, Object> json(Result r, List<String> mismatches) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", TOOL);
        m.put("version", VERSION);
        m.put("scenario", r.scenario().describe());
        m.put("engine", r.engine());
        m.put("verdict", r.verdict());
        if (r.incompleteReason() != null) m.put("incompleteReason", r.incompleteReason());
        List<Object> props = new ArrayList<>();
        for (Result.PropertyResult p : r.properties().values()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("name", p.property().name());
            pm.put("status", p.status().word);
            String exp = r.scenario().expected.get(p.property());
            if (exp != null) pm.put("expected", exp);
            if (p.trace() != null) {
                pm.put("why", p.trace().why());
                if (p.trace().loopStart() > 0) pm.put("loopStart", p.trace().loopStart());
                List<Object> steps = new ArrayList<>();
                for (Trace.Step st : p.trace().steps()) steps.add(stepJson(st));
                pm.put("trace", steps);
            } else {
                pm.put("trace", List.of());
            }
            props.add(pm);
        }
        m.put("properties", props);
        Result.Stats s = r.stats();
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("states", s.states());
        sm.put("transitions", s.transitions());
        sm.put("depth", s.depth());
        sm.put("seconds", s.seconds());
        sm.put("statesPerSecond", s.statesPerSecond());
        sm.put("peakMemoryBytes", s.peakMemoryBytes());
        if (!Double.isNaN(s.fpCollision())) {
            sm.put("storage", "fingerprints");
            sm.put("fingerprintCollisionProbability", s.fpCollision());
            sm.put("storeBytes", s.storeBytes());
            sm.put("diskBytes", s.diskBytes());
            sm.put("workers", s.workers());
        } else if (r.engine().equals("java")) {
            sm.put("storage", "exact");
        }
        if (r.engine().equals("java") && r.scenario().symmetry) {
            // the group's order (1: nothing to reduce); states above are orbits
            sm.put("symmetryGroupOrder", ukl.model.Symmetry.of(r.scenario()).order());
        }
        m.put("stats", sm);
        if (mismatches != null) {
            m.put("expectationsMatched", mismatches.isEmpty());
            m.put("mismatches", mismatches);
        }
        return m;
    }

    /** Compares a result with a scenario's expectations; an empty list means it matched. */
    static List<String> mismatches(Result r, Result.Status defaultExpect) {
        List<String> out = new ArrayList<>();
        for (Property p : Property.values()) {
            String exp = r.scenario().expected.get(p);
            if (exp == null && defaultExpect != null) exp = r.scenario().checks(p) ? defaultExpect.word : Result.Status.NOT_CHECKED.word;
            if (exp == null) continue;
            String got = r.properties().get(p).status().word;
            if (!exp.equals(got)) out.add(p + ": expected " + exp + ", got " + got);
        }
        return out;
    }

    /**
     * A scenario file's exit code: 1 when a definite result contradicts an expectation (an
     * unexpected violation holds even in a cut-short run), else 3 when the run hit a bound (its
     * "unknown"s match nothing, not even 'expect: * unknown'), else 0.
     */
    static int scenarioExit(Result r, List<String> mismatches) {
        if (r.incompleteReason() == null) return mismatches.isEmpty() ? 0 : 1;
        for (String m : mismatches) if (m.endsWith(", got " + Result.Status.VIOLATED.word)) return 1;
        return 3;
    }

    /** One trace step in the JSON schema (also the base of ukl explain's and the HTML report's steps). */
    public static Map<String, Object> stepJson(Trace.Step st) {
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("index", st.index());
        sm.put("kind", st.kind());
        sm.put("cpu", st.cpu());
        sm.put("thread", st.thread());
        sm.put("action", st.action());
        sm.put("path", st.path());
        sm.put("line", st.line());
        sm.put("citation", st.citation());
        sm.put("changes", st.changes());
        sm.put("violating", st.violating());
        return sm;
    }
}
