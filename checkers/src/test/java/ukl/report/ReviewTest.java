package ukl.report;

import org.junit.jupiter.api.Test;
import ukl.cli.Main;
import ukl.model.lang.Ast;
import ukl.model.lang.PathParser;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 14: which lines of a change differ from its base, and review's input errors. */
class ReviewTest {
    private static final Path REVIEWS = Path.of(System.getProperty("ukl.specs.dir")).resolve("reviews");

    private static Map<String, Set<Integer>> changed(String file) throws Exception {
        Path f = REVIEWS.resolve(file);
        Ast.PathFile a = PathParser.parse(f.toString(), Files.readString(f));
        return Review.changedLines(a, Review.basePaths(a.extendsPreset(), null));
    }

    @Test
    void anInsertedLineIsChangedAndAReworkedCommentIsNot() throws Exception {
        // sti (22) and ct_exit (23) swapped places. The LCS keeps sti and drops the base's ct_exit
        // before it (so sti follows a deletion) and adds ct_exit after it: both lines are marked.
        assertEquals(Set.of(22, 23), changed("k6x-sti-before-ct-exit.ukl").get("syscall"), "the reordered lines");
        assertEquals(Set.of(), changed("k6x-irq-comment-only.ukl").get("irq"), "a comment is not a change");
    }

    @Test
    void aDeletionMarksTheLineAfterIt() throws Exception {
        assertEquals(Set.of(29), changed("k6x-pf-no-sync-regs.ukl").get("exc_pf"), "ct_exit now follows set_mode directly");
    }

    @Test
    void badInputIsExitTwoWithNothingWritten(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("r.txt");
        String[][] bad = {
                {"review", "--paths", REVIEWS.resolve("k6x-irq-comment-only.ukl").toString(), "--quick", "--deep", "--out", out.toString()},
                {"review", "--paths", tmp.resolve("missing.ukl").toString(), "--out", out.toString()},
                {"review", "--paths", REVIEWS.resolve("k6x-irq-comment-only.ukl").toString(), "--against", "no-such-preset", "--out", out.toString()},
                {"review", "--paths", REVIEWS.resolve("k6x-irq-comment-only.ukl").toString(), "--format", "pdf", "--out", out.toString()},
        };
        for (String[] a : bad) {
            StringWriter o = new StringWriter(), e = new StringWriter();
            assertEquals(2, Main.execute(a, new PrintWriter(o), new PrintWriter(e)), String.join(" ", a) + ": " + e);
            assertFalse(Files.exists(out), "nothing half-written");
        }
        Path noBase = tmp.resolve("nobase.ukl");
        Files.writeString(noBase, "path irq:\n    iret\n");
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(2, Main.execute(new String[]{"review", "--paths", noBase.toString()}, new PrintWriter(o), new PrintWriter(e)));
        assertTrue(e.toString().contains("no 'extends PRESET' line"), e.toString());
    }

    @Test
    void aPatchMarksItsOwnLines() throws Exception {
        assertEquals(Set.of(12), changed("k6x-sti-before-ct-exit-patch.ukl").get("syscall"), "the patch's inserted sti");
    }

    private static int review(StringWriter out, StringWriter err, String... args) {
        return Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    /** Issue 14: --sweep FILE names the option sets, workloads and axes; its errors are positioned in it. */
    @Test
    void aCustomSweepFileChoosesTheCells(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String change = REVIEWS.resolve("k6x-sti-before-ct-exit-patch.ukl").toString();
        Path sw = dir.resolve("s.sweep");
        Files.writeString(sw, "# two option sets, one workload, two thread counts\noptions: {} {NOHZ_FULL}\nworkloads: getppid\nthreads: 1, 2\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = review(out, err, "review", "--paths", change, "--sweep", sw.toString(), "--no-cache", "--format", "json");
        assertEquals(1, code, err.toString());
        assertTrue(out.toString().contains("\"sweep\": \"custom\""), out.toString());
        assertTrue(out.toString().contains("getppid [threads=2]"), out.toString());
        assertTrue(out.toString().contains("\"cellsPerSide\": 4"), out.toString());
        String[][] bad = {
                {"options: {} {FAST}\n", ":1:13: unknown option 'FAST'"},
                {"workloads: getppid\nspeed: 3\n", ":2:1: unknown key 'speed'"},
                {"events: TIMER:z\n", ":1:9: "},
                {"options: {NSS_PS}\n", ":1:1: option set {NSS_PS} is not admitted"},
                {"threads: 9\n", ":1:10: threads: expected numbers 1 to 4"},
        };
        for (String[] b : bad) {
            Files.writeString(sw, b[0]);
            StringWriter o = new StringWriter(), e = new StringWriter();
            assertEquals(2, review(o, e, "review", "--paths", change, "--sweep", sw.toString(), "--no-cache"), b[0] + e);
            assertTrue(e.toString().contains(sw + b[1]), b[0] + ": " + e);
            assertEquals("", o.toString());
        }
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertEquals(2, review(o, e, "review", "--paths", change, "--sweep", sw.toString(), "--quick"));
        assertTrue(e.toString().contains("--sweep"), e.toString());
    }
}
