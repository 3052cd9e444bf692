package ukl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ukl.model.Presets;
import ukl.model.lang.Ast;
import ukl.report.Matrix;
import ukl.model.lang.PathParser;
import ukl.model.lang.PathPrinter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(args, new PrintWriter(o), new PrintWriter(e));
        return new Run(code, o.toString(), e.toString());
    }

    static String scenario(String name) { return ScenarioSuiteTest.specs().resolve("scenarios").resolve(name).toString(); }

    private static void badInput(Run r, String... mustContain) {
        assertEquals(2, r.code(), r.err() + r.out());
        assertEquals("", r.out(), "nothing on stdout for bad input");
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        for (String s : mustContain) assertTrue(r.err().contains(s), "expected '" + s + "' in: " + r.err());
    }

    @Test
    void tlcOptionsAreCheckedBeforeAnythingRuns() {
        badInput(run("tlc", "--preset", "linux", "--workload", "getppid", "--plan", "fast"), "--plan", "tuned or per-property");
        badInput(run("tlc", "--preset", "linux", "--workload", "getppid", "--progress", "loud"), "--progress", "auto, bar, lines or none");
        badInput(run("tlc", "--preset", "linux", "--workload", "getppid", "--local-workers", "2"), "go with --distributed");
        badInput(run("tlc", "--preset", "linux", "--workload", "getppid", "--distributed", "--local-workers", "0"), "no workers");
        badInput(run("tlc", "--preset", "linux", "--workload", "getppid", "--distributed", "--workers-at", "hostb"), "--server-host");
        badInput(run("tlc", "--preset", "linux", "--workload", "getppid", "--checkpoint", "5"), "needs --work DIR");
        badInput(run("tlc", "--preset", "linux", "--workload", "getppid", "--recover", "--work", "/nonexistent/ukl"), "no TLC checkpoint");
        badInput(run("tlc", "--preset", "linux", "--workload", "getppid", "--workers", "0"), "1 to 64");
        badInput(run("cross-check", "--preset", "linux", "--workload", "getppid", "--plan", "x"), "--plan");
        badInput(run("check", "--simulate"), "simulation needs a scenario");
        badInput(run("check", "--preset", "linux", "--workload", "getppid", "--traces", "5"), "go with --simulate");
        badInput(run("check", "--preset", "linux", "--workload", "getppid", "--simulate", "--depth", "0"), "--depth");
    }

    @Test
    void checkSimulatesAndTlcShowsItsProgressOnStderr() {
        Run r = run("check", "--preset", "ukl-paper", "--workload", "compute", "--events", "NMI:2,MC:1,TIMER:1", "--simulate", "--seed", "3");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().contains("STACK_CLOBBER") && r.out().contains("violated"), r.out());
        r = run("check", "--preset", "linux", "--workload", "getppid", "--simulate", "--traces", "50");
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("50 random behaviors of up to 100 steps (seed 1) prove nothing"), r.out());
        r = run("tlc", "--preset", "ukl-paper", "--workload", "stack-grow", "--progress", "lines", "--workers", "1");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("tlc [main] started: TLC -workers 1 -continue -lncheck final"), r.err());
        assertTrue(r.err().contains("tlc [main] done in"), r.err());
        assertFalse(r.out().contains("tlc ["), "progress stays off stdout");
        assertTrue(r.out().contains("peak RSS of TLC"), r.out());
        r = run("tlc", "--preset", "ukl-paper", "--workload", "stack-grow", "--progress", "none");
        assertEquals("", r.err());
    }

    @Test
    void aRunWithoutWorkloadSaysWhichItChecked() {
        Run r = run("check", "--preset", "linux", "--option", "ukl_nss");   // also: an alias, in lower case
        assertEquals(2, r.code(), "NSS is not a linux option: " + r.err());
        r = run("check", "--preset", "LINUX");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("no --workload given: checking getppid only"), r.err());
        assertEquals("", run("check", "--preset", "linux", "--workload", "getppid").err());
    }

    @Test
    void checkAndExplainNumberALassoTheSameAndExitWorkStepsDiffer() {
        Run c = run("check", "--scenario", scenario("rtc-compute-2threads.scenario"));
        Run e = run("explain", "--scenario", scenario("rtc-compute-2threads.scenario"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("loop starts here; steps (\\d+-\\d+) repeat").matcher(c.out());
        assertTrue(m.find(), c.out());
        assertTrue(e.out().contains("(a lasso: steps " + m.group(1) + " repeat forever)"), "explain says " + m.group(1) + " too:\n" + e.out());
        // exit_work is several steps; each line names its phase, so no two read the same.
        assertTrue(c.out().contains("exit_work ("), c.out());
        assertFalse(c.out().lines().anyMatch(l -> l.matches(".*\\bexit_work\\s{2,}.*")), "a bare exit_work step:\n" + c.out());
    }

    @Test
    void exitCodesFollowTheVerdict() {
        assertEquals(0, run("check", "--preset", "linux", "--workload", "getppid").code());
        assertEquals(1, run("check", "--preset", "ukl-paper", "--workload", "stack-grow").code());
        assertEquals(3, run("check", "--preset", "linux", "--workload", "getppid", "--max-states", "20").code());
        assertEquals(0, run("check", "--scenario", scenario("paper-stackgrow-nofix.scenario")).code(), "a matched scenario exits 0");
    }

    @Test
    void textOutputNamesTheViolationAndItsTrace() {
        Run r = run("check", "--preset", "ukl-paper", "--workload", "stack-grow");
        assertTrue(r.out().contains("DOUBLE_FAULT_PANIC       violated"), r.out());
        assertTrue(r.out().contains("DOUBLE_FAULT_PANIC: shortest trace, 5 steps"), r.out());
        assertTrue(r.out().contains("ukl-paper:exc_df:"), "path and line of each op: " + r.out());
        assertTrue(r.out().contains("=> DOUBLE_FAULT_PANIC:"), r.out());
    }

    @Test
    void jsonOutputHasTheStableSchema() {
        Run r = run("check", "--preset", "ukl-paper", "--workload", "stack-grow", "--format", "json");
        assertEquals(1, r.code());
        for (String key : new String[]{"\"tool\": \"ukl-model\"", "\"version\"", "\"scenario\"", "\"engine\": \"java\"",
                "\"verdict\": \"violation\"", "\"properties\"", "\"name\": \"DOUBLE_FAULT_PANIC\"", "\"status\": \"violated\"",
                "\"trace\"", "\"stats\"", "\"states\"", "\"transitions\"", "\"depth\"", "\"seconds\"", "\"statesPerSecond\"", "\"peakMemoryBytes\""})
            assertTrue(r.out().contains(key), key + " in " + r.out());
    }

    @Test
    void badInputIsOnePositionedMessageAndExitTwo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.ukl");
        Files.writeString(bad, "extends ukl-paper\n\npath irq:\n    push_regs\n    frobnicate\n");
        badInput(run("check", "--paths", bad.toString()), bad + ":5:5: unknown op 'frobnicate'");

        Path indent = dir.resolve("indent.ukl");
        Files.writeString(indent, "extends ukl-paper\npath irq:\n    if from_user:\n        iret\n      iret\n");
        badInput(run("check", "--paths", indent.toString()), indent + ":5:7:");

        badInput(run("check", "--preset", "ukl-7"), "unknown preset 'ukl-7'");
        badInput(run("check", "--option", "FAST"), "unknown option 'FAST'");
        badInput(run("check", "--workload", "fork-bomb"), "unknown workload 'fork-bomb'");
        badInput(run("check", "--option", "NSS", "--option", "NSS_PS"), "contradictory options");
        // A preset given an option it has no branch for rejects it instead of ignoring it (issue 12).
        badInput(run("check", "--preset", "ukl-rfc", "--option", "NSS"), "option NSS has no branch in preset ukl-rfc");
        badInput(run("check", "--preset", "ukl-5.14", "--option", "PF_DF"), "option PF_DF has no branch in preset ukl-5.14");
        Path tests = dir.resolve("rfc-nss.ukl");   // a path file that adds the branch makes the option valid
        Files.writeString(tests, "extends ukl-rfc\n\npath shortcut_enter:\n    if option NSS:\n        set_mode kernel\n    else:\n        set_mode kernel\n");
        assertEquals(0, run("check", "--paths", tests.toString(), "--option", "NSS", "--events", "none").code());
        badInput(run("check", "--paths", dir.resolve("missing.ukl").toString()), "missing.ukl: no such file");
        badInput(run("check", "--scenario", dir.resolve("missing.scenario").toString()), "no such file");
        badInput(run("check", "--events", "TIMER:x"), "--events");
        badInput(run("check", "--ist", "PF=12"), "IST index");
        badInput(run("check", "--frobnicate"), "Unknown option");
        badInput(run("list", "colours"), "unknown list 'colours'");
        badInput(run("show", "ukl-7"), "unknown preset");

        badInput(run("tlc", "--preset", "linux", "--depth", "5"), "go with --simulate");
        badInput(run("tlc", "--preset", "linux", "--workers", "0"), "--workers");
        badInput(run("cross-check", "--all", "--preset", "linux"), "give no scenario flags");
        badInput(run("cross-check", "--all", "--scenarios", dir.resolve("nowhere").toString()), "cannot list scenarios");
        badInput(run("tlc", "--paths", bad.toString()), bad + ":5:5: unknown op 'frobnicate'");

        Path sc = dir.resolve("s.scenario");
        Files.writeString(sc, "preset: ukl-paper\nworkload: getppid\nexpect: STACK_CLOBBER sometimes\n");
        badInput(run("check", "--scenario", sc.toString()), sc + ":3:");
        badInput(run("check", "--scenario", sc.toString(), "--preset", "linux"), "do not combine");
    }

    @Test
    void nothingHalfWrittenWhenTheOutputCannotBeWritten(@TempDir Path dir) {
        Path target = dir.resolve("no-such-dir").resolve("report.json");
        badInput(run("check", "--preset", "linux", "--workload", "compute", "--out", target.toString()), "does not exist");
        assertFalse(Files.exists(target));
    }

    @Test
    void outWritesTheWholeReport(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("r.json");
        Run r = run("check", "--preset", "linux", "--workload", "compute", "--format", "json", "--out", target.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(target).trim().endsWith("}"));
    }

    @Test
    void showPrintsEveryPresetSoThatItParsesBack() {
        for (String p : Presets.NAMES) {
            Run r = run("show", p);
            assertEquals(0, r.code());
            assertEquals(PathPrinter.print(Presets.load(p)), PathPrinter.print(PathParser.parse(p, r.out())));
        }
    }

    /** Issue 14: `ukl show FILE` prints the merged program, each line with its origin, and it parses back. */
    @Test
    void showOfAPathFilePrintsTheMergedProgramWithOrigins(@TempDir Path dir) throws Exception {
        String change = System.getProperty("ukl.specs.dir") + "/scenarios/paths/k6x-ret-sti.ukl";
        Run r = run("show", change);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("path ret_sti:") && r.out().contains("# from " + change), r.out());
        assertTrue(r.out().contains("switch_stack app_ret") && r.out().contains(change + ":46"), "the change's own lines name their line");
        assertTrue(r.out().contains("# from ukl-6x") && r.out().contains("# ukl-6x:"), "inherited paths name the preset");
        Ast.PathFile back = PathParser.parse("merged.ukl", r.out());
        assertNull(back.extendsPreset());
        assertNotNull(back.path("syscall"));
        Path patch = dir.resolve("patch.ukl");
        Files.writeString(patch, "extends ukl-6x\n\npatch syscall:\n    delete sti 1\n    before ct_exit:\n        sti   # moved\n");
        Run pr = run("show", patch.toString());
        assertEquals(0, pr.code(), pr.err());
        assertTrue(pr.out().contains("path syscall:                   # from ukl-6x, patched by " + patch), pr.out());
        assertTrue(pr.out().contains("# " + patch + ":6  moved"), pr.out());
        Path bad = dir.resolve("typo.ukl");
        Files.writeString(bad, "extends ukl-6x\n\npath sycall:\n    ret\n");
        badInput(run("show", bad.toString()), bad + ":3:6:", "no path runs it");
        badInput(run("show", dir.resolve("missing.ukl").toString()), "missing.ukl");
    }

    /** Issue 14's output friction: a co-runner's step names its path once (not linux:linux:), and the matrix's first ETA waits for enough cells. */
    @Test
    void aCoRunnerStepNamesItsPathOnceAndTheFirstEtaWaits() {
        Run r = run("check", "--scenario", System.getProperty("ukl.specs.dir") + "/scenarios/k514-mc-syscall-window-gs.scenario");
        assertEquals(0, r.code(), "the scenario's expectations hold: " + r.err());
        assertTrue(r.out().contains("linux:libc_syscall:"), "the co-runner's steps are in the trace: " + r.out());
        assertFalse(r.out().contains("linux:linux:"), r.out());
        java.io.StringWriter err = new java.io.StringWriter();
        MatrixCommand.Progress p = new MatrixCommand.Progress(new java.io.PrintWriter(err), 1000, false);
        Matrix.Row row = new Matrix.Row("x {}", "linux", null, null, java.util.Set.of(), false);
        Matrix.Cell cell = new Matrix.Cell(row, "getppid", "safe", java.util.List.of(), null, 10, 0.01, false, null, java.util.Map.of(), java.util.Map.of(), "");
        p.cellDone(cell);   // the first cell always prints
        assertTrue(err.toString().contains("1/1000 cells") && err.toString().contains("estimating time left"), err.toString());
        assertFalse(err.toString().matches("(?s).*\\d+h\\d+m left.*"), "no estimate from one cell: " + err);
    }

    /** Issue 15: ukl bench prints both engines' columns for a rung (the smallest, to stay fast). */
    @Test
    void benchPrintsStatesTimeMemoryAndBytesPerStateForBothEngines() {
        Run r = run("bench", "--rungs", "small", "--runs", "1", "--tlc-limit", "120", "--format", "json");
        assertEquals(0, r.code(), r.err());
        for (String k : List.of("\"states\"", "\"javaSeconds\"", "\"javaStatesPerSecond\"", "\"javaPeakHeapBytes\"", "\"javaBytesPerState\"", "\"tlcSeconds\"", "\"tlcStates\"",
                "\"javaStoreBytesPerState\"", "\"fingerprintCollisionProbability\"", "\"javaDiskBytes\""))
            assertTrue(r.out().contains(k), k + " in " + r.out());
        assertTrue(r.out().contains("\"tlcComplete\": true"), "TLC finishes the small rung: " + r.out());
        assertTrue(r.out().contains("\"javaStorage\": \"fingerprints\""), r.out());
        Run ex = run("bench", "--rungs", "small", "--runs", "1", "--no-tlc", "--exact", "--format", "json");
        assertEquals(0, ex.code(), ex.err());
        assertTrue(ex.out().contains("\"javaStorage\": \"exact\"") && !ex.out().contains("fingerprintCollisionProbability"), ex.out());
        badInput(run("bench", "--rungs", "huge"), "unknown rung 'huge'");
        badInput(run("bench", "--exact", "--java-workers", "2"), "give one or the other");
        badInput(run("check", "--preset", "linux", "--workload", "getppid", "--fp-memory", "12x"), "expected a size such as 512m or 12g");
        badInput(run("check", "--preset", "linux", "--workload", "getppid", "--exact", "--fp-memory", "1g"), "give one or the other");
        badInput(run("check", "--preset", "linux", "--workload", "getppid", "--java-workers", "-1"), "workers must be 0");
    }

    @Test
    void listsNameEverything() {
        assertTrue(run("list", "workloads").out().contains("tlb-shootdown"));
        assertTrue(run("list", "properties").out().contains("SIGNAL_STARVATION"));
        assertTrue(run("list", "ops").out().contains("df_to_pf"));
        assertTrue(run("list", "options").out().contains("STACK_VMA_CHECK"));
        assertTrue(run("list", "events").out().contains("WAKEUP"));
    }

    /**
     * Issue 14's friction point "no new vectors (`path exc_gp` rejected)": with a vector
     * declaration the path is its handler and the file checks; `ukl show` prints the declaration;
     * without one the error says how to declare it.
     */
    @Test
    void aNewVectorsPathIsAcceptedOnceDeclared(@TempDir Path dir) throws Exception {
        String handler = "path exc_gp:\n    push_regs\n    classify paranoid\n    if from_user:\n        swapgs\n    handle\n"
                + "    if from_user:\n        swapgs\n    pop_regs\n    iret\n";
        Path ok = dir.resolve("gp.ukl");
        Files.writeString(ok, "extends linux\n\nvector GP exc_gp ist 5\n\npatch syscall:\n    after push_regs:\n        raise GP\n\n" + handler);
        Run r = run("check", "--paths", ok.toString(), "--workload", "getppid", "--events", "NMI:1");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("verdict: ok"), r.out());
        Run show = run("show", ok.toString());
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("vector GP exc_gp ist 5") && show.out().contains("raise GP"), show.out());
        Path bare = dir.resolve("bare.ukl");
        Files.writeString(bare, "extends linux\n\n" + handler);
        badInput(run("check", "--paths", bare.toString()), bare + ":3:6: path 'exc_gp'", "'vector NAME exc_gp'");
        Path undeclared = dir.resolve("undeclared.ukl");
        Files.writeString(undeclared, "extends linux\n\npatch syscall:\n    after push_regs:\n        raise GP\n");
        badInput(run("check", "--paths", undeclared.toString()), undeclared + ":5:15: 'raise GP': no vector GP is declared");
    }
}
