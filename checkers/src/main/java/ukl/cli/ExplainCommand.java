package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.model.Explorer;
import ukl.model.InputError;
import ukl.model.Property;
import ukl.model.Result;
import ukl.report.Story;
import ukl.report.TraceExport;
import ukl.report.TraceView;
import ukl.tlc.TlcRunner;
import ukl.tlc.TraceCheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.Callable;

/**
 * {@code ukl explain}: the shortest counterexample of a scenario as a story, or exported as a
 * TLA+ behavior (replayable by TLC), JSON or Graphviz dot.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Print a scenario's shortest counterexample as a story, or export it as TLA+, JSON or dot.",
                "One line per step: CPU, thread, path, op and citation, then what changed; last, the property and state that broke."})
final class ExplainCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin ScenarioOptions so = new ScenarioOptions();

    @Option(names = "--property", paramLabel = "NAME", description = "explain this property (default: the violated one with the shortest trace)")
    String property;
    @Option(names = "--trace-format", paramLabel = "story|tla|json|dot", description = "story (default), tla (a TLA+ behavior of Kernel.tla that TLC replays), json, dot")
    String format = "story";
    @Option(names = "--out", paramLabel = "FILE|DIR", description = "write here instead of stdout; for tla, a directory that gets the trace module, its .cfg, the scenario wrapper and Kernel.tla")
    String out;

    public Integer call() {
        if (!java.util.List.of("story", "tla", "json", "dot").contains(format))
            throw InputError.arg("--trace-format", "expected story, tla, json or dot, not '" + format + "'");
        Property wanted = null;
        if (property != null) {
            try { wanted = Property.valueOf(property); }
            catch (IllegalArgumentException e) { throw InputError.arg("--property", "unknown property '" + property + "'; see 'ukl list properties'"); }
        }
        if (so.scenario == null && !so.scenarioFlags())
            throw InputError.arg("ukl explain", "give a scenario: --scenario FILE, or --preset/--paths with --workload and options");
        ScenarioOptions.Resolved rs = so.resolve();
        Explorer ex = new Explorer(rs.scenario());
        Result r = ex.run();
        Property p = wanted;
        if (p == null)
            p = r.violations().stream().min(Comparator.comparingInt((Property q) -> r.properties().get(q).trace().steps().size())
                    .thenComparing(Enum::ordinal)).orElse(null);
        var pw = spec.commandLine().getOut();
        if (p == null || !r.violated(p)) {
            String what = p == null ? "no property is violated" : p + " is not violated (" + r.properties().get(p).status().word + ")";
            String bound = r.incompleteReason() != null ? "; the run is INCOMPLETE: " + r.incompleteReason() : "";
            pw.println(r.scenario().name + ": " + what + " in " + r.stats().states() + " states" + bound);
            pw.flush();
            return r.incompleteReason() != null ? 3 : 0;
        }
        TraceView v = TraceView.of(ex, r, p);
        switch (format) {
            case "story" -> Output.emit(Story.tell(v), out, pw);
            case "json" -> Output.emit(Json.write(TraceExport.json(v)), out, pw);
            case "dot" -> Output.emit(TraceExport.dot(v), out, pw);
            default -> writeTla(ex, r.properties().get(p), pw);
        }
        return 1;
    }

    private void writeTla(Explorer ex, Result.PropertyResult pr, java.io.PrintWriter pw) {
        TraceCheck.Files f = TraceCheck.traceSpec(ex, pr);
        if (f == null) throw new IllegalStateException("the explorer kept no states for " + pr.property() + "'s trace");
        if (out == null) { Output.emit(f.trace().tla(), null, pw); return; }
        Path dir = Path.of(out).toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new InputError(out, 0, 0, "--trace-format tla writes a directory, and this is a file");
        if (dir.getParent() == null || !Files.isDirectory(dir.getParent())) throw new InputError(out, 0, 0, "cannot write: directory " + dir.getParent() + " does not exist");
        try {
            // Written to a sibling temporary directory first, then moved in: nothing half-written.
            Path tmp = Files.createTempDirectory(dir.getParent(), ".ukl-tla-");
            write(tmp, "Kernel.tla", TlcRunner.kernelTla());
            write(tmp, f.wrapper().module() + ".tla", f.wrapper().tla());
            write(tmp, f.trace().module() + ".tla", f.trace().tla());
            write(tmp, f.trace().module() + ".cfg", f.trace().cfg());
            Files.createDirectories(dir);
            try (var files = Files.list(tmp)) {
                for (Path x : files.toList()) Files.move(x, dir.resolve(x.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.delete(tmp);
        } catch (IOException e) {
            throw new InputError(out, 0, 0, "cannot write: " + e.getMessage());
        }
        pw.println("wrote " + dir.resolve(f.trace().module() + ".tla") + " (" + f.states() + " states), its .cfg, " + f.wrapper().module() + ".tla and Kernel.tla");
        pw.println("replay: cd " + dir + " && java -cp <ukl.jar> tlc2.TLC -deadlock " + f.trace().module() + "   (TraceNotDone violated = TLC followed the whole trace)");
        pw.flush();
    }

    private static void write(Path dir, String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }
}
