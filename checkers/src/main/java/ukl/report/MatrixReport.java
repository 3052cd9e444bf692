package ukl.report;

import ukl.model.Property;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The matrix as text, JSON, and the markdown hazards catalog. */
public final class MatrixReport {
    private MatrixReport() {}

    /** Short names for the text matrix's cells (the legend is printed under it). */
    public static final Map<String, String> ABBREV = new LinkedHashMap<>();
    static {
        String[][] a = {{"DOUBLE_FAULT_PANIC", "DFP"}, {"MISCLASSIFIED_DF", "MDF"}, {"STACK_CLOBBER", "SCL"}, {"SLEEP_ON_IST", "SOI"}, {"RED_ZONE_CLOBBER", "RZC"},
                {"MODE_MISMATCH", "MM"}, {"SCHEDULE_IN_ATOMIC", "SIA"}, {"RCU_NOT_WATCHING", "RCU"}, {"EARLY_GRACE_PERIOD", "EGP"}, {"CONTEXT_TRACKING", "CT"},
                {"USER_GS_IN_KERNEL", "UGS"}, {"SCRATCH_CLOBBER", "SCR"}, {"UNHANDLED_KERNEL_FAULT", "UKF"}, {"RETURN_MISMATCH", "RM"}, {"BAD_RETURN_CS", "BCS"},
                {"NMI_BLOCKED_LEAK", "NBL"}, {"APP_IRQS_OFF", "AIO"}, {"BYPASS_BOUND", "BB"}, {"DEADLOCK", "DL"}, {"RESCHED_STARVATION", "RS"},
                {"SIGNAL_STARVATION", "SS"}};
        for (String[] x : a) ABBREV.put(x[0], x[1]);
        if (ABBREV.size() != Property.values().length) throw new IllegalStateException("a property has no abbreviation");
    }

    /** A row label and its cells, in column order (null where the cell was not done). */
    public record Line(Matrix.Row row, List<Matrix.Cell> cells) {}

    public static List<Line> lines(List<Matrix.Row> rows, List<String> workloads, List<Matrix.Cell> done) {
        Map<String, Matrix.Cell> by = new LinkedHashMap<>();
        for (Matrix.Cell c : done) by.put(c.row().label() + "\u0000" + c.workload(), c);
        List<Line> out = new ArrayList<>();
        for (Matrix.Row r : rows) {
            List<Matrix.Cell> cs = new ArrayList<>();
            for (String w : workloads) cs.add(by.get(r.label() + "\u0000" + w));
            out.add(new Line(r, cs));
        }
        return out;
    }

    public static String cellWord(Matrix.Cell c) {
        if (c == null) return "incomplete";
        return switch (c.status()) {
            case "safe" -> "safe";
            case "violated" -> String.join(",", c.violated().stream().map(ABBREV::get).toList());
            case "disagree" -> "DISAGREE";
            default -> "incomplete";
        };
    }

