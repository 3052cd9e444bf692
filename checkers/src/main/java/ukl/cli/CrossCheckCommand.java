package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.model.InputError;
import ukl.model.Scenario;
import ukl.tlc.CrossCheck;
import ukl.tlc.TlcEngine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "cross-check", mixinStandardHelpOptions = true,
        description = {"Run the Java explorer and TLC on the same scenario and compare: the state sets (through one",
                "canonical encoding), every property's verdict, and each engine's counterexamples replayed on the other.",
                "Exit 0 when they agree, 1 at a disagreement (printed), 3 when a run did not finish (nothing compared)."})
final class CrossCheckCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin ScenarioOptions so = new ScenarioOptions();
    @Option(names = "--all", description = "every scenario in the scenarios directory (one TLC does not finish within --tlc-limit is listed as incomplete)") boolean all;
    @Option(names = "--scenarios", paramLabel = "DIR", description = "scenario directory for --all (default specs/scenarios)") String dir = "specs/scenarios";
    @Option(names = "--tlc-limit", paramLabel = "SECONDS", description = "per TLC run under --all (default 600); a scenario TLC does not finish in it is listed as incomplete, with how far it got") long tlcLimit = 600;
    @CommandLine.Mixin TlcOptions tlc = new TlcOptions();
    @Option(names = "--work", paramLabel = "DIR") String work;
    @Option(names = "--out", paramLabel = "FILE") String out;

    public Integer call() {
        tlc.validate();
        int workers = tlc.workers();
        if (tlcLimit < 1 || tlcLimit > Scenario.MAX_TIME_LIMIT_SECONDS)
            throw InputError.arg("--tlc-limit", "expected 1 to " + Scenario.MAX_TIME_LIMIT_SECONDS + " seconds, not " + tlcLimit);
        PrintWriter pw = spec.commandLine().getOut();
        Path base = work != null ? Path.of(work) : TlcEngine.tempWork();
        try (CtrlC c = CtrlC.interruptsThisThread(); ProgressView.Handle v = ProgressView.install(tlc.progress(), spec.commandLine().getErr())) {
            return all ? runAll(pw, base, c, workers) : runOne(pw, base, c, workers);
        } finally {
            if (work == null) TlcEngine.deleteTree(base);   // a --work DIR the user named is kept
        }
    }

    private int runOne(PrintWriter pw, Path base, CtrlC ctrlC, int workers) {
        Scenario sc = so.resolve().scenario();
        CrossCheck.Outcome o = CrossCheck.run(sc, base, workers, sc.timeLimitMillis / 1000, ukl.model.Machine.Perturbation.NONE, tlc.plan());
        ctrlC.hit();   // a Ctrl-C made one run incomplete: the outcome says so, and the report is written
        Output.emit(describe(o), out, pw);
        if (o.incomplete() != null) return 3;   // nothing was compared: neither agreement nor disagreement
        return o.agree() ? 0 : 1;
    }

    private int runAll(PrintWriter pw, Path base, CtrlC ctrlC, int workers) {
        if (so.scenario != null || so.scenarioFlags()) throw InputError.arg("command line", "--all runs every scenario file; give no scenario flags with it");
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            files = s.filter(p -> p.toString().endsWith(".scenario")).sorted().toList();
        } catch (IOException e) {
            throw InputError.arg(dir, "cannot list scenarios: " + e.getMessage());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-32s %17s  %-7s %-7s %-8s %8s %8s%n", "scenario", "states java/tlc", "agree", "traces", "verdict", "java s", "tlc s"));
        List<String> failures = new ArrayList<>();
        int ran = 0, skipped = 0;
        for (Path f : files) {
            String name = f.getFileName().toString().replace(".scenario", "");
            if (Thread.currentThread().isInterrupted()) { sb.append(String.format("%-32s interrupted (Ctrl-C); not run%n", name)); skipped++; continue; }
            ScenarioFile.Parsed p = ScenarioFile.read(f.toString());
            so.applyBounds(p.builder());
            Scenario sc = p.builder().build();
            CrossCheck.Outcome o = null;
            String incomplete;
            try {
                o = CrossCheck.run(sc, base.resolve(name), workers, tlcLimit, ukl.model.Machine.Perturbation.NONE, tlc.plan());
                incomplete = o.incomplete();
            } catch (OutOfMemoryError e) {
                // One scenario too big for this JVM is a bound on that scenario, not the end of --all.
                incomplete = "out of memory (heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; give Java more with JAVA_TOOL_OPTIONS=-Xmx<size>)";
            }
            if (work == null) TlcEngine.deleteTree(base.resolve(name));   // each scenario's dumps go as soon as it is done
            if (incomplete != null) {
                skipped++;
                sb.append(String.format("%-32s %17s  incomplete, not compared: %s%n", name, o == null ? "-" : o.javaStates() + "/" + o.tlcStates(),
                        incomplete.replace('\n', ' ')));
                if (out == null) { pw.print(sb); pw.flush(); sb.setLength(0); }
                continue;
            }
            ran++;
            sb.append(String.format("%-32s %17s  %-7s %-7s %-8s %8.2f %8.2f%n", name, o.javaStates() + "/" + o.tlcStates(),
                    o.statesAgree() && o.verdictsAgree() ? "yes" : "NO", o.tracesReplay() ? "yes" : "NO", o.java().verdict(),
                    o.javaSeconds(), o.tlcSeconds()));
            if (!o.agree()) failures.add(name + ":\n" + String.join("\n", o.differences()));
            if (out == null) { pw.print(sb); pw.flush(); sb.setLength(0); }   // rows as they finish
        }
        ctrlC.hit();
        sb.append(String.format("%n%d scenarios cross-checked, %d incomplete (not compared; TLC limit %d s), %d disagreements%n", ran, skipped, tlcLimit, failures.size()));
        for (String fl : failures) sb.append('\n').append(fl).append('\n');
        Output.emit(sb.toString(), out, pw);
        return !failures.isEmpty() ? 1 : skipped > 0 ? 3 : 0;
    }

    static String describe(CrossCheck.Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append("cross-check: ").append(o.scenario().name).append('\n');
        if (o.incomplete() != null) {
            sb.append("  INCOMPLETE: not compared; a cross-check compares only runs that both finished under the same bounds\n");
            sb.append("  ").append(o.incomplete().replace("\n", "\n  ")).append('\n');
            sb.append(String.format("  reached           java %d states (%s), tlc %d states (%s)%n", o.javaStates(), o.java().verdict(), o.tlcStates(), o.tlc().verdict()));
            return sb.toString();
        }
        if (o.scenario().symmetry)   // Java keeps one state per orbit; TLC's full set is mapped to orbits (CrossCheck)
            sb.append(String.format("  distinct states   java %d (one per orbit, --symmetry), tlc %d orbits of its %d states: %s%n", o.javaStates(), o.tlcStates(),
                    o.tlc().stats().states(), o.statesAgree() ? "the same set" : "DIFFERENT"));
        else sb.append(String.format("  distinct states   java %d, tlc %d: %s%n", o.javaStates(), o.tlcStates(), o.statesAgree() ? "the same set" : "DIFFERENT"));
        sb.append(String.format("  verdicts          %s%n", o.verdictsAgree() ? "agree on every property" : "DISAGREE"));
        sb.append(String.format("  counterexamples   %s%n", o.tracesReplay() ? "each replays on the other engine" : "DO NOT REPLAY"));
        sb.append(String.format("  time              java %.2f s, tlc %.2f s (all TLC runs: the main run, shortest traces, liveness, trace replays)%n", o.javaSeconds(), o.tlcSeconds()));
        sb.append(String.format("  speed             java %.0f states/s, peak heap %d MiB; tlc %.0f states/s in its main run (%.2f s, one TLC process), peak RSS of TLC %d MiB%n",
                o.javaStates() / Math.max(o.javaSeconds(), 1e-6), o.java().stats().peakMemoryBytes() >> 20,
                o.tlcStates() / Math.max(o.tlcStatesRunSeconds(), 1e-6), o.tlcStatesRunSeconds(), o.tlc().stats().peakMemoryBytes() >> 20));
        sb.append(String.format("  verdict           java %s, tlc %s%n", o.java().verdict(), o.tlc().verdict()));
        for (String d : o.differences()) sb.append("  ").append(d.replace("\n", "\n  ")).append('\n');
        return sb.toString();
    }
}
