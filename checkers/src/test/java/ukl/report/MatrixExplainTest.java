package ukl.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ukl.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** ukl explain and ukl matrix through the CLI: outputs, exit codes, the cache, Ctrl-C, bad input. */
class MatrixExplainTest {
    record Run(int code, String out, String err) {}

    static Run ukl(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static String scenario(String name) { return System.getProperty("ukl.specs.dir") + "/scenarios/" + name + ".scenario"; }

    @Test
    void explainTellsTheShortestCounterexample() {
        Run r = ukl("explain", "--scenario", scenario("paper-nss-deep-mmap-pfdf"));
        assertEquals(1, r.code(), r.err());
        String s = r.out();
        assertTrue(s.startsWith("SLEEP_ON_IST in paper-nss-deep-mmap-pfdf: the shortest counterexample"), s);
        assertTrue(s.contains("cpu0, t0: runs `df_to_pf` (ukl-paper:exc_df line 118)"), "names CPU, thread, op, path and line");
        assertTrue(s.contains("why: §5.11 UKL_PF_DF"), "cites the source");
        assertTrue(s.contains("cpu0 switches to stack IST(cpu0,1) (from APP(t0))"), "says what changed, in words");
        assertTrue(s.contains("page allocation may sleep"), "says why the step breaks it");
        assertTrue(s.contains("^ this step breaks SLEEP_ON_IST"));
        assertTrue(s.contains("SLEEP_ON_IST broke at step") && s.contains("The state that broke it:") && s.contains("cpu0: runs t0 on IST(cpu0,1)"), s);
    }

    @Test
    void explainOnASafeScenarioSaysSoAndExitsZero() {
        Run r = ukl("explain", "--scenario", scenario("paper-nssps-tlb-corunner"));
        assertEquals(0, r.code());
        assertTrue(r.out().contains("no property is violated"), r.out());
        Run p = ukl("explain", "--scenario", scenario("paper-stackgrow-nofix"), "--property", "DEADLOCK");
        assertEquals(0, p.code());
        assertTrue(p.out().contains("DEADLOCK is not violated (holds)"), p.out());
    }

    @Test
    void explainExportsJsonDotAndATlaBehaviourTlcReplays(@TempDir Path tmp) throws Exception {
        Run j = ukl("explain", "--scenario", scenario("paper-stackgrow-nofix"), "--trace-format", "json");
        assertEquals(1, j.code());
        assertTrue(j.out().contains("\"property\": \"DOUBLE_FAULT_PANIC\"") && j.out().contains("\"steps\": [") && j.out().contains("\"state\": {"), j.out());
        Run d = ukl("explain", "--scenario", scenario("paper-stackgrow-nofix"), "--trace-format", "dot");
        assertTrue(d.out().startsWith("digraph ") && d.out().contains("color=red"), d.out());
        Path dir = tmp.resolve("tla");
        Run t = ukl("explain", "--scenario", scenario("paper-stackgrow-nofix"), "--trace-format", "tla", "--out", dir.toString());
        assertEquals(1, t.code(), t.err());
        String module = "Trace_paper_stackgrow_nofix_DOUBLE_FAULT_PANIC";
        for (String f : List.of("Kernel.tla", "MCKernel_paper_stackgrow_nofix.tla", module + ".tla", module + ".cfg"))
            assertTrue(Files.exists(dir.resolve(f)), f);
        // TLC loads the behaviour and follows it to the end (TraceNotDone is violated only there).
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), "tlc2.TLC",
                "-deadlock", "-workers", "1", "-metadir", tmp.resolve("meta").toString(), module)
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertTrue(out.contains("Invariant TraceNotDone is violated"), out);
        assertTrue(out.contains("6 distinct states found"), "all 6 trace states: " + out);
    }

    @Test
    void explainRejectsBadInput() {
        Run f = ukl("explain", "--scenario", scenario("paper-stackgrow-nofix"), "--trace-format", "svg");
        assertEquals(2, f.code());
        assertTrue(f.err().contains("--trace-format: expected story, tla, json or dot"), f.err());
        Run p = ukl("explain", "--scenario", scenario("paper-stackgrow-nofix"), "--property", "NOPE");
        assertEquals(2, p.code());
        Run none = ukl("explain");
        assertEquals(2, none.code());
        assertEquals("", none.out());
    }

    @Test
    void matrixRowsColumnsAndCache(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        Path prop = tmp.resolve("proposal.ukl");
        Files.writeString(prop, "# a proposal: the #DF handler panics, PF_DF or not\nextends ukl-paper\n\npath exc_df:\n"
                + "    if option PF_DF:\n        push_regs\n        handle\n        panic\n    else:\n        push_regs\n        handle\n        panic\n");
        String[] args = {"matrix", "--presets", "ukl-paper", "--options", "NSS,PF_DF", "--workloads", "stack-grow,mmap",
                "--paths", prop.toString(), "--cache", cache.toString(), "--jobs", "2"};
        Run r = ukl(args);
        assertEquals(1, r.code(), r.err());
        String t = r.out();
        for (String row : List.of("ukl-paper {} ", "ukl-paper {NSS} ", "ukl-paper {PF_DF} ", "ukl-paper {NSS,PF_DF} ", prop + " {PF_DF} "))
            assertTrue(t.contains(row), "row " + row + " in\n" + t);
        assertTrue(t.lines().anyMatch(l -> l.startsWith("ukl-paper {PF_DF} ") && l.contains("| safe") && !l.contains("DFP")), t);
        assertTrue(t.lines().anyMatch(l -> l.startsWith(prop + " {PF_DF} ") && l.contains("DFP")), "the proposal breaks PF_DF: " + t);
        assertTrue(t.lines().anyMatch(l -> l.startsWith("ukl-paper {NSS,PF_DF} ") && l.contains("DL")), t);
        assertTrue(t.contains("16 cells:") && t.contains("0 from the cache"), t);
        // Second run: everything from the cache, same matrix.
        Run again = ukl(args);
        assertTrue(again.out().contains("16 from the cache"), again.out());
        assertEquals(strip(t), strip(again.out()));
        // Change the proposal: only its 8 cells are checked again.
        Files.writeString(prop, Files.readString(prop).replaceFirst("        panic\n", "        handle\n        panic\n"));
        Run changed = ukl(args);
        assertTrue(changed.out().contains("8 from the cache"), changed.out());
    }

    private static String strip(String s) { return s.lines().filter(l -> !l.contains(" cells: ")).reduce("", (a, b) -> a + b + "\n"); }

    @Test
    void matrixJsonHtmlAndCatalog(@TempDir Path tmp) throws Exception {
        String[] base = {"matrix", "--presets", "linux,ukl-paper", "--options", "NSS", "--workloads", "tlb-shootdown,getppid", "--no-cache"};
        Run j = ukl(concat(base, "--format", "json"));
        assertEquals(1, j.code());
        assertTrue(j.out().contains("\"label\": \"ukl-paper {NSS}\"") && j.out().contains("\"UNHANDLED_KERNEL_FAULT\""), j.out());
        Path html = tmp.resolve("m.html");
        assertEquals(1, ukl(concat(base, "--format", "html", "--out", html.toString())).code());
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!doctype html>"));
        assertFalse(page.contains("<link") || page.matches("(?s).*(src|href)\\s*=\\s*[\"']?https?:.*"), "self-contained: no external resource");
        Run c = ukl(concat(base, "--format", "catalog"));
        assertTrue(c.out().startsWith("# Hazards catalog"), c.out());
        assertTrue(c.out().contains("## ukl-paper {NSS}") && c.out().contains("### UNHANDLED_KERNEL_FAULT (workloads: tlb-shootdown)"), c.out());
        assertTrue(c.out().contains("## linux {}\n\nNo violation. Checked at:\n\n- tlb-shootdown: "), c.out());
    }

    /** --engine both: each cell is checked by the explorer and by TLC, and they must agree. */
    @Test
    void bothEnginesFillTheSameCells() {
        Run r = ukl("matrix", "--engine", "both", "--presets", "ukl-paper", "--options", "NSS", "--workloads", "deep-mmap", "--no-cache", "--jobs", "2");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("ukl-paper {NSS} ") && l.contains("DFP")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("ukl-paper {} ") && l.contains("safe")), r.out());
        assertFalse(r.out().contains("DISAGREE"), r.out());
        assertTrue(r.out().contains("(engine both)"), r.out());
    }

    @Test
    void htmlEscapesEverythingFromInput() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("label", "</script><img src=x onerror=alert(1)>");
        String page = HtmlReport.render(m, "<b>title</b>");
        assertFalse(page.contains("<img"), "no raw markup from data");
        assertFalse(page.contains("<b>title"), "title escaped");
        assertTrue(page.contains("\\u003c/script\\u003e"), "the JSON blob escapes '<'");
    }

    @Test
    void matrixRejectsBadInput(@TempDir Path tmp) {
        assertBad(ukl("matrix", "--presets", "nope"), "unknown preset 'nope'");
        assertBad(ukl("matrix", "--workloads", "nope"), "unknown workload 'nope'");
        assertBad(ukl("matrix", "--options", "NSS,NOPE"), "unknown option 'NOPE'");
        assertBad(ukl("matrix", "--engine", "spin"), "expected java, tlc or both");
        assertBad(ukl("matrix", "--format", "pdf"), "expected text, json, html or catalog");
        assertBad(ukl("matrix", "--no-cache", "--cache", tmp.toString()), "contradicts --cache");
        assertBad(ukl("matrix", "--paths", tmp.resolve("missing.ukl").toString()), "missing.ukl: no such file");
    }

    private static void assertBad(Run r, String msg) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(msg), r.err());
        assertEquals("", r.out(), "nothing half-written");
    }

    /** Ctrl-C (SIGINT) prints what is done, marks the rest incomplete, and exits 3. */
    @Test
    void interruptPrintsWhatIsDone(@TempDir Path tmp) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "ukl.cli.Main", "matrix", "--no-cache", "--jobs", "1",
                "--presets", "ukl-paper,ukl-5.14", "--workloads", "getppid,deep-mmap,tlb-shootdown,compute")
                .redirectError(tmp.resolve("err").toFile()).redirectOutput(tmp.resolve("out").toFile()).start();
        try {
            interruptAndCheck(p, tmp);
        } finally {
            p.destroyForcibly();   // never leave a matrix running after a failed assertion
        }
    }

    private static void interruptAndCheck(Process p, Path tmp) throws Exception {
        long end = System.currentTimeMillis() + 120_000;
        while (!Files.readString(tmp.resolve("err")).contains("matrix: ")) {
            assertTrue(p.isAlive(), "still running: " + Files.readString(tmp.resolve("err")));
            assertTrue(System.currentTimeMillis() < end, "a first cell within two minutes");
            Thread.sleep(50);
        }
        assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops after Ctrl-C");
        String out = Files.readString(tmp.resolve("out"));
        assertEquals(3, p.exitValue(), out + Files.readString(tmp.resolve("err")));
        assertTrue(out.contains("INTERRUPTED: cells not done are incomplete"), out);
        assertTrue(out.contains("ukl-paper {} "), "the matrix is printed: " + out);
        assertTrue(out.contains("incomplete"), out);
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(new String[0]);
    }

    /** Issue 14: the matrix varies threads, CPUs, the co-runner and event sets as axes, one column per value. */
    @Test
    void theMatrixTakesThreadsCpusCoRunnerAndEventAxes() {
        Run r = ukl("matrix", "--presets", "ukl-6x", "--options", "RET", "--workloads", "getppid", "--threads", "1,2",
                "--co-runner", "none,user", "--events", "TIMER:1;NMI:1", "--no-cache", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"getppid [threads=2,co-runner=user,events=NMI:1]\""), r.out());
        assertTrue(r.out().contains("\"cells\": 16"), "2 rows x 8 columns: " + r.out().substring(r.out().indexOf("summary")));
        Run bad = ukl("matrix", "--presets", "ukl-6x", "--workloads", "getppid", "--events", "TIMER:x", "--no-cache");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--events") && bad.err().contains("TIMER"), bad.err());
        assertEquals("", bad.out());
        assertEquals(2, ukl("matrix", "--presets", "ukl-6x", "--cpus", "0", "--no-cache").code());
        assertEquals(2, ukl("matrix", "--presets", "ukl-6x", "--co-runner", "kernel", "--no-cache").code());
    }
}