    public static String text(List<Line> lines, List<String> workloads, Summary s) {
        int w0 = 10;
        for (Line l : lines) w0 = Math.max(w0, l.row().label().length());
        int[] ws = new int[workloads.size()];
        for (int j = 0; j < workloads.size(); j++) {
            ws[j] = workloads.get(j).length();
            for (Line l : lines) ws[j] = Math.max(ws[j], cellWord(l.cells().get(j)).length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-" + w0 + "s", "preset {options}"));
        for (int j = 0; j < ws.length; j++) sb.append(" | ").append(String.format("%-" + ws[j] + "s", workloads.get(j)));
        sb.append('\n').append("-".repeat(sb.length())).append('\n');
        for (Line l : lines) {
            sb.append(String.format("%-" + w0 + "s", l.row().label()));
            for (int j = 0; j < ws.length; j++) sb.append(" | ").append(String.format("%-" + ws[j] + "s", cellWord(l.cells().get(j))));
            sb.append('\n');
        }
        sb.append('\n').append("legend: ");
        List<String> leg = new ArrayList<>();
        ABBREV.forEach((k, v) -> leg.add(v + "=" + k));
        sb.append(String.join(", ", leg)).append('\n');
        sb.append(s.line()).append('\n');
        for (Line l : lines)
            for (Matrix.Cell c : l.cells())
                if (c != null && c.disagreement() != null)
                    sb.append("DISAGREEMENT ").append(l.row().label()).append(" / ").append(c.workload()).append(": ").append(c.disagreement()).append('\n');
        return sb.toString();
    }

    /** Totals for the footer and the exit code. */
    public record Summary(int cells, int done, int safe, int violated, int incomplete, int disagree, int cached, long states,
                          double seconds, boolean interrupted, String engine) {
        public String line() {
            return cells + " cells: " + safe + " safe, " + violated + " with violations, " + incomplete + " incomplete"
                    + (disagree > 0 ? ", " + disagree + " where the engines DISAGREE" : "")
                    + "; " + cached + " from the cache; " + states + " states checked; "
                    + String.format(java.util.Locale.ROOT, "%.1f s", seconds) + " (engine " + engine + ")"
                    + (interrupted ? "; INTERRUPTED: cells not done are incomplete" : "");
        }
        /** The counts only: stable from run to run (no times, no cache hits). */
        public String counts() {
            return cells + " cells: " + safe + " safe, " + violated + " with violations, " + incomplete + " incomplete"
                    + (disagree > 0 ? ", " + disagree + " where the engines DISAGREE" : "") + (interrupted ? "; INTERRUPTED" : "");
        }
        public int exitCode() { return disagree > 0 || violated > 0 ? 1 : incomplete > 0 ? 3 : 0; }
    }

    public static Summary summary(int total, List<Matrix.Cell> done, double secs, boolean interrupted, String engine) {
        int safe = 0, v = 0, inc = 0, dis = 0, cached = 0;
        long states = 0;
        for (Matrix.Cell c : done) {
            switch (c.status()) {
                case "safe" -> safe++;
                case "violated" -> v++;
                case "disagree" -> dis++;
                default -> inc++;
            }
            if (c.cached()) cached++; else states += c.states();
        }
        inc += total - done.size();
        return new Summary(total, done.size(), safe, v, inc, dis, cached, states, secs, interrupted, engine);
    }

    public static Map<String, Object> json(List<Line> lines, List<String> workloads, Summary s, Matrix.Config cfg, boolean withTraces) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", ukl.cli.Report.TOOL);
        m.put("version", ukl.cli.Report.VERSION);
        m.put("engine", cfg.engine());
        m.put("optionUniverse", cfg.optionUniverse());
        m.put("workloads", workloads);
        m.put("abbreviations", ABBREV);
        List<Object> rows = new ArrayList<>();
        // HTML: each distinct trace once, cells refer to it by index (issue 14: the default matrix's
        // page was 59 MB, most of it the same traces repeated over option sets), states as deltas.
        List<Object> table = new ArrayList<>();
        Map<String, Integer> seen = new java.util.HashMap<>();
        Set<String> labels = new java.util.HashSet<>();
        for (Line l : lines) labels.add(l.row().label());
        for (Line l : lines) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("label", l.row().label());
            // A path file's row is compared with the same option set of the preset it extends, when that row is here.
            if (l.row().pathsFile() != null && l.row().pathsText() != null) {
                String ext = ukl.model.lang.PathParser.parse(l.row().pathsFile(), l.row().pathsText()).extendsPreset();
                String base = ext + l.row().label().substring(l.row().label().lastIndexOf(" {"));
                if (ext != null && labels.contains(base)) r.put("base", base);
            }
            r.put("preset", l.row().preset());
            r.put("paths", l.row().pathsFile());
            List<String> opts = new ArrayList<>();
            l.row().options().forEach(o -> opts.add(o.name()));
            if (l.row().preemptFull()) opts.add("PREEMPT=full");
            r.put("options", opts);
            List<Object> cells = new ArrayList<>();
            for (int j = 0; j < workloads.size(); j++) {
                Matrix.Cell c = l.cells().get(j);
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("workload", workloads.get(j));
                cm.put("status", c == null ? "incomplete" : c.status());
                cm.put("violated", c == null ? List.of() : c.violated());
                cm.put("incomplete", c == null ? "not done (interrupted)" : c.incomplete());
                cm.put("disagreement", c == null ? null : c.disagreement());
                cm.put("states", c == null ? 0 : c.states());
                cm.put("seconds", c == null ? 0.0 : c.seconds());
                cm.put("cached", c != null && c.cached());
                cm.put("bound", c == null ? null : c.bound());
                if (withTraces) {
                    Map<String, Object> refs = new LinkedHashMap<>();
                    if (c != null)
                        for (Map.Entry<String, Object> e : slim(c.traces()).entrySet()) {
                            String key = ukl.cli.Json.write(e.getValue());
                            Integer id = seen.get(key);
                            if (id == null) { id = table.size(); seen.put(key, id); table.add(e.getValue()); }
                            refs.put(e.getKey(), id);
                        }
                    cm.put("traces", refs);
                }
                cells.add(cm);
            }
            r.put("cells", cells);
            rows.add(r);
        }
        m.put("rows", rows);
        if (withTraces) m.put("traceTable", table);
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("cells", s.cells());
        sm.put("safe", s.safe());
        sm.put("violated", s.violated());
        sm.put("incomplete", s.incomplete());
        sm.put("disagree", s.disagree());
        sm.put("cached", s.cached());
        sm.put("states", s.states());
        sm.put("seconds", s.seconds());
        sm.put("interrupted", s.interrupted());
        m.put("summary", sm);
        return m;
    }

