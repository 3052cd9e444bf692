package ukl.report;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 14: the reference pages in docs/ are current, and no file cites documents outside the repository. */
class DocsTest {
    private static final String SHARED = "sha" + "red/";   // split so that this file does not match itself
    private static final Path ROOT = Path.of(System.getProperty("ukl.specs.dir")).getParent();

    @Test
    void theOpsAndPropertiesPagesAreCurrent() throws Exception {
        assertEquals(ReferenceDoc.ops(), Files.readString(ROOT.resolve("docs/ops.md")),
                "docs/ops.md is stale: run ./ukl list ops --format markdown > docs/ops.md");
        assertEquals(ReferenceDoc.properties(), Files.readString(ROOT.resolve("docs/properties.md")),
                "docs/properties.md is stale: run ./ukl list properties --format markdown > docs/properties.md");
    }

    @Test
    void noFileCitesADocumentOutsideTheRepository() throws Exception {
        List<String> bad;
        try (Stream<Path> s = Files.walk(ROOT)) {
            bad = s.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .filter(p -> p.toString().matches(".*\\.(md|java|ukl|tla|als|scenario)$"))
                    .filter(p -> { try { String t = Files.readString(p); return t.contains(SHARED + "UKL-CODE-NOTES") || t.contains(SHARED + "MODEL.md") || t.contains(".." + "/" + SHARED); }
                                   catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); } })
                    .map(p -> ROOT.relativize(p).toString()).toList();
        }
        assertEquals(List.of(), bad, "these cite ../shared, which a clone does not have");
        for (String d : List.of("docs/README.md", "docs/UKL-CODE-NOTES.md", "MODEL.md"))
            assertTrue(Files.exists(ROOT.resolve(d)), d);
    }
}
