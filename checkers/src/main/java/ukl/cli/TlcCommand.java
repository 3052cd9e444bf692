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
    @Option(names = "--format", paramLabel = "text|json") String format = "text";
    @Option(names = "--out", paramLabel = "FILE") String out;

    public Integer call() {
        if (!format.equals("text") && !format.equals("json")) throw InputError.arg("--format", "expected text or json, not '" + format + "'");
        if (workers < 1) throw InputError.arg("--workers", "must be at least 1");
        ScenarioOptions.Resolved rs = so.resolve();
        long limit = rs.scenario().timeLimitMillis / 1000;
        Result r = new TlcEngine(rs.scenario(), work != null ? Path.of(work) : TlcEngine.tempWork(), workers, limit).check();
        List<String> mm = rs.file() != null ? Report.mismatches(r, rs.file().defaultExpect()) : null;
        String text = format.equals("json") ? Json.write(Report.json(r, mm)) : Report.text(r, mm);
        Output.emit(text, out, spec.commandLine().getOut());
        if (mm != null) return mm.isEmpty() ? 0 : 1;
        return r.exitCode();
    }
}
