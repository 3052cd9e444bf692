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
import ukl.model.Simulator;
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

    @CommandLine.Mixin ScenarioOptions so = new ScenarioOptions();
    @CommandLine.Mixin OutputOptions output = new OutputOptions();
    @CommandLine.Mixin SimulateOptions sim = new SimulateOptions();

    public Integer call() {
        output.validate();
        sim.validate();
        if (so.scenario == null && !so.scenarioFlags()) {
            if (sim.simulate) throw InputError.arg("--simulate", "simulation needs a scenario (--preset/--workload or --scenario)");
            return defaultRun();
        }
        ScenarioOptions.Resolved rs = so.resolve();
        if (rs.file() == null && so.workload == null)   // never pick a workload silently
            spec.commandLine().getErr().println("ukl: no --workload given: checking " + rs.scenario().workload.name()
                    + " only ('ukl list workloads' lists the others)");
        Result r;
        try (CtrlC c = CtrlC.interruptsThisThread()) {
            r = sim.simulate ? new Simulator(rs.scenario()).run(sim.depth(), sim.seed(), sim.traces()) : Explorer.check(rs.scenario());
            c.hit();
        }
        if (rs.file() != null) {
            List<String> mm = Report.mismatches(r, rs.file().defaultExpect());
            output.emit(r, mm, spec.commandLine().getOut());
            return Report.scenarioExit(r, mm);
        }
        output.emit(r, null, spec.commandLine().getOut());
        return r.exitCode();
    }

    /** The embedded default: every preset against every bundled workload at its defaults. */
    private int defaultRun() {
        long t0 = System.nanoTime();
        Map<String, List<Result>> byPreset = new LinkedHashMap<>();
        boolean interrupted;
        try (CtrlC c = CtrlC.interruptsThisThread()) {
            for (String p : Presets.NAMES) {
                List<Result> rs = new ArrayList<>();
                // Each cell twice: as built, and with NOHZ_FULL, the only option under which context
                // tracking is live, so that RCU_NOT_WATCHING and CONTEXT_TRACKING are checked too (issue 13).
                for (boolean nohz : new boolean[] {false, true})
                    for (String w : Workload.ALL.keySet()) {
                        Scenario.Builder b = Scenario.builder().preset(p).workload(w);
                        if (nohz) { b.option(ukl.model.Option.NOHZ_FULL); b.name = p + " + " + w + " + NOHZ_FULL"; }
                        so.applyBounds(b);
                        rs.add(Explorer.check(b.build()));   // after Ctrl-C each run stops at once, incomplete
                    }
                byPreset.put(p, rs);
            }
            interrupted = c.hit();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long states = byPreset.values().stream().flatMap(List::stream).mapToLong(r -> r.stats().states()).sum();
        boolean anyViolation = byPreset.values().stream().flatMap(List::stream).anyMatch(r -> r.verdict().equals("violation"));
        boolean anyIncomplete = byPreset.values().stream().flatMap(List::stream).anyMatch(r -> r.incompleteReason() != null);
        String text;
        if (output.json()) {
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
        Output.emit(text, output.out, spec.commandLine().getOut());
        if (interrupted) return 3;
        return anyViolation ? 1 : anyIncomplete ? 3 : 0;
    }

    private static String defaultTable(Map<String, List<Result>> byPreset, long states, double secs) {
        StringBuilder sb = new StringBuilder();
        sb.append("ukl check: every preset against every bundled workload at its default bounds\n");
        sb.append("(each workload with and without NOHZ_FULL; cell: holds, or the workloads that violate the property,\n")
          .append(" '+nohz' where only the NOHZ_FULL run does)\n\n");
        sb.append(String.format("%-22s", "property"));
        for (String p : byPreset.keySet()) sb.append(String.format(" | %-22s", p));
        sb.append('\n').append("-".repeat(22 + byPreset.size() * 25)).append('\n');
        for (Property prop : Property.values()) {
            sb.append(String.format("%-22s", prop.name()));
            for (List<Result> rs : byPreset.values()) {
                List<String> bad = new ArrayList<>();
                boolean unknown = false, checked = false;
                for (Result r : rs) {
                    Result.Status st = r.properties().get(prop).status();
                    String w = r.scenario().workload.name();
                    if (st == Result.Status.VIOLATED && !bad.contains(w)) {
                        if (!r.scenario().has(ukl.model.Option.NOHZ_FULL)) bad.add(w);
                        else if (!bad.contains(w + "+nohz")) bad.add(w + "+nohz");
                    }
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
