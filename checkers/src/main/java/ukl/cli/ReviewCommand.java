package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.model.InputError;
import ukl.model.Presets;
import ukl.model.TextFiles;
import ukl.model.Workload;
import ukl.model.lang.Ast;
import ukl.model.lang.PathParser;
import ukl.report.Matrix;
import ukl.report.Review;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ukl review --paths CHANGE.ukl}: what a proposed change adds. The change and its base
 * (the preset it extends, or --against) run side by side over one sweep; only differences are
 * reported. Exit 1 when the change adds a violation, 3 when a cell could not be compared, else 0.
 */
@Command(name = "review", mixinStandardHelpOptions = true,
        description = {"Check a proposed change against its base over a sweep and report what it adds and removes.",
                "Sweep: every option set the preset admits (the UKL options and NOHZ_FULL) x every workload at its defaults;",
                "the preset with no options also with 2 threads, a co-runner (sharing the CPU, or on its own), PREEMPT=full and an extra #MC.",
                "--quick: only option sets of at most one option, at the defaults. --deep: every variant on every option set."})
final class ReviewCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--paths", required = true, paramLabel = "CHANGE.ukl", description = "the proposed change: a path file that extends a preset")
    String paths;
    @Option(names = "--against", paramLabel = "PRESET|BASE.ukl", description = "the base to compare with (default: the preset the change extends)")
    String against;
    @Option(names = "--quick", description = "a quick sweep") boolean quick;
    @Option(names = "--deep", description = "the deep sweep") boolean deep;
    @Option(names = "--sweep", paramLabel = "FILE", description = "a custom sweep: option sets, workloads and the variant axes (README, \"ukl review\")") String sweepFile;
    @Option(names = "--workloads", split = ",", paramLabel = "W", description = "workloads (default: every bundled one)")
    List<String> workloads;
    @Option(names = "--format", paramLabel = "text|json|markdown|html", description = "text (default), json, markdown (to paste into a review), or html (the matrix page: base and change rows, differing cells outlined)")
    String format = "text";
    @Option(names = "--out", paramLabel = "FILE", description = "write here instead of stdout") String out;
    @Option(names = "--jobs", paramLabel = "N", description = "cells checked at once (default: the number of CPUs)") Integer jobs;
    @Option(names = "--max-states", paramLabel = "N", description = "per-cell state bound (default 300000: a cell past it is 'not compared', listed)") long maxStates = 300_000;
    @Option(names = "--time-limit", paramLabel = "SECONDS", description = "per-cell time bound (default 60)") long timeLimit = 60;
    @Option(names = "--bypass-limit", paramLabel = "N", description = "UKL_BYP limit for BYP option sets (default 3, as the matrix)") int bypassLimit = 3;
    @Option(names = "--cache", paramLabel = "DIR", description = "result cache (default: the matrix's)") String cache;
    @Option(names = "--no-cache", description = "check every cell, read and write no cache") boolean noCache;

    public Integer call() {
        if (!List.of("text", "json", "markdown", "html").contains(format)) throw InputError.arg("--format", "expected text, json, markdown or html, not '" + format + "'");
        if (quick && deep) throw InputError.arg("--quick", "contradicts --deep");
        if (sweepFile != null && (quick || deep)) throw InputError.arg("--sweep", "contradicts --" + (quick ? "quick" : "deep"));
        if (sweepFile != null && workloads != null) throw InputError.arg("--sweep", "contradicts --workloads (name them in the sweep file)");
        ukl.report.SweepFile sf = sweepFile == null ? null : ukl.report.SweepFile.read(sweepFile);
        if (noCache && cache != null) throw InputError.arg("--no-cache", "contradicts --cache " + cache);
        if (jobs != null && (jobs < 1 || jobs > 64)) throw InputError.arg("--jobs", "expected 1 to 64, not " + jobs);
        if (maxStates < 1) throw InputError.arg("--max-states", "expected a positive number");
        if (timeLimit < 1) throw InputError.arg("--time-limit", "expected a positive number of seconds");
        if (bypassLimit < 1) throw InputError.arg("--bypass-limit", "expected at least 1");
        List<String> ws = sf != null ? sf.workloads() : workloads == null ? new ArrayList<>(Workload.ALL.keySet()) : workloads;
        for (String w : ws) if (!Workload.ALL.containsKey(w)) throw InputError.arg("--workloads", "unknown workload '" + w + "'; expected one of " + String.join(", ", Workload.ALL.keySet()));

        String changeText = TextFiles.readUtf8(paths);
        Ast.PathFile changeAst = PathParser.parse(paths, changeText);
        String basePreset = null, baseFile = null;
        Ast.PathFile baseAst = null;
        if (against == null) basePreset = Review.extendsOf(paths, changeText);
        else if (Presets.exists(against)) basePreset = against;
        else if (Files.exists(Path.of(against))) {
            if (Path.of(against).toAbsolutePath().normalize().equals(Path.of(paths).toAbsolutePath().normalize()))
                throw InputError.arg("--against", against + " is the change itself");
            baseFile = against;
            baseAst = PathParser.parse(baseFile, TextFiles.readUtf8(baseFile));
        } else throw InputError.arg("--against", "'" + against + "' is neither a preset (" + String.join(", ", Presets.NAMES) + ") nor a file");

        Path cacheDir = noCache ? null : Path.of(cache != null ? cache : MatrixCommand.defaultCache());
        int nJobs = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
        List<String> files = new ArrayList<>();
        if (baseFile != null) files.add(baseFile);
        files.add(paths);
        Matrix.Config mcfg = new Matrix.Config(basePreset == null ? List.of() : List.of(basePreset), files, Matrix.defaultUniverse(),
                ws, "java", nJobs, maxStates, timeLimit, bypassLimit, cacheDir);
        Matrix mx = new Matrix(mcfg);
        mx.onWarning(m -> { synchronized (spec) { spec.commandLine().getErr().println(m); spec.commandLine().getErr().flush(); } });
        List<Matrix.Row> baseRows = new ArrayList<>(), changeRows = new ArrayList<>();
        for (Matrix.Row r : mx.rows()) (paths.equals(r.pathsFile()) ? changeRows : baseRows).add(r);
        Review.Sweep sweep = sf != null ? Review.Sweep.CUSTOM : quick ? Review.Sweep.QUICK : deep ? Review.Sweep.DEEP : Review.Sweep.DEFAULT;
        List<String> oneSide = new ArrayList<>();
        List<Review.Pair> pairs = sf != null ? Review.pairs(baseRows, changeRows, sf, oneSide) : Review.pairs(baseRows, changeRows, ws, sweep, oneSide);
        List<Matrix.Job> jobList = new ArrayList<>();
        for (Review.Pair p : pairs) { jobList.add(p.base()); jobList.add(p.change()); }

        MatrixCommand.Progress prog = new MatrixCommand.Progress(spec.commandLine().getErr(), jobList.size(), System.console() != null);
        long t0 = System.nanoTime();
        sun.misc.SignalHandler old = null;
        try {
            old = sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> mx.interrupt());
        } catch (IllegalArgumentException e) {
            // No SIGINT here: Ctrl-C ends the JVM as usual.
        }
        List<ukl.report.Matrix.Cell> cells;
        try {
            cells = mx.runJobs(jobList, prog::cellDone);
        } finally {
            if (old != null) sun.misc.Signal.handle(new sun.misc.Signal("INT"), old);
        }
        prog.finish();
        double secs = (System.nanoTime() - t0) / 1e9;
        Review.Outcome o = Review.diff(paths, basePreset != null ? basePreset : baseFile, sweep, pairs, cells, oneSide,
                Review.changedLines(changeAst, Review.basePaths(basePreset, baseAst)), secs);
        String text = switch (format) {
            case "json" -> Json.write(Review.json(o));
            case "markdown" -> Review.text(o, true);
            case "html" -> Review.html(o, pairs, cells, mcfg, "ukl review: " + paths + " against " + (basePreset != null ? basePreset : baseFile));
            default -> Review.text(o, false);
        };
        Output.emit(text, out, spec.commandLine().getOut());
        if (mx.interrupted()) return 3;
        return o.exitCode();
    }
}
