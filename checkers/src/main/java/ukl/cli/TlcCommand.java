package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.model.InputError;
import ukl.model.Result;
import ukl.tlc.TlcEngine;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "tlc", mixinStandardHelpOptions = true,
        description = {"Check a scenario with TLC (the TLA+ twin, specs/Kernel.tla) and report it like 'ukl check'.",
                "TLC runs as a subprocess; the generated MCKernel_<scenario>.tla/.cfg are kept with --work DIR."})
final class TlcCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin ScenarioOptions so = new ScenarioOptions();
    @Option(names = "--workers", paramLabel = "N", description = "TLC worker threads (default 1)") int workers = 1;
    @Option(names = "--work", paramLabel = "DIR", description = "where the generated spec and TLC's files go (default: a temp dir)") String work;
    @Option(names = "--simulate", description = "random simulation instead of exhaustive checking (finds violations, proves nothing)") boolean simulate;
    @Option(names = "--depth", paramLabel = "D", description = "with --simulate: steps per behavior (default 100)") int depth = 100;
    @Option(names = "--seed", paramLabel = "S", description = "with --simulate: the random seed (default 1)") long seed = 1;
    @Option(names = "--traces", paramLabel = "N", description = "with --simulate: number of behaviors (default 1000)") int traces = 1000;
    @CommandLine.Mixin OutputOptions output = new OutputOptions();

    public Integer call() {
        output.validate();
        if (workers < 1 || workers > 64) throw InputError.arg("--workers", "expected 1 to 64 TLC worker threads, not " + workers);
        ScenarioOptions.Resolved rs = so.resolve();
        long limit = rs.scenario().timeLimitMillis / 1000;
        if (!simulate && (depth != 100 || seed != 1 || traces != 1000))
            throw InputError.arg("command line", "--depth, --seed and --traces go with --simulate");
        if (depth < 1 || traces < 1) throw InputError.arg("--simulate", "--depth and --traces must be at least 1");
        Path dir = work != null ? Path.of(work) : TlcEngine.tempWork();
        Result r;
        try (CtrlC c = CtrlC.interruptsThisThread()) {
            TlcEngine engine = new TlcEngine(rs.scenario(), dir, workers, limit);
            r = simulate ? engine.simulate(depth, seed, traces) : engine.check();
            c.hit();
        } finally {
            if (work == null) TlcEngine.deleteTree(dir);
        }
        List<String> mm = rs.file() != null ? Report.mismatches(r, rs.file().defaultExpect()) : null;
        output.emit(r, mm, spec.commandLine().getOut());
        if (mm != null) return Report.scenarioExit(r, mm);
        return r.exitCode();
    }
}
