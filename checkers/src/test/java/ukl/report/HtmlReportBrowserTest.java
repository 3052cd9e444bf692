package ukl.report;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ukl.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The HTML report in a real headless browser (Debian's chromium, which .ci/run installs): the
 * page loads without errors, a click on an unsafe cell draws its timeline with the breaking step
 * marked, markup in a path file's name and comments stays text, and a screenshot is kept in
 * checkers/target/html-report/.
 */
class HtmlReportBrowserTest {
    static Path dir;
    static Path report;

    @BeforeAll
    static void buildReport() throws Exception {
        if (!Files.isExecutable(Chromium.BINARY)) {
            // CI must run this test: .ci/run installs chromium. Elsewhere it is skipped with a reason.
            assertNotEquals("true", System.getenv("CI"), "CI=true but " + Chromium.BINARY + " is missing; .ci/run installs Debian's chromium");
            Assumptions.abort(Chromium.BINARY + " is not installed (apt-get install chromium); the browser test is skipped");
        }
        dir = Path.of("target", "html-report").toAbsolutePath();
        Files.createDirectories(dir);
        // A hostile proposal: markup in the file name and in a citation comment.
        Path evil = dir.resolve("evil\"><img src=x onerror=\"window.__pwned=1\">.ukl");
        Files.writeString(evil, """
                # </script><script>window.__pwned=2</script>
                extends ukl-paper

                path exc_df:
                    push_regs               # <img src=x onerror="window.__pwned=3"> & </svg><script>window.__pwned=4</script>
                    handle                  # the double fault handler
                    panic                   # then panic
                """);
        report = dir.resolve("report.html");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[]{"matrix", "--presets", "ukl-paper", "--options", "NSS,PF_SS,PF_DF",
                "--workloads", "deep-mmap,stack-grow", "--paths", evil.toString(), "--no-cache", "--jobs", "2",
                "--format", "html", "--out", report.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(1, code, "the matrix has violations: " + err);
    }

    @Test
    void pageLoadsClickShowsTimelineAndNothingIsInjected() throws Exception {
        try (Chromium c = new Chromium()) {
            c.open(report);
            assertEquals("table", c.eval("document.getElementById('matrix').tagName.toLowerCase()"));
            int rows = Integer.parseInt(c.eval("String(document.querySelectorAll('#matrix tr').length)"));
            assertTrue(rows > 5, "header + rows: " + rows);
            // The hostile path file is a row, shown as text.
            assertEquals("1", c.eval("String([...document.querySelectorAll('#matrix td.label')].filter(td => td.textContent.includes('<img src=x')).length > 0 ? 1 : 0)"));
            // Click the first unsafe cell: its timeline appears, with steps and one breaking step.
            String cell = c.eval("(() => { const td = document.querySelector('#matrix td[data-status=violated]'); td.click(); return td.parentElement.firstChild.textContent + ' / ' + td.title; })()");
            assertNotNull(cell);
            String steps = c.eval("String(document.querySelectorAll('#timeline g.step').length)");
            assertTrue(Integer.parseInt(steps) > 0, "the timeline has steps; clicked " + cell);
            assertEquals("1", c.eval("String(document.querySelectorAll('#timeline g.breaking').length)"), "exactly one step is marked as breaking");
            assertEquals("block", c.eval("document.getElementById('detail').style.display"));
            // Click the hostile row's unsafe cell too (its citations carry the markup) and a step in it.
            c.eval("(() => { const tr = [...document.querySelectorAll('#matrix tr')].find(r => r.firstChild.textContent.includes('<img')); "
                    + "const td = tr.querySelector('td[data-status=violated]'); td.click(); "
                    + "document.querySelector('#timeline g.breaking rect:last-child').dispatchEvent(new MouseEvent('click')); return 'ok'; })()");
            assertTrue(c.eval("document.getElementById('steptext').textContent").contains("exc_df"), "the step panel names the path");
            // Issue 14: the proposal's row names its base and outlines the cells where it differs; the
            // filter hides rows; the step label keeps the file name.
            assertEquals("1", c.eval("String([...document.querySelectorAll('#matrix td.label')].some(td => td.textContent.includes(' ≠ ukl-paper {') || td.textContent.includes(' = ukl-paper {')) ? 1 : 0)"),
                    "a path file's row names its base row");
            c.eval("(() => { const f = document.getElementById('filter'); f.value = 'evil'; f.dispatchEvent(new Event('input')); return 'ok'; })()");
            int shown = Integer.parseInt(c.eval("String([...document.querySelectorAll('#matrix tr')].filter(r => r.style.display !== 'none').length)"));
            assertTrue(shown > 1 && shown < rows, "the filter keeps the header and the proposal's rows only: " + shown + " of " + rows);
            assertTrue(c.eval("[...document.querySelectorAll('#timeline text')].map(t => t.textContent).join('|')").contains("|evil\""),
                    "a step label keeps the path file's name");
            c.screenshot(dir.resolve("timeline.png"));
            assertEquals("undefined", c.eval("typeof window.__pwned"), "no injected script ran");
            assertEquals("0", c.eval("String(document.querySelectorAll('img').length)"), "no injected element");
            assertEquals("2", c.eval("String(document.querySelectorAll('script').length)"), "only the page's own two scripts");
            Thread.sleep(200);   // let late console errors arrive
            assertTrue(c.errors.isEmpty(), "page errors: " + c.errors);
        }
        assertTrue(Files.size(dir.resolve("timeline.png")) > 10_000, "a screenshot was kept");
    }

    /** Issue 14: `ukl review --format html` draws base and change rows; the change's differing cells are outlined. */
    @Test
    void theReviewPageOutlinesWhatTheChangeAdds() throws Exception {
        Path sweep = dir.resolve("review.sweep");
        Files.writeString(sweep, "options: {} {NOHZ_FULL}\nworkloads: getppid\n");
        Path page = dir.resolve("review.html");
        StringWriter out = new StringWriter(), err = new StringWriter();
        String change = Path.of(System.getProperty("ukl.specs.dir"), "reviews", "k6x-sti-before-ct-exit-patch.ukl").toString();
        int code = Main.execute(new String[]{"review", "--paths", change, "--sweep", sweep.toString(), "--no-cache",
                "--format", "html", "--out", page.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(1, code, "the change adds RCU_NOT_WATCHING: " + err);
        try (Chromium c = new Chromium()) {
            c.open(page);
            assertEquals("4", c.eval("String(document.querySelectorAll('#matrix td.label').length)"), "two option sets, base and change each");
            assertEquals("1", c.eval("String(document.querySelectorAll('#matrix td.cell.differs').length)"), "the one cell the change adds a violation to");
            assertTrue(c.eval("document.querySelector('#matrix td.label.differs').textContent").contains(" ukl-6x {NOHZ_FULL}"), "the change row names its base");
            c.eval("(() => { document.querySelector('#matrix td.cell.differs').click(); return 'ok'; })()");
            assertTrue(Integer.parseInt(c.eval("String(document.querySelectorAll('#timeline g.step').length)")) > 0, "its timeline is drawn");
            Thread.sleep(200);
            assertTrue(c.errors.isEmpty(), "page errors: " + c.errors);
        }
    }
}
