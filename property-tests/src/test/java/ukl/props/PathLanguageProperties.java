package ukl.props;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import ukl.cli.Main;
import ukl.model.InputError;
import ukl.model.Presets;
import ukl.model.Scenario;
import ukl.model.lang.Ast;
import ukl.model.lang.Cond;
import ukl.model.lang.Op;
import ukl.model.lang.PathNames;
import ukl.model.lang.PathParser;
import ukl.model.lang.PathPrinter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Suite 6: the path language. Generated path files print and parse back to the same tree;
 * generated malformed files always give one positioned error (exit 2 from the CLI), never an
 * exception.
 */
class PathLanguageProperties {
    static final List<String> PATHS = PathNames.ALL;
    /** Declared vectors (issue 14) a generated file may raise; each has a handler path exc_<name>. */
    static final List<String> VECTORS = List.of("UD", "GP");

    Arbitrary<Ast.Stmt> op() {
        return Arbitraries.of(Op.values()).flatMap(o -> {
            Arbitrary<String> arg = o == Op.RUN ? Arbitraries.of(PATHS) : o == Op.RAISE ? Arbitraries.of(VECTORS)
                    : o.takesArg() ? Arbitraries.of(o.args) : Arbitraries.just(null);
            Arbitrary<String> comment = Arbitraries.strings().alpha().numeric().withChars(' ', '§', '.').ofMaxLength(20)
                    .map(String::strip).injectNull(0.3);
            return Combinators.combine(arg, comment).as((a, c) -> (Ast.Stmt) new Ast.OpStmt(o, a, 0, 0, c == null || c.isEmpty() ? null : c));
        });
    }

    Arbitrary<Cond> cond() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(Cond.Kind.values()), Arbitraries.of("RET", "NSS", "BYP", "PF_DF"))
                .as((neg, k, o) -> new Cond(neg, k, k == Cond.Kind.OPTION ? o : null));
    }

    Arbitrary<List<Ast.Stmt>> block(int depth) {
        Arbitrary<Ast.Stmt> stmt = depth <= 0 ? op() : Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, op()),
                net.jqwik.api.Tuple.of(1, Combinators.combine(cond(), block(depth - 1), block(depth - 1).injectDuplicates(0).list().ofMaxSize(1))
                        .as((c, t, e) -> (Ast.Stmt) new Ast.IfStmt(c, t, e.isEmpty() ? List.of() : e.get(0), 0, 0))));
        return stmt.list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<Ast.PathFile> files() {
        Arbitrary<Ast.PathDef> def = Combinators.combine(Arbitraries.of(PATHS), block(2)).as((n, b) -> new Ast.PathDef(n, b, 0, null));
        Arbitrary<Ast.VectorDef> vec = Combinators.combine(Arbitraries.of(VECTORS), Arbitraries.integers().between(0, 7))
                .as((n, k) -> new Ast.VectorDef(n, "exc_" + n.toLowerCase(), k, 0, 0, null, "gen.ukl"));
        return Combinators.combine(Arbitraries.of(Presets.NAMES).injectNull(0.3), def.list().ofMinSize(1).ofMaxSize(4).uniqueElements(Ast.PathDef::name),
                        vec.list().ofMaxSize(2).uniqueElements(Ast.VectorDef::name))
                .as((ext, defs, vecs) -> new Ast.PathFile("gen.ukl", ext, List.of(), defs, List.of(), vecs));
    }

    @Property(tries = 300, seed = "20261122")
    void generatedFilesPrintAndParseBack(@ForAll("files") Ast.PathFile f) {
        String printed = PathPrinter.print(f);
        Ast.PathFile back = PathParser.parse("gen.ukl", printed);
        assertEquals(printed, PathPrinter.print(back));
        assertEquals(f.extendsPreset(), back.extendsPreset());
        assertEquals(f.paths().size(), back.paths().size());
        assertEquals(f.vectors().stream().map(v -> v.name() + " " + v.path() + " " + v.ist()).toList(),
                back.vectors().stream().map(v -> v.name() + " " + v.path() + " " + v.ist()).toList());
    }

    @Provide
    Arbitrary<String> malformed() {
        Arbitrary<String> base = Arbitraries.of(Presets.NAMES).map(Presets::text);
        return Combinators.combine(base, Arbitraries.integers().between(1, 6).list().ofMinSize(1).ofMaxSize(4),
                        Arbitraries.longs())
                .as((text, edits, seed) -> {
                    java.util.Random r = new java.util.Random(seed);
                    String t = text;
                    for (int kind : edits) {
                        int at = t.isEmpty() ? 0 : r.nextInt(t.length());
                        String junk = List.of(":", "\t", "    ", "if", "else:", "path", "#", "frob", "\n", "run", "option X").get(r.nextInt(11));
                        t = switch (kind) {
                            case 1 -> t.substring(0, at) + junk + t.substring(at);                         // insert
                            case 2 -> t.substring(0, at) + t.substring(Math.min(t.length(), at + 1 + r.nextInt(8)));   // delete
                            case 3 -> t.replaceFirst(":", "");                                              // lose a colon
                            case 4 -> t.replaceFirst("\n    ", "\n   ");                                    // break an indent
                            case 5 -> t + "\n" + t.substring(0, at);                                        // duplicate a prefix
                            default -> t.substring(0, at);                                                  // truncate
                        };
                    }
                    return t;
                });
    }

    @Property(tries = 300, seed = "20261122")
    void malformedFilesGiveOnePositionedErrorNeverAnException(@ForAll("malformed") String text) {
        try {
            Scenario.Builder b = Scenario.builder().paths("bad.ukl", text).workload("compute");
            b.eventsSpec("none");
            b.build();
        } catch (InputError e) {
            assertTrue(e.render().startsWith("bad.ukl:"), e.render());
            assertTrue(e.line() >= 0 && e.col() >= 0, e.render());
        }
    }

    @Property(tries = 25, seed = "20261122")
    void theCliAnswersMalformedFilesWithExitTwo(@ForAll("malformed") String text, @ForAll @IntRange(min = 0, max = 0) int unused) throws Exception {
        Path f = Files.createTempFile("ukl-bad-", ".ukl");
        try {
            Files.writeString(f, text);
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = Main.execute(new String[]{"check", "--paths", f.toString(), "--workload", "compute", "--events", "none", "--max-states", "3000"},
                    new PrintWriter(out), new PrintWriter(err));
            assertNotEquals(70, code, "internal error on a malformed file: " + err);
            if (code == 2) {
                assertTrue(err.toString().startsWith("ukl: " + f), err.toString());
                assertEquals(1, err.toString().strip().lines().count(), "one message: " + err);
                assertEquals("", out.toString());
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
