package ukl.report;

import ukl.model.InputError;
import ukl.model.Presets;
import ukl.model.Workload;
import ukl.model.Event;
import ukl.model.lang.Ast;
import ukl.model.lang.PathParser;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code ukl review} (issue 14): a proposed path file and its base checked side by side over one
 * sweep, and only what differs reported: the violations the change adds (each with its shortest
 * trace and the first step that runs a line the change adds or alters), the ones it removes, and
 * the cells that could not be compared.
 */
public final class Review {
    /**
     * How wide the sweep is. QUICK: option sets of at most one option, workload defaults. DEFAULT:
     * every option set at the workload's defaults, and the option-free set also with 2 threads, a
     * co-runner (sharing the CPU, or on its own), PREEMPT=full and an extra #MC. DEEP: every
     * variant on every option set.
     */
    public enum Sweep { QUICK, DEFAULT, DEEP, CUSTOM }

    /** The sweep's cells, side by side. {@code base}/{@code change}: null where a side has no such option set. */
    public record Pair(String options, String workload, Matrix.Variant variant, Matrix.Job base, Matrix.Job change) {
        public String where() { return options + " " + workload + (variant == Matrix.Variant.DEFAULTS ? "" : " [" + variant.name() + "]"); }
    }

    /** A property the change adds or removes, and where. */
    /** {@code otherUnfinished}: the cells where the other side hit a bound without showing the property. */
    public record Finding(String property, List<Pair> cells, Set<Pair> otherUnfinished, Matrix.Cell shortest, Pair shortestPair,
                          int firstChangedStep, String firstChangedWhat) {}

    public record Outcome(String change, String against, Sweep sweep, int pairs, List<Finding> added, List<Finding> removed,
                          List<String> incomplete, List<String> bothIncomplete, List<String> onlyOneSide, double seconds, long states) {
        /** 1 adds; else 3 when any cell was not compared (a bound hit on either side is never "adds nothing"); else 0. */
        public int exitCode() { return !added.isEmpty() ? 1 : !incomplete.isEmpty() || !bothIncomplete.isEmpty() ? 3 : 0; }
    }

    private Review() {}

    /** The preset a change file extends (its base when no --against is given). */
    public static String extendsOf(String file, String text) {
        Ast.PathFile f = PathParser.parse(file, text);
        if (f.extendsPreset() == null)
            throw new InputError(file, 1, 1, "the change has no 'extends PRESET' line, so it has no base; give --against PRESET or --against BASE.ukl");
        return f.extendsPreset();
    }

    /** The variants a cell of this workload is also checked under (beyond its defaults). */
    public static List<Matrix.Variant> extraVariants(String workload, boolean rowPreemptFull) {
        Workload w = Workload.ALL.get(workload);
        List<Matrix.Variant> v = new ArrayList<>();
        if (w.threads() < 2) v.add(new Matrix.Variant("2 threads", null, 2, null, null, null));
        if (!w.coRunner()) {
            v.add(new Matrix.Variant("co-runner", null, null, null, true, null));
            // A second CPU multiplies the states: unbounded events become one each, to keep the cell finite.
            if (w.cpus() < 4) v.add(new Matrix.Variant("co-runner on its own cpu", bounded(w, false), null, w.cpus() + 1, true, null));
        }
        if (!rowPreemptFull) v.add(new Matrix.Variant("PREEMPT=full", null, null, null, null, true));
        if (!w.events().containsKey(Event.MC)) v.add(new Matrix.Variant("+MC", bounded(w, true), null, null, null, null));
        return v;
    }