    /**
     * The hazards catalog (proofs-notes/hazards.md): for every row that violates a property, the
     * shortest trace in words over its workloads and where it comes from; for every row that holds,
     * the bound it was checked at.
     */
    public static String catalog(List<Line> lines, List<String> workloads, Summary s, String command) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Hazards catalog\n\n");
        sb.append("Generated by `").append(command).append("`; do not edit by hand. For every preset and option set of the\n");
        sb.append("matrix: each property it violates, with the shortest counterexample over the workloads, in words,\n");
        sb.append("each step citing the source line it comes from. For a row with no violation, the bound each workload\n");
        sb.append("was checked at.\n\n");
        sb.append(s.counts()).append(", engine ").append(s.engine()).append(".\n\n");
        Map<String, String> seen = new java.util.HashMap<>();   // a trace already printed, by workload and steps: where
        for (Line l : lines) {
            sb.append("## ").append(l.row().label()).append("\n\n");
            Map<String, Matrix.Cell> best = new LinkedHashMap<>();
            Map<String, List<String>> where = new LinkedHashMap<>();
            for (Property p : Property.values())
                for (Matrix.Cell c : l.cells()) {
                    if (c == null || !c.violated().contains(p.name())) continue;
                    where.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(c.workload());
                    Matrix.Cell b = best.get(p.name());
                    if (b == null || steps(c, p.name()) < steps(b, p.name())) best.put(p.name(), c);
                }
            List<String> inc = new ArrayList<>();
            for (int j = 0; j < workloads.size(); j++) {
                Matrix.Cell c = l.cells().get(j);
                if (c == null || c.status().equals("incomplete") || c.status().equals("disagree"))
                    inc.add(workloads.get(j) + (c == null ? " (not done)" : c.disagreement() != null ? " (engines disagree: " + c.disagreement() + ")" : " (" + c.incomplete() + ")"));
            }
            if (best.isEmpty()) {
                sb.append("No violation. Checked at:\n\n");
                for (Matrix.Cell c : l.cells()) if (c != null && c.safe()) sb.append("- ").append(c.workload()).append(": ").append(c.bound()).append('\n');
            } else {
                for (Map.Entry<String, Matrix.Cell> e : best.entrySet()) {
                    sb.append("### ").append(e.getKey()).append(" (workloads: ").append(String.join(", ", where.get(e.getKey()))).append(")\n\n");
                    String story = e.getValue().stories().get(e.getKey());
                    String body = story == null ? null : story.substring(story.indexOf('\n') + 1).strip();
                    String first = body == null ? null : seen.putIfAbsent(e.getValue().workload() + "\u0000" + body, l.row().label());
                    if (first != null)
                        sb.append("Shortest, in `").append(e.getValue().workload()).append("`: the same ").append(story.lines().findFirst().orElse("").replaceFirst(":.*", ""))
                          .append(" trace as in `").append(first).append("` above, step for step.\n\n");
                    else
                        sb.append("Shortest, in `").append(e.getValue().workload()).append("`:\n\n```\n").append(story == null ? "(no trace kept)" : story.strip()).append("\n```\n\n");
                }
                List<String> safe = new ArrayList<>();
                for (Matrix.Cell c : l.cells()) if (c != null && c.safe()) safe.add(c.workload());
                if (!safe.isEmpty()) sb.append("No violation in: ").append(String.join(", ", safe)).append(".\n");
            }
            if (!inc.isEmpty()) sb.append("\nIncomplete: ").append(String.join("; ", inc)).append(".\n");
            sb.append('\n');
        }
        return sb.toString();
    }

    /** What the timeline draws of each step's state: per CPU the thread, stack, IF and NMI blocking; modes; stacks. */
    private static Map<String, Object> slim(Map<String, Object> traces) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : traces.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> t)) continue;
            Map<String, Object> c = new LinkedHashMap<>();
            t.forEach((k, v) -> { if (!k.equals("initial")) c.put(String.valueOf(k), v); });
            if (t.get("steps") instanceof List<?> steps) {
                List<Object> ss = new ArrayList<>();
                Map<String, Object> prev = new LinkedHashMap<>();
                for (Object o : steps) {
                    if (!(o instanceof Map<?, ?> st)) continue;
                    Map<String, Object> s2 = new LinkedHashMap<>();
                    st.forEach((k, v) -> s2.put(String.valueOf(k), v));
                    if (st.get("state") instanceof Map<?, ?> state) {
                        Map<String, Object> keep = new LinkedHashMap<>();
                        state.forEach((k, v) -> { if (TIMELINE_FIELD.matcher(String.valueOf(k)).matches()) keep.put(String.valueOf(k), v); });
                        // Only what changed since the previous step ("state" of step 0 is whole); the page rebuilds the rest.
                        Map<String, Object> delta = new LinkedHashMap<>();
                        keep.forEach((k, v) -> { if (!java.util.Objects.equals(prev.get(k), v)) delta.put(k, v); });
                        for (String k : prev.keySet()) if (!keep.containsKey(k)) delta.put(k, null);   // gone
                        prev.clear(); prev.putAll(keep);
                        s2.remove("state");
                        s2.put("delta", delta);
                    }
                    s2.remove("changes");
                    ss.add(s2);
                }
                c.put("steps", ss);
            }
            out.put(e.getKey(), c);
        }
        return out;
    }

    private static final java.util.regex.Pattern TIMELINE_FIELD =
            java.util.regex.Pattern.compile("cpu\\d+\\.(running|sp|if|nmiBlocked)|[^.]+\\.mode|stack\\..*");

    @SuppressWarnings("unchecked")
    private static int steps(Matrix.Cell c, String p) {
        Object t = c.traces().get(p);
        if (t instanceof Map<?, ?> m && m.get("steps") instanceof List<?> l) return l.size();
        return Integer.MAX_VALUE;
    }
}
