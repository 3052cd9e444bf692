package ukl.report;

import ukl.model.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A counterexample as data: JSON (steps with the whole state) and Graphviz dot. */
public final class TraceExport {
    private TraceExport() {}

    /** The JSON form (also what the HTML timeline draws): every step with the state before and after. */
    public static Map<String, Object> json(TraceView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", v.scenario());
        m.put("property", v.property().name());
        m.put("why", v.why());
        m.put("shortest", v.trace().shortest());
        m.put("loopStart", v.trace().loopStart());
        m.put("cpus", v.cpus());
        m.put("threads", v.threads());
        m.put("initial", v.initial());
        List<Object> steps = new ArrayList<>();
        for (int i = 0; i < v.trace().steps().size(); i++) {
            Trace.Step s = v.trace().steps().get(i);
            Map<String, Object> st = ukl.cli.Report.stepJson(s);
            st.put("state", v.trace().steps().get(i).violating() ? v.before().get(i) : v.after().get(i));
            steps.add(st);
        }
        m.put("steps", steps);
        return m;
    }

    /** Graphviz: one node per state (the CPUs' key fields), one edge per step; the breaking step in red. */
    public static String dot(TraceView v) {
        StringBuilder sb = new StringBuilder();
        sb.append("digraph \"").append(esc(v.scenario() + " " + v.property())).append("\" {\n");
        sb.append("  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n  edge [fontname=\"monospace\", fontsize=9];\n");
        int n = v.trace().steps().size();
        sb.append("  s0 [label=\"").append(esc(summary(v.initial(), v))).append("\"];\n");
        for (int i = 0; i < n; i++) {
            Trace.Step s = v.trace().steps().get(i);
            Map<String, String> st = s.violating() ? v.before().get(i) : v.after().get(i);
            String id = "s" + (i + 1);
            sb.append("  ").append(id).append(" [label=\"").append(esc(summary(st, v))).append("\"")
              .append(s.violating() ? ", color=red, penwidth=2" : "").append("];\n");
            sb.append("  s").append(i).append(" -> ").append(id).append(" [label=\"").append(esc(s.index() + ". " + Story.actor(s) + " " + s.action()))
              .append("\"").append(s.violating() ? ", color=red, fontcolor=red" : "").append("];\n");
        }
        if (v.trace().loopStart() >= 0 && n > 0)
            sb.append("  s").append(n).append(" -> s").append(v.trace().loopStart()).append(" [style=dashed, label=\"loop\"];\n");
        sb.append("  label=\"").append(esc(v.property() + ": " + v.why())).append("\";\n  labelloc=t;\n}\n");
        return sb.toString();
    }

    private static String summary(Map<String, String> s, TraceView v) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < v.cpus(); c++) {
            String p = "cpu" + c + ".";
            String t = s.get(p + "running");
            sb.append("cpu").append(c).append(": ").append(t).append(" on ").append(s.get(p + "sp"))
              .append(" IF=").append(s.get(p + "if"));
            if (s.containsKey(t + ".mode")) sb.append(" mode=").append(s.get(t + ".mode"));
            if ("1".equals(s.get(p + "nmiBlocked"))) sb.append(" NMI-blocked");
            sb.append("\n");
        }
        return sb.toString().strip();
    }

    /** Escapes for a dot double-quoted string (newlines become \n line breaks). */
    static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
