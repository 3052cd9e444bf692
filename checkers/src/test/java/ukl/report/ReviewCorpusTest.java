package ukl.report;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import ukl.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14: the review corpus, in the style of herd7's litmus tests and their Result lines. Each
 * specs/reviews/*.ukl is a proposal whose header says how it is reviewed and what the review must
 * find: {@code # Sweep: quick|default|deep}, {@code # Adds: P, ... | nothing},
 * {@code # Removes: P, ... | nothing}. A review whose added or removed properties differ, or
 * whose exit code does not follow from them, fails the build.
 */
class ReviewCorpusTest {
    @TempDir static Path cache;   // shared: the base's cells are checked once for all proposals of a preset

    @TestFactory
    Stream<DynamicTest> everyProposalGetsItsExpectedReview() throws Exception {
        Path dir = Path.of(System.getProperty("ukl.specs.dir")).resolve("reviews");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) { files = s.filter(f -> f.toString().endsWith(".ukl")).sorted().toList(); }
        assertTrue(files.size() >= 12, "the corpus has " + files.size() + " proposals");
        boolean safe = false, unsafe = false;
        for (Path f : files) {
            Set<String> adds = expected(f, "Adds");
            if (adds.isEmpty()) safe = true; else unsafe = true;
        }
        assertTrue(safe && unsafe, "the corpus needs proposals that add nothing and ones that add something");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> review(f)));
    }

    private static void review(Path f) throws Exception {
        String sweep = header(f, "Sweep");
        assertNotNull(sweep, f + ": no '# Sweep:' line");
        List<String> args = new ArrayList<>(List.of("review", "--paths", f.toString(), "--cache", cache.toString()));
        if (!sweep.equals("default")) args.add("--" + sweep);
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        assertTrue(code == 0 || code == 1 || code == 3, f + ": exit " + code + ": " + err);
        String text = out.toString();
        Set<String> adds = names(text, "Adds "), removes = names(text, "Removes ");
        assertEquals(expected(f, "Adds"), adds, f + ": what the change adds\n" + text);
        assertEquals(expected(f, "Removes"), removes, f + ": what the change removes\n" + text);
        boolean notCompared = text.lines().anyMatch(l -> l.startsWith("Not compared:"));
        int want = !adds.isEmpty() ? 1 : notCompared ? 3 : 0;
        assertEquals(want, code, f + ": the exit code\n" + text);
    }

    /** The properties of the report's "Adds P in N cells" / "Removes P in N cells" headings. */
    private static Set<String> names(String text, String verb) {
        Set<String> s = new TreeSet<>();
        for (String l : text.lines().toList())
            if (l.startsWith(verb) && l.contains(" in ")) s.add(l.substring(verb.length(), l.indexOf(" in ")));
        return s;
    }

    private static Set<String> expected(Path f, String key) throws Exception {
        String v = header(f, key);
        assertNotNull(v, f + ": no '# " + key + ":' line");
        Set<String> s = new TreeSet<>();
        if (!v.equals("nothing")) for (String p : v.split(",")) s.add(p.strip());
        return s;
    }

    private static String header(Path f, String key) throws Exception {
        for (String l : Files.readAllLines(f)) {
            if (!l.startsWith("#")) break;
            String t = l.substring(1).strip();
            if (t.startsWith(key + ":")) return t.substring(key.length() + 1).strip();
        }
        return null;
    }
}
