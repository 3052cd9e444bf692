package ukl.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import ukl.model.lang.Ast;
import ukl.model.lang.Instr;
import ukl.model.lang.PathCompiler;
import ukl.model.lang.PathParser;
import ukl.model.lang.PathPrinter;
import ukl.model.lang.Program;
import ukl.model.lang.Op;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class PathLanguageTest {
    static Stream<String> presets() { return Presets.NAMES.stream(); }

    /** Every option subset that matters to a preset's #ifdefs, so the compiled programs cover each branch. */
    static List<Set<String>> optionSets() {
        return List.of(Set.of(), Set.of("BYP"), Set.of("NSS"), Set.of("NSS_PS"), Set.of("RET"), Set.of("PF_DF"),
                Set.of("RET", "NSS", "BYP", "PF_DF"));
    }

    private static String flat(Program p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.code().length; i++) {
            sb.append(p.pathNames().get(i)).append(':');
            for (Instr in : p.code()[i]) sb.append(in.render()).append(" #").append(in.comment()).append(';');
            sb.append('\n');
        }
        return sb.toString();
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyPresetPrintsAndParsesBackToTheSameProgram(String name) {
        Ast.PathFile original = Presets.load(name);
        String printed = PathPrinter.print(original);
        Ast.PathFile reparsed = PathParser.parse(name, printed);
        assertEquals(printed, PathPrinter.print(reparsed), "printing is a fixed point");
        for (Set<String> opts : optionSets()) {
            Program a = PathCompiler.compile(name, PathCompiler.merge(original, Presets::load), opts);
            Program b = PathCompiler.compile(name, PathCompiler.merge(reparsed, Presets::load), opts);
            assertEquals(flat(a), flat(b), "same program for options " + opts);
        }
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyOpLineCitesItsSource(String name) {
        for (Ast.PathDef d : Presets.load(name).paths()) checkCited(name, d.body());
    }

    private static void checkCited(String preset, List<Ast.Stmt> body) {
        for (Ast.Stmt s : body) {
            if (s instanceof Ast.OpStmt o)
                assertTrue(o.comment() != null && !o.comment().isBlank(), preset + ":" + o.line() + ": op '" + o.op().word + "' has no source comment");
            else if (s instanceof Ast.IfStmt i) { checkCited(preset, i.then()); checkCited(preset, i.orElse()); }
        }
    }

    @Test
    void extendsReplacesOnlyTheNamedPath() {
        String text = "extends ukl-paper\n\npath shortcut_exit:\n    set_mode app   # mine\n";
        PathCompiler.Merged m = PathCompiler.merge(PathParser.parse("f.ukl", text), Presets::load);
        assertEquals("ukl-paper", m.basePreset());
        assertEquals("f.ukl", m.pathFile().get("shortcut_exit"));
        assertEquals("ukl-paper", m.pathFile().get("irq"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown op            | path irq:\\n    frobnicate\\n                     | 2 | 5  | unknown op 'frobnicate'",
            "bad path name         | path IRQ:\\n    iret\\n                            | 1 | 6  | bad path name 'IRQ'",
            "missing colon         | path irq\\n    iret\\n                            | 1 | 9  | expected ':'",
            "no block              | path irq:\\npath nmi:\\n    iret\\n               | 1 | 10 | expected an indented block",
            "bad dedent            | path irq:\\n    if from_user:\\n        iret\\n  iret\\n | 4 | 3 | indentation does not match",
            "else without if       | path irq:\\n    else:\\n        iret\\n           | 2 | 5  | 'else:' without a matching 'if'",
            "unknown condition     | path irq:\\n    if from_space:\\n        iret\\n   | 2 | 8  | unknown condition 'from_space'",
            "unknown option        | path irq:\\n    if option FAST:\\n        iret\\n  | 2 | 15 | unknown option 'FAST'",
            "missing arg           | path irq:\\n    set_mode\\n                       | 2 | 14 | needs an argument",
            "bad arg               | path irq:\\n    switch_stack kernel\\n            | 2 | 18 | takes task|app|app_ret, not 'kernel'",
            "extra arg             | path irq:\\n    iret now\\n                       | 2 | 10 | takes no argument",
            "tab                   | path irq:\\n\\tiret\\n                           | 2 | 1  | tab in indentation",
            "extends late          | path irq:\\n    iret\\nextends linux\\n          | 3 | 1  | must be the first line",
            "duplicate path        | path irq:\\n    iret\\npath irq:\\n    iret\\n   | 3 | 6  | defined twice",
            "run bad name          | path irq:\\n    run Nowhere\\n                    | 2 | 9  | bad path name 'Nowhere'",
            "else if no cond       | path irq:\\n    if bypass:\\n        iret\\n    else if:\\n        iret\\n | 4 | 12 | expected a condition",
            "else junk             | path irq:\\n    if bypass:\\n        iret\\n    else now:\\n        iret\\n | 4 | 10 | expected 'else:' or 'else if COND:'",
            // issue 14: patches
            "no extends      | patch irq:\\n    delete iret\\n                           | 1 | 1  | needs 'extends PRESET'",
            "unknown op      | extends linux\\npatch irq:\\n    delete frob\\n              | 3 | 12 | unknown op 'frob' in the selector",
            "missing arg     | extends linux\\npatch irq:\\n    delete set_mode\\n          | 3 | 21 | needs the op's argument",
            "bad occurrence  | extends linux\\npatch irq:\\n    delete iret two\\n          | 3 | 17 | expected which occurrence",
            "delete colon    | extends linux\\npatch irq:\\n    delete iret:\\n             | 3 | 16 | takes no block",
            "unknown edit    | extends linux\\npatch irq:\\n    insert iret:\\n        nop\\n | 3 | 5  | expected an edit",
            "no block        | extends linux\\npatch irq:\\n    after iret:\\n              | 3 | 16 | expected an indented block",
            "both            | extends linux\\npath irq:\\n    iret\\npatch irq:\\n    delete iret\\n | 4 | 7 | both defined",
            // issue 14: vector declarations
            "vector no path  | extends linux\\nvector UD\\npath exc_ud:\\n    iret\\n                    | 2 | 11 | the path that handles UD is missing",
            "vector built-in | extends linux\\nvector NMI exc_nmi\\npath exc_ud:\\n    iret\\n            | 2 | 8  | is a built-in vector or event",
            "vector std path | extends linux\\nvector UD irq\\npath exc_ud:\\n    iret\\n                | 2 | 11 | already handles a built-in vector",
            "vector bad ist  | extends linux\\nvector UD exc_ud ist 9\\npath exc_ud:\\n    iret\\n       | 2 | 22 | IST index must be 0 (none) to 7",
            "vector no index | extends linux\\nvector UD exc_ud ist\\npath exc_ud:\\n    iret\\n         | 2 | 22 | expected the IST index",
            "vector trailing | extends linux\\nvector UD exc_ud fast\\npath exc_ud:\\n    iret\\n        | 2 | 18 | unexpected 'fast'",
            "vector twice    | extends linux\\nvector UD exc_ud\\nvector ud exc_ud\\npath exc_ud:\\n    iret\\n | 3 | 8 | declared twice",
    })
    void malformedFilesGiveOnePositionedError(String what, String text, int line, int col, String msg) {
        String src = text.strip().replace("\\n", "\n").replace("\\t", "\t");
        InputError e = assertThrows(InputError.class, () -> PathParser.parse("bad.ukl", src), what);
        assertEquals(line, e.line(), what + ": " + e.render());
        assertEquals(col, e.col(), what + ": " + e.render());
        assertTrue(e.getMessage().contains(msg), what + ": " + e.render());
        assertTrue(e.render().startsWith("bad.ukl:" + line + ":" + col + ": "), e.render());
    }

    @Test
    void extendingAnUnknownPresetIsAPositionedError() {
        InputError e = assertThrows(InputError.class,
                () -> PathCompiler.merge(PathParser.parse("x.ukl", "extends ukl-7\n"), Presets::load));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("unknown preset 'ukl-7'"));
    }

    @Test
    void runOfAPathThePresetLacksIsAnError() {
        String text = "path irq:\n    run shortcut_enter\n";
        PathCompiler.Merged m = PathCompiler.merge(PathParser.parse("x.ukl", text), Presets::load);
        InputError e = assertThrows(InputError.class, () -> PathCompiler.compile("x", m, new TreeSet<>()));
        assertEquals(2, e.line());
    }

    @Test
    void optionConditionsAreCompiledAway() {
        Program with = PathCompiler.compile("p", PathCompiler.merge(Presets.load("ukl-paper"), Presets::load), Set.of("RET"));
        Program without = PathCompiler.compile("p", PathCompiler.merge(Presets.load("ukl-paper"), Presets::load), Set.of());
        String w = flat(with), wo = flat(without);
        assertNotEquals(w, wo);
        assertFalse(w.contains("option"), "no option branch survives compilation");
        assertTrue(EnumSet.allOf(Option.class).size() > 5);
    }

    // ---- issue 14: helper paths, else if, nop, switch_stack app_ret

    private static final String HELPER = "extends ukl-6x\n\npath irq:\n    if option RET:\n        run ret_sti\n    else:\n        iret\n\npath ret_sti:\n    switch_stack app_ret\n    nop\n    sti\n    ret\n";

    @Test
    void aHelperPathIsRunLikeAnyOtherPath() {
        PathCompiler.Merged m = PathCompiler.merge(PathParser.parse("h.ukl", HELPER), Presets::load);
        Program p = PathCompiler.compile("h", m, Set.of("RET"));
        assertTrue(p.has("ret_sti"));
        assertEquals("h.ukl", m.pathFile().get("ret_sti"));
        // Without RET nothing runs it in this compilation, but the file does: still valid.
        assertDoesNotThrow(() -> PathCompiler.compile("h", m, Set.of()));
    }

    @Test
    void aHelperNoPathRunsIsAMisspeltPath() {
        String text = "extends ukl-6x\n\npath sycall:\n    ret\n";
        PathCompiler.Merged m = PathCompiler.merge(PathParser.parse("typo.ukl", text), Presets::load);
        InputError e = assertThrows(InputError.class, () -> PathCompiler.compile("t", m, Set.of()));
        assertEquals("typo.ukl:3:6", e.render().substring(0, e.render().indexOf(": ")));
        assertTrue(e.getMessage().contains("no path runs it"), e.getMessage());
    }

    @Test
    void runOfAnUndefinedHelperIsAPositionedError() {
        String text = "extends ukl-6x\n\npath irq:\n    run nowhere\n";
        PathCompiler.Merged m = PathCompiler.merge(PathParser.parse("x.ukl", text), Presets::load);
        InputError e = assertThrows(InputError.class, () -> PathCompiler.compile("x", m, Set.of()));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("no path 'nowhere'"), e.getMessage());
    }

    @Test
    void elseIfIsAnElseHoldingOneIfAndPrintsBack() {
        String text = "path irq:\n    if bypass:\n        nop\n    else if not need_resched:\n        cli\n    else:\n        sti\n    iret\n";
        Ast.PathFile f = PathParser.parse("e.ukl", text);
        Ast.IfStmt top = (Ast.IfStmt) f.path("irq").body().get(0);
        assertEquals(1, top.orElse().size());
        Ast.IfStmt inner = (Ast.IfStmt) top.orElse().get(0);
        assertTrue(inner.cond().negated());
        assertEquals(Op.STI, ((Ast.OpStmt) inner.orElse().get(0)).op());
        String printed = PathPrinter.print(f);
        assertTrue(printed.contains("    else if not need_resched:\n"), printed);
        assertEquals(printed, PathPrinter.print(PathParser.parse("e2.ukl", printed)));
    }

    // ---- issue 14: patches edit an inherited path at a named op line

    private static Program compilePatch(String text) {
        return PathCompiler.compile("p", PathCompiler.merge(PathParser.parse("p.ukl", text), Presets::load), Set.of());
    }

    private static String ops(Program p, String path) {
        StringBuilder sb = new StringBuilder();
        for (Instr in : p.code()[p.pathIndex(path)]) if (in.kind() == Instr.Kind.OP) sb.append(in.render()).append(in.file().equals("p.ukl") ? "*" : "").append(' ');
        return sb.toString().trim();
    }

    @Test
    void aPatchInsertsReplacesAndDeletesAtTheSelectedLine() {
        Program base = PathCompiler.compile("b", PathCompiler.merge(Presets.load("ukl-6x"), Presets::load), Set.of());
        Program p = compilePatch("extends ukl-6x\n\npatch syscall:\n    delete sti 1\n    before ct_exit:\n        sti\n"
                + "    replace pop_regs:\n        nop\n        pop_regs\n    after set_mode app:\n        nop\n");
        String b = ops(base, "syscall"), c = ops(p, "syscall");
        assertTrue(b.contains("push_regs ct_exit sti body"), b);
        assertTrue(c.contains("push_regs sti* ct_exit body"), c);
        assertTrue(c.contains("ct_enter nop* pop_regs* set_mode app nop* switch_stack app"), c);
        // Lines the patch does not touch keep the preset's file and line (traces cite them).
        assertTrue(c.contains("ret") && !c.contains("ret*"), c);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no match        | patch syscall:\\n    delete swapgs\\n              | 4 | 12 | 'swapgs' matches no op line of path syscall",
            "ambiguous       | patch syscall:\\n    delete sti\\n                 | 4 | 12 | matches 2 op lines of path syscall (ukl-6x:28, ukl-6x:37)",
            "too few         | patch syscall:\\n    delete sti 3\\n               | 4 | 12 | has only 2 op lines reading 'sti'",
            "no such path    | patch exc_gp:\\n    delete sti\\n                  | 3 | 7  | has no path 'exc_gp' to patch",
    })
    void aPatchThatCannotApplyIsAPositionedError(String what, String edits, int line, int col, String msg) {
        assertCompileError("extends ukl-6x\n\n" + edits.strip().replace("\\n", "\n"), line, col, msg, what);
    }

    /** Compiling {@code text} as p.ukl fails with one error at line:col whose message contains {@code msg}. */
    private static void assertCompileError(String text, int line, int col, String msg, String what) {
        InputError e = assertThrows(InputError.class, () -> compilePatch(text), what);
        assertEquals("p.ukl:" + line + ":" + col, e.render().substring(0, e.render().indexOf(": ")), what + ": " + e.render());
        assertTrue(e.getMessage().contains(msg), what + ": " + e.getMessage());
    }

    @Test
    void aPatchPrintsAndParsesBack() {
        String text = "extends ukl-6x\n\npatch syscall:\n    delete sti 1\n    before ct_exit:\n        sti\n";
        Ast.PathFile f = PathParser.parse("p.ukl", text);
        assertEquals(PathPrinter.print(f), PathPrinter.print(PathParser.parse("q.ukl", PathPrinter.print(f))));
        assertTrue(PathPrinter.print(f).contains("patch syscall:\n    delete sti 1\n    before ct_exit:\n        sti\n"), PathPrinter.print(f));
    }

    // ---- issue 14: new vectors (vector NAME PATH [ist K]) and raise

    private static final String VEC = "extends linux\n\nvector ud exc_ud ist 5    # idt.c\n\npatch syscall:\n    after push_regs:\n        raise ud\n\n"
            + "path exc_ud:\n    push_regs\n    handle\n    pop_regs\n    iret\n";

    @Test
    void aDeclaredVectorIsRaisedByItsIndexAfterTheBuiltInOnesAndPrintsBack() {
        Program p = compilePatch(VEC.replace("p.ukl", "p.ukl"));
        Ast.VectorDef v = p.merged().vectors().get(0);
        assertEquals("UD", v.name());   // names are upper-cased: case is ignored
        assertEquals(5, v.ist());
        Instr raise = null;
        for (Instr in : p.code()[p.pathIndex("syscall")]) if (in.op() == Op.RAISE) raise = in;
        assertNotNull(raise);
        assertEquals(Vector.values().length, raise.arg());
        Ast.PathFile f = PathParser.parse("p.ukl", VEC);
        String printed = PathPrinter.print(f);
        assertTrue(printed.contains("vector UD exc_ud ist 5"), printed);
        assertTrue(printed.contains("        raise UD\n"), printed);
        assertEquals(printed, PathPrinter.print(PathParser.parse("q.ukl", printed)));
        String merged = PathPrinter.printMerged(PathCompiler.merge(f, Presets::load));
        assertTrue(merged.contains("vector UD exc_ud ist 5") && merged.contains("# p.ukl:3: idt.c"), merged);
        // The scenario gives it its IST slot, and --ist may override it.
        Scenario.Builder sb = Scenario.builder().paths("p.ukl", VEC).workload("getppid");
        assertEquals(5, sb.build().ist[Vector.values().length]);
        assertEquals(3, Scenario.builder().paths("p.ukl", VEC).workload("getppid").istSpec("ud=3").build().ist[Vector.values().length]);
        InputError e = assertThrows(InputError.class, () -> Scenario.builder().paths("p.ukl", VEC).workload("getppid").istSpec("GP=3").build());
        assertTrue(e.getMessage().contains("unknown vector 'GP'") && e.getMessage().contains("UD"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "undeclared raise   | vector UD exc_ud\\npatch syscall:\\n    after push_regs:\\n        raise GP\\npath exc_ud:\\n    iret | 6 | 15 | no vector GP is declared",
            "no handler path    | vector UD exc_ud\\npatch syscall:\\n    after push_regs:\\n        raise UD                      | 3 | 11 | no path 'exc_ud' handles it",
            "handler also run   | vector UD exc_ud\\npatch syscall:\\n    after push_regs:\\n        run exc_ud\\npath exc_ud:\\n    iret | 7 | 6  | cannot also be a helper",
    })
    void aVectorTheProgramCannotUseIsAPositionedError(String what, String body, int line, int col, String msg) {
        assertCompileError("extends linux\n\n" + body.strip().replace("\\n", "\n") + "\n", line, col, msg, what);
    }

    /** kernel_thread is ret_from_fork's test of %rbx: there it compiles to a branch, anywhere else it is a positioned error. */
    @Test
    void kernelThreadIsOnlyRetFromForksCondition() {
        Program p = compilePatch("extends ukl-5.14\n");
        boolean found = false;
        for (Instr in : p.code()[p.pathIndex("ret_from_fork")])
            if (in.kind() == Instr.Kind.BR && in.cond().kind() == ukl.model.lang.Cond.Kind.KERNEL_THREAD) found = true;
        assertTrue(found, "ukl-5.14's ret_from_fork has no kernel_thread branch");
        assertCompileError("extends linux\n\npatch syscall:\n    after push_regs:\n        if kernel_thread:\n            nop\n", 5, 12, "cannot use it", "kernel_thread in syscall");
        assertCompileError("extends linux\n\npatch syscall:\n    after push_regs:\n        if not kernel_thread:\n            nop\n", 5, 16, "cannot use it", "not kernel_thread in syscall");
    }
}
