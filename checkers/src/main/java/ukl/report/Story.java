package ukl.report;

import ukl.model.Trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A counterexample told as a story: one line per step naming the CPU, the thread, the path and
 * op with its source citation, then what changed in words (mode, IF, stack, GS, locks, frames),
 * and at the end which property broke and the state that broke it.
 */
public final class Story {
    private Story() {}

    public static String tell(TraceView v) {
        StringBuilder sb = new StringBuilder();
        Trace t = v.trace();
        sb.append(v.property()).append(" in ").append(v.scenario()).append(": ")
          .append(t.shortest() ? "the shortest counterexample, " : "a counterexample, ")
          .append(t.steps().size()).append(t.steps().size() == 1 ? " step" : " steps").append('\n');
        if (t.loopStart() > 0) sb.append("(a lasso: steps ").append(t.loopStart()).append("-").append(t.steps().size()).append(" repeat forever)\n");   // loopStart is 1-based, as in check's listing
        sb.append('\n');
        for (int i = 0; i < t.steps().size(); i++) {
            Trace.Step s = t.steps().get(i);
            sb.append(String.format("%3d. ", s.index())).append(actor(s)).append(' ').append(what(s)).append('\n');
            if (s.citation() != null && !s.citation().isBlank()) sb.append("       why: ").append(s.citation()).append('\n');
            List<String> ch = changes(v.before().get(i), s.changes());
            if (!ch.isEmpty()) sb.append("       then: ").append(String.join("; ", ch)).append('\n');
            if (s.violating()) sb.append("       ^ this step breaks ").append(v.property()).append('\n');
            if (t.loopStart() >= 0 && i == t.loopStart()) sb.append("       (the loop starts here)\n");
        }
        sb.append('\n').append(v.property()).append(" broke");
        if (!t.steps().isEmpty()) sb.append(" at step ").append(t.steps().get(t.steps().size() - 1).index());
        sb.append(": ").append(v.why()).append('\n');
        sb.append("The state that broke it:\n");
        for (String line : stateLines(v.last(), v.cpus(), v.threads())) sb.append("  ").append(line).append('\n');
        return sb.toString();
    }

    static String actor(Trace.Step s) {
        String who = s.cpu() >= 0 ? "cpu" + s.cpu() + ", " + s.thread() : s.thread();
        return who + ":";
    }

    static String what(Trace.Step s) {
        return switch (s.kind()) {
            case "op" -> "runs `" + s.action() + "` (" + s.path() + (s.line() > 0 ? " line " + s.line() : "") + ")";
            case "app" -> "app code does `" + s.action() + "` (" + s.path() + ")";
            case "body" -> "the kernel body does `" + s.action() + "` (" + s.path() + ")";
            default -> "the environment raises " + s.action();
        };
    }

    /** The changed fields of one step, in words where the field has a meaning people look for. */
    static List<String> changes(Map<String, String> before, Map<String, String> changed) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : changed.entrySet()) {
            String k = e.getKey(), val = e.getValue(), was = before.getOrDefault(k, "?");
            int dot = k.indexOf('.');
            String owner = dot < 0 ? k : k.substring(0, dot), f = dot < 0 ? "" : k.substring(dot + 1);
            String w;
            switch (f) {
                case "if" -> w = owner + (val.equals("1") ? " enables interrupts (IF 1)" : " disables interrupts (IF 0)");
                case "mode" -> w = owner + "'s ukl_mode " + was + " -> " + val;
                case "sp" -> w = owner + " switches to stack " + val + " (from " + was + ")";
                case "gs" -> w = owner + " GS base " + was + " -> " + val;
                case "cpl" -> w = owner + " CPL " + was + " -> " + val;
                case "nmiBlocked" -> w = owner + (val.equals("1") ? " blocks NMIs" : " unblocks NMIs");
                case "mmap_lock" -> w = owner + " mmap_lock " + (val.equals("free") ? "released" : val);
                case "running" -> w = owner + " now runs " + val;
                case "status" -> w = owner + " becomes " + val;
                case "activations" -> { continue; }   // the step line already says where the thread is
                default -> {
                    if (owner.equals("stack")) w = "stack " + f + " = " + val;
                    else w = k + " = " + val;
                }
            }
            out.add(w);
        }
        return out;
    }

    /** The whole state in a few lines: CPUs, threads, locks, non-empty stacks. */
    static List<String> stateLines(Map<String, String> s, int cpus, List<String> threads) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            String p = "cpu" + c + ".";
            out.add("cpu" + c + ": runs " + s.get(p + "running") + " on " + s.get(p + "sp") + ", IF " + s.get(p + "if")
                    + ", CPL " + s.get(p + "cpl") + ", GS " + s.get(p + "gs") + ", page tables " + s.get(p + "pt")
                    + (s.getOrDefault(p + "nmiBlocked", "0").equals("1") ? ", NMIs blocked" : "")
                    + (s.containsKey(p + "ct") ? ", context tracking " + s.get(p + "ct") : "")
                    + (!"none".equals(s.get(p + "ipi")) ? ", IPI " + s.get(p + "ipi") : ""));
        }
        for (String t : threads) {
            String p = t + ".";
            StringBuilder sb = new StringBuilder(t + ": " + s.get(p + "status"));
            if (s.containsKey(p + "mode")) sb.append(", ukl_mode ").append(s.get(p + "mode"));
            if (s.containsKey(p + "appStack")) sb.append(", app stack ").append(s.get(p + "appStack"));
            if (!"0".equals(s.getOrDefault(p + "preemptCount", "0"))) sb.append(", preemptCount ").append(s.get(p + "preemptCount"));
            sb.append(", in ").append(s.get(p + "activations"));
            out.add(sb.toString());
        }
        for (Map.Entry<String, String> e : s.entrySet()) {
            if (e.getKey().endsWith(".mmap_lock")) out.add(e.getKey() + ": " + e.getValue());
            if (e.getKey().startsWith("stack.") && !e.getValue().equals("[]")) out.add(e.getKey().substring(6) + ": " + e.getValue());
        }
        return out;
    }
}
