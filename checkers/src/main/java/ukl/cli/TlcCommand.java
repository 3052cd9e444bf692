package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.model.InputError;
import ukl.model.Result;
import ukl.tlc.TlcEngine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "tlc", mixinStandardHelpOptions = true,
        description = {"Check a scenario with TLC (the TLA+ twin, specs/Kernel.tla) and report it like 'ukl check'.",
                "TLC runs as a subprocess; the generated MCKernel_<scenario>.tla/.cfg are kept with --work DIR."})
final class TlcCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin ScenarioOptions so = new ScenarioOptions();
    @CommandLine.Mixin TlcOptions tlc = new TlcOptions();
    @Option(names = "--work", paramLabel = "DIR", description = "where the generated spec and TLC's files go (default: a temp dir)") String work;
    @Option(names = "--typeok", description = "also check Kernel.tla's TypeOK on every state (cross-check always does)") boolean typeOk;
    @Option(names = "--checkpoint", paramLabel = "MINUTES", description = "TLC writes a checkpoint every MINUTES into --work DIR (for --recover)") Integer checkpoint;
    @Option(names = "--recover", description = "resume the checkpoint a stopped '--checkpoint' run left in --work DIR") boolean recover;
    @Option(names = "--distributed", description = "check the safety properties with distributed TLC (TLCServer and TLCWorker processes)") boolean distributed;
    @Option(names = "--local-workers", paramLabel = "N", description = "with --distributed: TLCWorker processes on this machine (default 2)") Integer localWorkers;
    @Option(names = "--workers-at", paramLabel = "HOST", split = ",",
            description = "with --distributed: hosts whose TLCWorker joins this run (the command to start there is printed)") List<String> workersAt;
    @Option(names = "--server-host", paramLabel = "ADDRESS",
            description = "with --distributed: the address workers reach this machine at (default 127.0.0.1; give one with --workers-at)") String serverHost;
    @Option(names = "--port", paramLabel = "PORT", description = "with --distributed: the server's RMI port (default: a free one)") Integer port;
    @CommandLine.Mixin SimulateOptions sim = new SimulateOptions();
    @CommandLine.Mixin OutputOptions output = new OutputOptions();

    public Integer call() {
        output.validate();
        tlc.validate();
        sim.validate();
        if (so.symmetry) throw InputError.arg("--symmetry", "--symmetry reduces the Java explorer's search; TLC explores Kernel.tla in full (its threads are integers, not the model values SYMMETRY needs): use it with check or cross-check");
        TlcEngine.Distributed dist = distributed();
        if (sim.simulate && (dist != null || checkpoint != null || recover || typeOk))
            throw InputError.arg("--simulate", "--simulate does not go with --distributed, --checkpoint, --recover or --typeok");
        if (tlc.plan() == TlcEngine.Plan.PER_PROPERTY && (dist != null || checkpoint != null || recover))
            throw InputError.arg("--plan", "--plan per-property does not go with --distributed, --checkpoint or --recover");
        if (checkpoint != null && (checkpoint < 1 || checkpoint > 10_000)) throw InputError.arg("--checkpoint", "expected 1 to 10000 minutes, not " + checkpoint);
        if ((checkpoint != null || recover) && work == null)
            throw InputError.arg(checkpoint != null ? "--checkpoint" : "--recover", "needs --work DIR (the checkpoint is kept there)");
        Path dir = work != null ? Path.of(work) : TlcEngine.tempWork();
        Path recoverFrom = null;
        if (recover) {
            recoverFrom = latestCheckpoint(dir.resolve("main").resolve("meta"));
            if (recoverFrom == null) throw InputError.arg("--recover", "no TLC checkpoint in " + dir.resolve("main/meta") + " (run with --checkpoint first)");
        }
        ScenarioOptions.Resolved rs = so.resolve();
        long limit = rs.scenario().timeLimitMillis / 1000;
        Result r;
        TlcEngine engine;
        try (CtrlC c = CtrlC.interruptsThisThread(); ProgressView.Handle v = ProgressView.install(tlc.progress(), spec.commandLine().getErr())) {
            engine = new TlcEngine(rs.scenario(), dir, tlc.workers(), limit).plan(tlc.plan()).typeOk(typeOk)
                    .checkpoint(checkpoint == null ? 0 : checkpoint, recoverFrom).distributed(dist);
            r = sim.simulate ? engine.simulate(sim.depth(), sim.seed(), sim.traces()) : engine.check();
            c.hit();
        } finally {
            if (work == null) TlcEngine.deleteTree(dir);
        }
        for (String n : engine.notes()) spec.commandLine().getErr().println("ukl: " + n);
        List<String> mm = rs.file() != null ? Report.mismatches(r, rs.file().defaultExpect()) : null;
        output.emit(r, mm, spec.commandLine().getOut());
        if (mm != null) return Report.scenarioExit(r, mm);
        return r.exitCode();
    }

    private TlcEngine.Distributed distributed() {
        if (!distributed) {
            if (localWorkers != null || workersAt != null || serverHost != null || port != null)
                throw InputError.arg("command line", "--local-workers, --workers-at, --server-host and --port go with --distributed");
            return null;
        }
        int local = localWorkers == null ? 2 : localWorkers;
        List<String> remote = workersAt == null ? List.of() : workersAt;
        if (local < 0 || local > 64) throw InputError.arg("--local-workers", "expected 0 to 64 worker processes, not " + local);
        if (local == 0 && remote.isEmpty()) throw InputError.arg("--local-workers", "no workers: give --local-workers N or --workers-at HOST");
        if (!remote.isEmpty() && serverHost == null)
            throw InputError.arg("--workers-at", "remote workers need --server-host, the address they reach this machine at");
        if (port != null && (port < 1024 || port > 65535)) throw InputError.arg("--port", "expected 1024 to 65535, not " + port);
        return new TlcEngine.Distributed(local, remote, serverHost == null ? "127.0.0.1" : serverHost, port == null ? 0 : port);
    }

    /** TLC writes a run's checkpoint into a timestamped folder of its metadir (DIR/main/meta/26-12-03-17-53-16): the newest that holds one. */
    private static Path latestCheckpoint(Path meta) {
        if (!Files.isDirectory(meta)) return null;
        try (var s = Files.list(meta)) {
            return s.filter(Files::isDirectory).filter(TlcCommand::holdsCheckpoint)
                    .max(java.util.Comparator.comparing(Path::getFileName)).orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static boolean holdsCheckpoint(Path d) {
        try (var s = Files.list(d)) {
            return s.anyMatch(f -> f.getFileName().toString().endsWith(".chkpt"));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