    /** The workload's events as an --events spec with unbounded counts kept, or made one; with an #MC added. */
    private static String bounded(Workload w, boolean addMc) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Event, Integer> e : new TreeMap<>(w.events()).entrySet())
            parts.add(e.getKey().name() + ":" + (e.getValue() == Workload.UNBOUNDED ? (addMc ? "*" : "1") : String.valueOf(e.getValue())));
        if (addMc) parts.add("MC:1");
        return parts.isEmpty() ? "none" : String.join(",", parts);
    }

    /** Every pair of a custom sweep (--sweep FILE): its option sets (each must be admitted by both sides), workloads and variants. */
    public static List<Pair> pairs(List<Matrix.Row> baseRows, List<Matrix.Row> changeRows, SweepFile sf, List<String> oneSide) {
        Map<String, Matrix.Row> b = byOptions(baseRows), c = byOptions(changeRows);
        if (sf.optionsMode().equals("sets"))
            for (int i = 0; i < sf.optionSets().size(); i++) {
                Set<String> want = sf.optionSets().get(i);
                boolean inB = b.values().stream().anyMatch(r -> SweepFile.names(r).equals(want)), inC = c.values().stream().anyMatch(r -> SweepFile.names(r).equals(want));
                if (!inB || !inC)
                    throw new InputError(sf.source(), sf.setLines().get(i), 1, "option set {" + String.join(",", want) + "} is not admitted by "
                            + (!inB && !inC ? "either side" : !inB ? "the base" : "the change"));
            }
        Set<String> keys = new TreeSet<>(b.keySet());
        keys.addAll(c.keySet());
        List<Pair> out = new ArrayList<>();
        for (String k : keys) {
            Matrix.Row br = b.get(k), cr = c.get(k);
            Matrix.Row any = br != null ? br : cr;
            if (!sf.admits(any)) continue;
            if (br == null || cr == null) {
                oneSide.add(k + ": only " + (br == null ? "the change" : "the base") + " admits this option set; not compared");
                continue;
            }
            for (String w : sf.workloads())
                for (Matrix.Variant v : sf.variants()) out.add(new Pair(k, w, v, new Matrix.Job(br, w, v), new Matrix.Job(cr, w, v)));
        }
        return out;
    }

    /** Every pair of the sweep: base and change rows matched by option set. */
    public static List<Pair> pairs(List<Matrix.Row> baseRows, List<Matrix.Row> changeRows, List<String> workloads, Sweep sweep, List<String> oneSide) {
        Map<String, Matrix.Row> b = byOptions(baseRows), c = byOptions(changeRows);
        Set<String> keys = new TreeSet<>(b.keySet());
        keys.addAll(c.keySet());
        List<Pair> out = new ArrayList<>();
        for (String k : keys) {
            Matrix.Row br = b.get(k), cr = c.get(k);
            if (br == null || cr == null) {
                oneSide.add(k + ": only " + (br == null ? "the change" : "the base") + " admits this option set; not compared");
                continue;
            }
            int nOpts = br.options().size() + (br.preemptFull() ? 1 : 0);
            if (sweep == Sweep.QUICK && nOpts > 1) continue;
            for (String w : workloads) {
                List<Matrix.Variant> vs = new ArrayList<>();
                vs.add(Matrix.Variant.DEFAULTS);
                // The other axes multiply the states; by default they vary the preset as built (no options).
                if (sweep == Sweep.DEEP || (sweep == Sweep.DEFAULT && nOpts == 0)) vs.addAll(extraVariants(w, br.preemptFull()));
                for (Matrix.Variant v : vs) out.add(new Pair(k, w, v, new Matrix.Job(br, w, v), new Matrix.Job(cr, w, v)));
            }
        }
        return out;
    }

    private static Map<String, Matrix.Row> byOptions(List<Matrix.Row> rows) {
        Map<String, Matrix.Row> m = new LinkedHashMap<>();
        for (Matrix.Row r : rows) m.put(r.label().substring(r.label().lastIndexOf(" {") + 1), r);
        return m;
    }

    /** Compares each pair's cells (in the order of {@code pairs}; two cells per pair, base first). */
    public static Outcome diff(String change, String against, Sweep sweep, List<Pair> pairs, List<Matrix.Cell> cells, List<String> oneSide,
                        Map<String, Set<Integer>> changedLines, double secs) {
        Map<String, List<Object[]>> added = new TreeMap<>(), removed = new TreeMap<>();
        List<String> incomplete = new ArrayList<>(), both = new ArrayList<>();
        long states = 0;
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            Matrix.Cell b = cells.get(2 * i), c = cells.get(2 * i + 1);
            if (b != null) states += b.states();
            if (c != null) states += c.states();
            if (b == null || c == null) { incomplete.add(p.where() + ": interrupted"); continue; }
            // A violation either side found is real (a breadth-first trace), bound or not. Its absence
            // counts only on a side that finished: where that side hit a bound first, the finding
            // says so. Any cell cut short on either side is listed, and the review is incomplete
            // (exit 3) unless the change adds a violation somewhere.
            boolean bi = b.incomplete() != null, ci = c.incomplete() != null;
            for (String v : c.violated()) if (!b.violated().contains(v)) added.computeIfAbsent(v, k -> new ArrayList<>()).add(new Object[]{p, c, bi});
            for (String v : b.violated()) if (!c.violated().contains(v) && !ci) removed.computeIfAbsent(v, k -> new ArrayList<>()).add(new Object[]{p, b, false});
            if (bi && ci) both.add(p.where() + ": " + c.incomplete());
            else if (bi || ci) incomplete.add(p.where() + ": " + (ci ? "change: " + c.incomplete() : "base: " + b.incomplete()));
        }
        return new Outcome(change, against, sweep, pairs.size(), findings(added, change, changedLines), findings(removed, null, changedLines),
                incomplete, both, oneSide, secs, states);
    }

    private static List<Finding> findings(Map<String, List<Object[]>> m, String change, Map<String, Set<Integer>> changedLines) {
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, List<Object[]>> e : m.entrySet()) {
            List<Pair> where = new ArrayList<>();
            Set<Pair> unfinished = new HashSet<>();
            Matrix.Cell best = null;
            Pair bestPair = null;
            int bestLen = Integer.MAX_VALUE;
            for (Object[] o : e.getValue()) {
                Pair p = (Pair) o[0];
                Matrix.Cell c = (Matrix.Cell) o[1];
                where.add(p);
                if ((Boolean) o[2]) unfinished.add(p);
                int len = steps(c, e.getKey()).size();
                if (len > 0 && len < bestLen) { bestLen = len; best = c; bestPair = p; }
            }
            int first = -1;
            String what = null;
            if (change != null && best != null) {
                for (Map<String, Object> s : steps(best, e.getKey())) {
                    Object path = s.get("path"), line = s.get("line");
                    if (!(path instanceof String ps) || !(line instanceof Number ln) || !ps.startsWith(change + ":")) continue;
                    Set<Integer> ch = changedLines.get(ps.substring(change.length() + 1));
                    if (ch != null && ch.contains(ln.intValue())) {
                        first = ((Number) s.get("index")).intValue();
                        what = "`" + s.get("action") + "` (" + ps + " line " + ln + ")";
                        break;
                    }
                }
            }
            out.add(new Finding(e.getKey(), where, unfinished, best, bestPair, first, what));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(Matrix.Cell c, String property) {
        Object t = c.traces().get(property);
        if (!(t instanceof Map<?, ?> m) || !(m.get("steps") instanceof List<?> l)) return List.of();
        return (List<Map<String, Object>>) l;
    }

    // ---- which lines of the change differ from its base

    /**
     * For each path the change defines: the change's source lines that its base does not have (an
     * LCS over the statements, comments ignored), and for a deletion the line that follows it.
     */
    public static Map<String, Set<Integer>> changedLines(Ast.PathFile change, java.util.function.Function<String, Ast.PathDef> basePath) {
        Map<String, Set<Integer>> out = new LinkedHashMap<>();
        for (Ast.PathDef p : change.paths()) {
            List<Object[]> c = new ArrayList<>(), b = new ArrayList<>();
            flatten(p.body(), 1, c);
            Ast.PathDef bp = basePath.apply(p.name());
            if (bp != null) flatten(bp.body(), 1, b);
            int n = c.size(), m = b.size();
            int[][] lcs = new int[n + 1][m + 1];
            for (int i = n - 1; i >= 0; i--)
                for (int j = m - 1; j >= 0; j--)
                    lcs[i][j] = c.get(i)[0].equals(b.get(j)[0]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            Set<Integer> lines = new HashSet<>();
            int i = 0, j = 0;
            boolean deleted = false;
            while (i < n) {
                if (j < m && c.get(i)[0].equals(b.get(j)[0])) {
                    if (deleted) lines.add((Integer) c.get(i)[1]);   // the first line after base lines the change dropped
                    deleted = false;
                    i++; j++;
                } else if (j < m && lcs[i][j + 1] >= lcs[i + 1][j]) {
                    deleted = true; j++;
                } else {
                    lines.add((Integer) c.get(i)[1]);
                    deleted = false;
                    i++;
                }
            }
            out.put(p.name(), lines);
        }
        // A patch's own lines are what it adds or alters (a deletion marks nothing: there is no line left).
        for (Ast.PatchDef pd : change.patches()) {
            Set<Integer> lines = new HashSet<>();
            for (Ast.Edit e : pd.edits()) {
                List<Object[]> c = new ArrayList<>();
                flatten(e.body(), 1, c);
                for (Object[] x : c) lines.add((Integer) x[1]);
            }
            out.put(pd.name(), lines);
        }
        return out;
    }

    private static void flatten(List<Ast.Stmt> body, int depth, List<Object[]> out) {
        for (Ast.Stmt s : body) {
            if (s instanceof Ast.OpStmt o) out.add(new Object[]{depth + " " + o.op().word + (o.arg() != null ? " " + o.arg() : ""), o.line()});
            else if (s instanceof Ast.IfStmt f) {
                out.add(new Object[]{depth + " if " + f.cond().render(), f.line()});
                flatten(f.then(), depth + 1, out);
                if (!f.orElse().isEmpty()) {
                    out.add(new Object[]{depth + " else", f.line()});
                    flatten(f.orElse(), depth + 1, out);
                }
            }
        }
    }

    /** The base's definition of a path: a preset's, or a base file's (falling back to the preset it extends). */
    public static java.util.function.Function<String, Ast.PathDef> basePaths(String againstPreset, Ast.PathFile againstFile) {
        return name -> {
            if (againstFile != null) {
                Ast.PathDef d = againstFile.path(name);
                if (d != null) return d;
                return againstFile.extendsPreset() == null ? null : Presets.load(againstFile.extendsPreset()).path(name);
            }
            return Presets.load(againstPreset).path(name);
        };
    }

    // ---- reports

    public static String text(Outcome o, boolean markdown) {
        StringBuilder sb = new StringBuilder();
        String h1 = markdown ? "## " : "", h2 = markdown ? "### " : "";
        sb.append(h1).append("ukl review: ").append(o.change()).append(" against ").append(o.against()).append("\n\n");
        sb.append(String.format("%d cells on each side (%s sweep), %,d states in all, %.1f s%n%n", o.pairs(), o.sweep().name().toLowerCase(), o.states(), o.seconds()));
        if (o.added().isEmpty()) sb.append(h2).append("The change adds no violation\n\n");
        for (Finding f : o.added()) {
            sb.append(h2).append("Adds ").append(f.property()).append(" in ").append(f.cells().size()).append(f.cells().size() == 1 ? " cell" : " cells").append("\n\n");
            sb.append(list(f, markdown)).append('\n');
            if (f.shortest() != null) {
                sb.append("Shortest, in ").append(f.shortestPair().where()).append(":\n\n");
                if (f.firstChangedStep() >= 0) sb.append("The first step that runs a line the change adds or alters: step ").append(f.firstChangedStep()).append(", ").append(f.firstChangedWhat()).append(".\n\n");
                else sb.append("No step runs a line the change adds or alters: the change removes code this trace needed.\n\n");
                String story = f.shortest().stories().get(f.property());
                sb.append("```\n").append(story == null ? "(no trace)" : story.strip()).append("\n```\n\n");
            }
        }
        if (!o.removed().isEmpty()) {
            for (Finding f : o.removed()) {
                sb.append(h2).append("Removes ").append(f.property()).append(" in ").append(f.cells().size()).append(f.cells().size() == 1 ? " cell" : " cells").append("\n\n");
                sb.append(list(f, markdown)).append('\n');
                sb.append("(A removed violation can hide one the change adds later on the same trace: a violation ends a trace.)\n\n");
            }
        }
        if (!o.incomplete().isEmpty()) {
            sb.append(h2).append("Not compared: ").append(o.incomplete().size()).append(o.incomplete().size() == 1 ? " cell" : " cells").append(" where one side hit a bound\n\n");
            bullets(sb, o.incomplete());
        }
        if (!o.bothIncomplete().isEmpty()) {
            sb.append(h2).append("Not compared: ").append(o.bothIncomplete().size()).append(o.bothIncomplete().size() == 1 ? " cell" : " cells")
                    .append(" where the base hits the bound too\n\n");
            bullets(sb, o.bothIncomplete());
        }
        for (String s : o.onlyOneSide()) sb.append("note: ").append(s).append('\n');
        sb.append(o.exitCode() == 1 ? "verdict: the change adds " + o.added().size() + (o.added().size() == 1 ? " violated property" : " violated properties")
                : o.exitCode() == 3 ? "verdict: incomplete: the change adds no violation where both sides finished, and "
                        + (o.incomplete().size() + o.bothIncomplete().size()) + " cells were not compared"
                : "verdict: the change adds no violation").append('\n');
        return sb.toString();
    }

    private static void bullets(StringBuilder sb, List<String> items) {
        for (String s : items.subList(0, Math.min(10, items.size()))) sb.append("- ").append(s).append('\n');
        if (items.size() > 10) sb.append("- ... and ").append(items.size() - 10).append(" more\n");
        sb.append('\n');
    }

    private static String list(Finding f, boolean markdown) {
        StringBuilder sb = new StringBuilder();
        int k = 0;
        for (Pair p : f.cells()) {
            if (k++ == 8) { sb.append(markdown ? "- " : "  ").append("... and ").append(f.cells().size() - 8).append(" more\n"); break; }
            sb.append(markdown ? "- " : "  ").append(p.where())
                    .append(f.otherUnfinished().contains(p) ? "  (the base's cell hit a bound without showing it)" : "").append('\n');
        }
        return sb.toString();
    }

    public static Map<String, Object> json(Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("change", o.change());
        m.put("against", o.against());
        m.put("sweep", o.sweep().name().toLowerCase());
        m.put("cellsPerSide", o.pairs());
        m.put("states", o.states());
        m.put("seconds", o.seconds());
        m.put("adds", findingsJson(o.added(), true));
        m.put("removes", findingsJson(o.removed(), false));
        m.put("notCompared", o.incomplete());
        m.put("notComparedBaseToo", o.bothIncomplete());
        m.put("notes", o.onlyOneSide());
        m.put("exitCode", o.exitCode());
        return m;
    }

    private static List<Object> findingsJson(List<Finding> fs, boolean withTrace) {
        List<Object> out = new ArrayList<>();
        for (Finding f : fs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("property", f.property());
            m.put("cells", f.cells().stream().map(Pair::where).toList());
            m.put("otherSideUnfinished", f.otherUnfinished().stream().map(Pair::where).sorted().toList());
            if (withTrace && f.shortest() != null) {
                m.put("shortestIn", f.shortestPair().where());
                m.put("firstChangedStep", f.firstChangedStep());
                m.put("trace", f.shortest().traces().get(f.property()));
            }
            out.add(m);
        }
        return out;
    }

    /**
     * The review as the matrix's HTML page (issue 14): a base row and a change row per option set,
     * one column per workload and variant of the sweep; the change's rows are marked against the
     * base's and the cells that differ are outlined. Cells outside the sweep read "n/a".
     */
    public static String html(Outcome o, List<Pair> pairs, List<Matrix.Cell> cells, Matrix.Config cfg, String title) {
        List<String> cols = new ArrayList<>();
        for (Pair p : pairs) { String c = Matrix.column(p.workload(), p.variant()); if (!cols.contains(c)) cols.add(c); }
        Map<String, Matrix.Row> rowsByLabel = new LinkedHashMap<>();
        Map<String, Map<String, Matrix.Cell>> byRow = new LinkedHashMap<>();
        List<Matrix.Cell> done = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            for (int side = 0; side < 2; side++) {
                Matrix.Job j = side == 0 ? p.base() : p.change();
                Matrix.Cell c = cells.size() > 2 * i + side ? cells.get(2 * i + side) : null;
                rowsByLabel.putIfAbsent(j.row().label(), j.row());
                if (c != null) { byRow.computeIfAbsent(j.row().label(), k -> new LinkedHashMap<>()).put(Matrix.column(p.workload(), p.variant()), c); done.add(c); }
            }
        }
        List<MatrixReport.Line> lines = new ArrayList<>();
        for (Matrix.Row r : rowsByLabel.values()) {
            List<Matrix.Cell> cs = new ArrayList<>();
            for (String col : cols) {
                Matrix.Cell c = byRow.getOrDefault(r.label(), Map.of()).get(col);
                boolean inSweep = false;
                for (Pair p : pairs) if (Matrix.column(p.workload(), p.variant()).equals(col) && (p.base().row() == r || p.change().row() == r)) inSweep = true;
                cs.add(c != null ? c : inSweep ? null
                        : new Matrix.Cell(r, col, "n/a", List.of(), null, 0, 0, false, null, Map.of(), Map.of(), "not in the sweep"));
            }
            lines.add(new MatrixReport.Line(r, cs));
        }
        MatrixReport.Summary sum = MatrixReport.summary(2 * pairs.size(), done, o.seconds(), false, "java");
        return HtmlReport.render(MatrixReport.json(lines, cols, sum, cfg, true), title);
    }
}
