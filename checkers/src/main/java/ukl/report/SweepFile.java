package ukl.report;

import ukl.model.InputError;
import ukl.model.Option;
import ukl.model.TextFiles;
import ukl.model.Workload;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A custom sweep for {@code ukl review --sweep FILE} (issue 14): which option sets, which
 * workloads, and which variant axes. One {@code key: value} a line, {@code #} comments:
 * <pre>
 * options: single               # or: all, or sets such as {} {RET} {BYP,NSS}
 * workloads: getppid, mmap      # default: every bundled workload
 * threads: 1, 2                 # the axes, as ukl matrix takes them; default: each workload's own
 * cpus: 1
 * co-runner: none, user
 * events: TIMER:1; TIMER:1,NMI:1
 * </pre>
 */
public record SweepFile(String source, String optionsMode, List<Set<String>> optionSets, List<Integer> setLines,
                        List<String> workloads, List<Matrix.Variant> variants) {

    public static SweepFile read(String file) {
        String text = TextFiles.readUtf8(file);
        String mode = "all";
        List<Set<String>> sets = new ArrayList<>();
        List<Integer> setLines = new ArrayList<>();
        List<String> ws = null;
        List<Integer> threads = new ArrayList<>(), cpus = new ArrayList<>();
        List<Boolean> co = new ArrayList<>();
        List<String> events = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int no = i + 1;
            String raw = lines[i];
            int hash = raw.indexOf('#');
            String code = hash >= 0 ? raw.substring(0, hash) : raw;
            if (code.isBlank()) continue;
            int colon = code.indexOf(':');
            int lead = code.length() - code.stripLeading().length();
            if (colon < 0) throw new InputError(file, no, lead + 1, "expected 'KEY: VALUE' (options, workloads, threads, cpus, co-runner, events)");
            String key = code.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String val = code.substring(colon + 1).strip();
            int vcol = colon + 2 + (code.substring(colon + 1).length() - code.substring(colon + 1).stripLeading().length());
            if (!seen.add(key)) throw new InputError(file, no, lead + 1, "'" + key + "' is given twice");
            if (val.isEmpty()) throw new InputError(file, no, colon + 2, "'" + key + "' needs a value");
            switch (key) {
                case "options" -> {
                    String v = val.toLowerCase(Locale.ROOT);
                    if (v.equals("all") || v.equals("single")) { mode = v; break; }
                    mode = "sets";
                    int j = 0;
                    while (j < val.length()) {
                        char ch = val.charAt(j);
                        if (Character.isWhitespace(ch)) { j++; continue; }
                        if (ch != '{') throw new InputError(file, no, colon + 2 + leadIn(code, colon) + j, "expected all, single, or option sets such as {} {RET} {BYP,NSS}");
                        int end = val.indexOf('}', j);
                        if (end < 0) throw new InputError(file, no, colon + 2 + leadIn(code, colon) + j, "'{' without '}'");
                        Set<String> set = new TreeSet<>();
                        String inner = val.substring(j + 1, end);
                        for (String n : inner.split(",")) {
                            String o = n.strip();
                            if (o.isEmpty()) continue;
                            if (!Matrix.allUniverse().contains(o.toUpperCase(Locale.ROOT).replace("PREEMPT=FULL", "PREEMPT=full")))
                                throw new InputError(file, no, colon + 2 + leadIn(code, colon) + j + 1, "unknown option '" + o + "'; expected some of " + String.join(", ", Matrix.allUniverse()));
                            set.add(o.toUpperCase(Locale.ROOT).replace("PREEMPT=FULL", "PREEMPT=full"));
                        }
                        sets.add(set);
                        setLines.add(no);
                        j = end + 1;
                    }
                }
                case "workloads" -> {
                    ws = new ArrayList<>();
                    for (String w : val.split(",")) {
                        String n = w.strip().toLowerCase(Locale.ROOT);
                        if (!Workload.ALL.containsKey(n)) throw new InputError(file, no, vcol, "unknown workload '" + w.strip() + "'; expected one of " + String.join(", ", Workload.ALL.keySet()));
                        ws.add(n);
                    }
                }
                case "threads", "cpus" -> {
                    for (String x : val.split(",")) {
                        int n;
                        try { n = Integer.parseInt(x.strip()); } catch (NumberFormatException e) { n = 0; }
                        if (n < 1 || n > 4) throw new InputError(file, no, vcol, key + ": expected numbers 1 to 4, not '" + x.strip() + "'");
                        (key.equals("threads") ? threads : cpus).add(n);
                    }
                }
                case "co-runner" -> {
                    for (String x : val.split(",")) {
                        String v = x.strip().toLowerCase(Locale.ROOT);
                        if (!v.equals("none") && !v.equals("user")) throw new InputError(file, no, vcol, "co-runner: expected none or user, not '" + x.strip() + "'");
                        co.add(v.equals("user"));
                    }
                }
                case "events" -> {
                    for (String e : val.split(";")) {
                        ukl.model.Scenario.Builder b = ukl.model.Scenario.builder();
                        b.origin = file + ":" + no + ":" + vcol;   // the spec's own errors, positioned in this file
                        b.eventsSpec(e.strip());
                        events.add(e.strip());
                    }
                }
                default -> throw new InputError(file, no, lead + 1, "unknown key '" + key + "'; expected options, workloads, threads, cpus, co-runner or events");
            }
        }
        if (ws == null) ws = new ArrayList<>(Workload.ALL.keySet());
        return new SweepFile(file, mode, sets, setLines, ws, Matrix.variants(threads, cpus, co, events));
    }

    private static int leadIn(String code, int colon) {
        String after = code.substring(colon + 1);
        return after.length() - after.stripLeading().length() - 1;
    }

    /** Whether a row's option set (the label's {...}) is in the sweep. */
    public boolean admits(Matrix.Row r) {
        int n = r.options().size() + (r.preemptFull() ? 1 : 0);
        return switch (optionsMode) {
            case "single" -> n <= 1;
            case "sets" -> optionSets.contains(names(r));
            default -> true;
        };
    }

    static Set<String> names(Matrix.Row r) {
        Set<String> s = new TreeSet<>();
        for (Option o : r.options()) s.add(o.name());
        if (r.preemptFull()) s.add("PREEMPT=full");
        return s;
    }
}
