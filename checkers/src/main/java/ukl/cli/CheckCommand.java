package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.model.Explorer;
import ukl.model.InputError;
import ukl.model.Presets;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.model.Workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Explore every state of a scenario and report each property's verdict.",
                "With no arguments: every preset against every bundled workload at its default bounds."})
final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", description = "linux, ukl-paper, ukl-5.14, ukl-rfc or ukl-6x") String preset;
    @Option(names = "--paths", paramLabel = "FILE", description = "a path file (may 'extends PRESET')") String paths;
    @Option(names = "--scenario", paramLabel = "FILE", description = "a scenario file with expectations") String scenario;
    @Option(names = "--option", paramLabel = "NAME[=VALUE]", description = "an option; repeatable (BYP, NSS, NSS_PS, RET, PF_DF, PF_SS, STACK_VMA_CHECK, RUN_TO_COMPLETION, NOHZ_FULL, APP_REDZONE, PREEMPT=none|full)") List<String> options = new ArrayList<>();
    @Option(names = "--workload", paramLabel = "NAME", description = "a bundled workload (ukl list workloads)") String workload;
    @Option(names = "--threads", paramLabel = "N", description = "app threads (default: the workload's)") Integer threads;
    @Option(names = "--co-runner", paramLabel = "user|none", description = "an ordinary process on the last CPU") String coRunner;
    @Option(names = "--cpus", paramLabel = "N") Integer cpus;
    @Option(names = "--events", paramLabel = "EVENT[:COUNT],...", description = "TIMER, IPI, NMI, MC, DB, SIGNAL, WAKEUP; COUNT a number or * (unbounded); 'none'") String events;
    @Option(names = "--preempt", paramLabel = "none|full") String preempt;
    @Option(names = "--bypass-limit", paramLabel = "N", description = "UKL_BYP limit (code default 50)") Integer bypassLimit;
    @Option(names = "--ist", paramLabel = "VECTOR=INDEX", description = "IDT IST assignment; repeatable") List<String> ist = new ArrayList<>();
    @Option(names = "--max-states", paramLabel = "N", description = "state bound (default 2000000)") Long maxStates;
    @Option(names = "--max-nesting", paramLabel = "N", description = "activation nesting bound (default 12)") Integer maxNesting;
    @Option(names = "--time-limit", paramLabel = "SECONDS", description = "time bound (default 600)") Long timeLimit;
    @Option(names = "--format", paramLabel = "text|json", description = "output format (default text)") String format = "text";
    @Option(names = "--out", paramLabel = "FILE", description = "write the report here instead of stdout") String out;

    public Integer call() {
        if (!format.equals("text") && !format.equals("json"))
            throw InputError.arg("--format", "expected text or json, not '" + format + "'");
        boolean scenarioFlags = preset != null || paths != null || !options.isEmpty() || workload != null || threads != null
                || coRunner != null || cpus != null || events != null || preempt != null || bypassLimit != null || !ist.isEmpty();
        if (scenario != null) {
            if (scenarioFlags) throw InputError.arg("command line", "--scenario FILE says everything about the run; do not combine it with scenario flags");
            ScenarioFile.Parsed p = ScenarioFile.read(scenario);
            applyBounds(p.builder());
            Scenario sc = p.builder().build();
            Result r = Explorer.check(sc);
            List<String> mm = Report.mismatches(r, p.defaultExpect());
            emit(r, mm);
            return mm.isEmpty() ? 0 : 1;
        }
        if (!scenarioFlags) return defaultRun();
        Scenario.Builder b = Scenario.builder();
        b.preset = preset;
        if (paths != null) b.pathsFile = paths;
        if (workload != null) b.workload = workload;
        for (String o : options) b.optionSpec(o);
        if (preempt != null) b.optionSpec("PREEMPT=" + preempt);
        if (threads != null) b.threads = threads;
        if (cpus != null) b.cpus = cpus;
        if (coRunner != null) {
            if (!coRunner.equals("user") && !coRunner.equals("none")) throw InputError.arg("--co-runner", "expected user or none, not '" + coRunner + "'");
            b.coRunner = coRunner.equals("user");
        }
        if (events != null) { b.origin = "--events"; b.eventsSpec(events); }
        if (bypassLimit != null) b.bypassLimit = bypassLimit;
        b.origin = "--ist";
        for (String s : ist) b.istSpec(s);
        b.origin = "command line";
        applyBounds(b);
        Result r = Explorer.check(b.build());
        emit(r, null);
        return r.exitCode();
    }

    private void applyBounds(Scenario.Builder b) {
        if (maxStates != null) b.maxStates = maxStates;
        if (maxNesting != null) b.maxNesting = maxNesting;
        if (timeLimit != null) b.timeLimitSeconds = timeLimit;
    }

    private void emit(Result r, List<String> mismatches) {
        String text = format.equals("json") ? Json.write(Report.json(r, mismatches)) : Report.text(r, mismatches);
        Output.emit(text, out, spec.commandLine().getOut());
    }

    /** The embedded default: every preset against every bundled workload at its defaults. */
    private int defaultRun() {
        long t0 = System.nanoTime();
        Map<String, List<Result>> byPreset = new LinkedHashMap<>();
        for (String p : Presets.NAMES) {
            List<Result> rs = new ArrayList<>();
            for (String w : Workload.ALL.keySet()) {
                Scenario.Builder b = Scenario.builder().preset(p).workload(w);
                applyBounds(b);
                rs.add(Explorer.check(b.build()));
            }
            byPreset.put(p, rs);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long states = byPreset.values().stream().flatMap(List::stream).mapToLong(r -> r.stats().states()).sum();
        boolean anyViolation = byPreset.values().stream().flatMap(List::stream).anyMatch(r -> r.verdict().equals("violation"));
        boolean anyIncomplete = byPreset.values().stream().flatMap(List::stream).anyMatch(r -> r.incompleteReason() != null);
        String text;
        if (format.equals("json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tool", Report.TOOL);
            m.put("version", Report.VERSION);
            List<Object> runs = new ArrayList<>();
            for (List<Result> rs : byPreset.values()) for (Result r : rs) runs.add(Report.json(r, null));
            m.put("runs", runs);
            m.put("totalStates", states);
            m.put("seconds", secs);
            m.put("peakMemoryBytes", Explorer.peakHeap());
            text = Json.write(m);
        } else {
            text = defaultTable(byPreset, states, secs);
        }
        Output.emit(text, out, spec.commandLine().getOut());
        return anyViolation ? 1 : anyIncomplete ? 3 : 0;
    }

    private static String defaultTable(Map<String, List<Result>> byPreset, long states, double secs) {
        StringBuilder sb = new StringBuilder();
        sb.append("ukl check: every preset against every bundled workload at its default bounds\n");
        sb.append("(cell: holds, or the workloads that violate the property; 'n/c' = not checked without NOHZ_FULL)\n\n");
        sb.append(String.format("%-20s", "property"));
        for (String p : byPreset.keySet()) sb.append(String.format(" | %-22s", p));
        sb.append('\n').append("-".repeat(20 + byPreset.size() * 25)).append('\n');
        for (Property prop : Property.values()) {
            sb.append(String.format("%-20s", prop.name()));
            for (List<Result> rs : byPreset.values()) {
                List<String> bad = new ArrayList<>();
                boolean unknown = false, checked = false;
                for (Result r : rs) {
                    Result.Status st = r.properties().get(prop).status();
                    if (st == Result.Status.VIOLATED) bad.add(r.scenario().workload.name());
                    if (st == Result.Status.UNKNOWN) unknown = true;
                    if (st != Result.Status.NOT_CHECKED) checked = true;
                }
                String cell = !checked ? "n/c" : !bad.isEmpty() ? String.join(",", bad) : unknown ? "unknown" : "holds";
                if (cell.length() > 22) cell = cell.substring(0, 19) + "...";
                sb.append(String.format(" | %-22s", cell));
            }
            sb.append('\n');
        }
        sb.append('\n');
        for (Map.Entry<String, List<Result>> e : byPreset.entrySet())
            for (Result r : e.getValue())
                if (r.incompleteReason() != null) sb.append("incomplete: ").append(r.scenario().name).append(": ").append(r.incompleteReason()).append('\n');
        sb.append(String.format("%d runs, %d states in all, %.1f s, peak heap %d MiB%n",
                byPreset.values().stream().mapToInt(List::size).sum(), states, secs, Explorer.peakHeap() >> 20));
        sb.append("Run 'ukl check --preset P --workload W' for one cell's traces.\n");
        return sb.toString();
    }
}
