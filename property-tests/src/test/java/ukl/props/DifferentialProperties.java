package ukl.props;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import ukl.model.Machine;
import ukl.model.Presets;
import ukl.model.Scenario;
import ukl.model.lang.Ast;
import ukl.model.lang.Op;
import ukl.model.lang.PathPrinter;
import ukl.tlc.CrossCheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Suite 3: differential testing of the engines. Mutants of the presets' paths (drop, duplicate or
 * swap ops, flip cli/sti, move set_mode, ret for iret) are checked by the Java explorer and by TLC;
 * their state sets, verdicts and counterexamples must agree. A disagreement is written as a
 * scenario file under target/disagreements/. CI runs jqwik.tries.default tries (3, in
 * junit-platform.properties); -Djqwik.tries.default=N runs more.
 */
class DifferentialProperties {
    /** RAISE_UD (issue 14) is made by {@link #raiseAt}, which also declares the vector; mutants() does not draw it. */
    enum Mutation { DROP, DUPLICATE, SWAP, FLIP_CLI_STI, MOVE_SET_MODE, RET_FOR_IRET, RAISE_UD }

    /** A preset path to mutate, and a small scenario that runs it. */
    record Target(String preset, String path, String workload, String events, List<String> options) {}

    static final List<Target> TARGETS = List.of(
            new Target("ukl-paper", "irq", "compute", "TIMER:1", List.of("RET")),
            new Target("ukl-6x", "irq", "compute", "TIMER:1", List.of()),
            new Target("ukl-paper", "syscall", "getppid", "TIMER:1", List.of()),
            new Target("ukl-6x", "syscall", "getppid", "none", List.of()),
            new Target("linux", "syscall", "getppid", "TIMER:1", List.of()),
            new Target("linux", "irq", "compute", "TIMER:1", List.of()),
            new Target("ukl-paper", "exc_pf", "stack-grow", "none", List.of("PF_SS")),
            new Target("ukl-paper", "nmi", "compute", "NMI:1", List.of()),
            // issue 12: the nested-NMI logic (nmi_enter, nmi_exit, iret to repeat_nmi) and exc_page_fault's phases
            new Target("linux", "nmi", "perf-getppid", "NMI:2", List.of()),
            new Target("ukl-6x", "exc_pf", "read-user", "TIMER:1", List.of("PF_SS")),
            // issue 13: fake_cs / fix_cs, the tick's RCU quiescent state, per-CPU reads through GS
            new Target("ukl-paper", "irq", "shortcut-bare", "TIMER:1", List.of()),
            new Target("ukl-5.14", "mc", "compute", "MC:1", List.of()),
            new Target("ukl-5.14", "syscall", "clone", "TIMER:1", List.of("NSS")),
            // issue 13: signal delivery, the sig_frame iret branch and rt_sigreturn's return
            new Target("ukl-5.14", "syscall", "signal-getppid", "TIMER:1,SIGNAL:1", List.of()),
            // issue 13, item 4: exec from kernel_init, through ret_from_fork's kernel-thread branch
            new Target("ukl-5.14", "ret_from_fork", "exec", "TIMER:1,SIGNAL:1", List.of("RET")),
            // issue 13, item 4: fork's child returns through ret_from_fork and its fork fix
            new Target("ukl-5.14", "ret_from_fork", "fork", "TIMER:1", List.of("RET")));

    record Mutant(Target target, Mutation mutation, int at, String text) {
        @Override public String toString() { return target.preset() + ":" + target.path() + " " + mutation + " at op " + at; }
    }

    @Provide
    Arbitrary<Mutant> mutants() {
        return Combinators.combine(Arbitraries.of(TARGETS), Arbitraries.of(Mutation.values()).filter(mu -> mu != Mutation.RAISE_UD), Arbitraries.integers().between(0, 40))
                .as(DifferentialProperties::mutate)
                .filter(m -> m != null);
    }

    /** Applies one mutation to the n-th op (mod the path's length) of the target path; null if it changes nothing. */
    static Mutant mutate(Target t, Mutation mu, int n) {
        Ast.PathDef def = Presets.load(t.preset()).path(t.path());
        List<int[]> ops = new ArrayList<>();
        count(def.body(), ops, new int[]{0});
        int total = ops.size();
        int k = n % total;
        List<Ast.Stmt> body = apply(def.body(), mu, k, new int[]{0});
        if (body == null || body.equals(def.body())) return null;
        Ast.PathFile f = new Ast.PathFile("mutant.ukl", t.preset(), List.of("mutant: " + mu + " at op " + k),
                List.of(new Ast.PathDef(t.path(), body, 0, null)));
        return new Mutant(t, mu, k, PathPrinter.print(f));
    }

    private static void count(List<Ast.Stmt> b, List<int[]> out, int[] c) {
        for (Ast.Stmt s : b) {
            if (s instanceof Ast.OpStmt) out.add(new int[]{c[0]++});
            else if (s instanceof Ast.IfStmt i) { count(i.then(), out, c); count(i.orElse(), out, c); }
        }
    }

    /** Rebuilds a block with the mutation applied at global op index k. */
    private static List<Ast.Stmt> apply(List<Ast.Stmt> b, Mutation mu, int k, int[] c) {
        List<Ast.Stmt> out = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            Ast.Stmt s = b.get(i);
            if (s instanceof Ast.IfStmt is) {
                List<Ast.Stmt> th = apply(is.then(), mu, k, c), el = apply(is.orElse(), mu, k, c);
                if (th == null || th.isEmpty()) th = is.then();
                out.add(new Ast.IfStmt(is.cond(), th, el == null ? is.orElse() : el, is.line(), is.col()));
                continue;
            }
            Ast.OpStmt o = (Ast.OpStmt) s;
            int idx = c[0]++;
            if (idx != k) { out.add(o); continue; }
            switch (mu) {
                case DROP -> { if (b.size() == 1) out.add(o); }
                case DUPLICATE -> { out.add(o); out.add(o); }
                case SWAP -> {
                    if (i + 1 < b.size() && b.get(i + 1) instanceof Ast.OpStmt next) { out.add(next); out.add(o); c[0]++; i++; }
                    else out.add(o);
                }
                case FLIP_CLI_STI -> out.add(o.op() == Op.CLI ? new Ast.OpStmt(Op.STI, null, 0, 0, o.comment())
                        : o.op() == Op.STI ? new Ast.OpStmt(Op.CLI, null, 0, 0, o.comment()) : o);
                case MOVE_SET_MODE -> {
                    if (o.op() == Op.SET_MODE && i + 1 < b.size() && b.get(i + 1) instanceof Ast.OpStmt next) { out.add(next); out.add(o); c[0]++; i++; }
                    else out.add(o);
                }
                case RET_FOR_IRET -> out.add(o.op() == Op.RET ? new Ast.OpStmt(Op.IRET, null, 0, 0, o.comment())
                        : o.op() == Op.IRET ? new Ast.OpStmt(Op.RET, null, 0, 0, o.comment()) : o);
                case RAISE_UD -> out.add(o);
            }
        }
        return out;
    }

    static Scenario scenario(Mutant m) {
        Scenario.Builder b = Scenario.builder().paths("mutant.ukl", m.text()).workload(m.target().workload());
        b.eventsSpec(m.target().events());
        for (String o : m.target().options()) b.optionSpec(o);
        b.name = "mutant-" + m.target().preset() + "-" + m.target().path() + "-" + m.mutation() + "-" + m.at();
        return b.build();
    }

    @Property(seed = "20261122")
    void bothEnginesAgreeOnMutatedPresets(@ForAll("mutants") Mutant m) throws Exception {
        Path work = Files.createTempDirectory("ukl-diff-");
        CrossCheck.Outcome o = CrossCheck.run(scenario(m), work, 1, 300);
        if (!o.agree()) {
            Path dir = Path.of("target", "disagreements");
            Files.createDirectories(dir);
            String n = scenario(m).name;
            Files.writeString(dir.resolve(n + ".ukl"), m.text());
            Files.writeString(dir.resolve(n + ".scenario"), "# Found by DifferentialProperties: the engines disagree.\n"
                    + "paths: " + n + ".ukl\nworkload: " + m.target().workload() + "\nevents: " + m.target().events() + "\n"
                    + (m.target().options().isEmpty() ? "" : "options: " + String.join(", ", m.target().options()) + "\n")
                    + "expect: * holds\n");
        }
        assertTrue(o.agree(), m + ":\n" + String.join("\n", o.differences()));
    }

    /** The suite can fail: the same mutant with a perturbed Java engine (popf keeps IF) disagrees with TLC. */
    @Test
    void aBrokenEngineIsReported() throws Exception {
        // A harmless mutant (a second ct_exit on the UKL branch: a no-op without NOHZ_FULL) of ukl-paper's
        // irq with RET, whose return runs popf; only the perturbed engine can make the two differ.
        Mutant m = null;
        for (int k = 0; k < 40 && m == null; k++) {
            Mutant c = mutate(TARGETS.get(0), Mutation.DUPLICATE, k);
            if (c == null) continue;
            List<String> ls = c.text().lines().map(l -> l.replaceAll("\\s*#.*$", "")).toList();
            for (int i = 1; i + 1 < ls.size(); i++)
                if (ls.get(i - 1).equals("            sync_regs") && ls.get(i).equals("            ct_exit") && ls.get(i + 1).equals("            ct_exit")) m = c;
        }
        assertNotNull(m, "no harmless mutant found");
        assertTrue(CrossCheck.run(scenario(m), Files.createTempDirectory("ukl-diff-"), 1, 300).agree(), "the mutant itself must agree");
        CrossCheck.Outcome o = CrossCheck.run(scenario(m), Files.createTempDirectory("ukl-diff-"), 1, 300, Machine.Perturbation.POPF_KEEPS_IF);
        assertFalse(o.agree(), "the perturbed engine went unnoticed");
    }

    /** The nested-NMI ops, deterministically: dropping nmi_enter or nmi_exit from Linux's NMI path. */
    @Test
    void bothEnginesAgreeWithoutEachNestedNmiOp() throws Exception {
        agreeWithoutEach(TARGETS.stream().filter(t -> t.workload().equals("perf-getppid")).findFirst().orElseThrow(), "nmi_enter", "nmi_exit");
    }

    /** For each op: the first DROP mutant of the target's path without that op; both engines must agree on it. */
    private static void agreeWithoutEach(Target target, String... ops) throws Exception {
        for (String op : ops) {
            Mutant m = null;
            for (int k = 0; k < 40 && m == null; k++) {
                Mutant c = mutate(target, Mutation.DROP, k);
                if (c != null && c.text().lines().map(l -> l.replaceAll("\\s*#.*$", "").trim()).noneMatch(op::equals)) m = c;
            }
            assertNotNull(m, "no mutant drops " + op);
            CrossCheck.Outcome o = CrossCheck.run(scenario(m), Files.createTempDirectory("ukl-diff-"), 1, 300);
            assertTrue(o.agree(), m + ":\n" + String.join("\n", o.differences()));
        }
    }

    /** The Java engine with a deliberate fault must disagree with TLC on this scenario. */
    private static void perturbationIsCaught(Scenario.Builder b, String name, Machine.Perturbation p) throws Exception {
        b.name = name;
        CrossCheck.Outcome o = CrossCheck.run(b.build(), Files.createTempDirectory("ukl-diff-"), 1, 300, p);
        assertFalse(o.agree(), "the perturbed engine went unnoticed");
    }

    /** Issue 13, deterministically: dropping fake_cs or fix_cs from ukl-6x's irq path. */
    @Test
    void bothEnginesAgreeWithoutEachFakeCsOp() throws Exception {
        agreeWithoutEach(TARGETS.get(1), "fake_cs", "fix_cs");
    }

    /** A Java engine whose fix_cs does nothing (the fake CS reaches iret) is caught against TLC. */
    @Test
    void aBrokenFixCsIsReported() throws Exception {
        Scenario.Builder b = Scenario.builder().preset("ukl-6x").workload("compute");
        b.eventsSpec("TIMER:1");
        perturbationIsCaught(b, "fix-cs-noop", Machine.Perturbation.FIX_CS_NOOP);
    }

    /** A Java engine that reads per-CPU data without looking at GS is caught against TLC (ukl-5.14's #MC in a co-runner's SYSCALL window). */
    @Test
    void aBrokenPerCpuGsCheckIsReported() throws Exception {
        Scenario.Builder b = Scenario.builder().preset("ukl-5.14").workload("compute");
        b.eventsSpec("MC:1");
        b.coRunner = true;
        b.cpus = 2;   // the co-runner on its own CPU, so its SYSCALL window can meet the #MC
        perturbationIsCaught(b, "percpu-ignores-gs", Machine.Perturbation.PERCPU_IGNORES_GS);
    }

    /** A Java engine whose signal frame ignores the red zone is caught against TLC (Linux, a signal while the leaf's red zone is live). */
    @Test
    void aSignalFrameOverTheRedZoneIsReported() throws Exception {
        Scenario.Builder b = Scenario.builder().preset("linux").workload("signal-getppid").option(ukl.model.Option.APP_REDZONE);
        perturbationIsCaught(b, "sigframe-ignores-redzone", Machine.Perturbation.SIGFRAME_IGNORES_REDZONE);
    }

    /** Issue 13, deterministically: dropping any op of 5.14's syscall path (with its sig_frame iret) on the signal workload. */
    @Test
    void bothEnginesAgreeWithoutEachSignalReturnOp() throws Exception {
        agreeWithoutEach(TARGETS.get(TARGETS.size() - 1), "popf", "exit_work");
    }

    /** A broken nested-NMI test in the Java engine (it ignores DF) is caught against TLC. */
    @Test
    void aBrokenNestedNmiTestIsReported() throws Exception {
        Scenario.Builder b = Scenario.builder().preset("linux").workload("perf-getppid");
        b.eventsSpec("NMI:3");
        perturbationIsCaught(b, "nmi-ignores-df", Machine.Perturbation.NMI_IGNORES_DF);
    }

    // ---- issue 14: a declared vector raised anywhere in a preset path

    /** A paranoid-style handler (GS from MSR_GS_BASE), right wherever it is raised. */
    static final String UD_HANDLER = "path exc_ud:\n    push_regs\n    classify paranoid\n    if from_user:\n        swapgs\n    handle\n"
            + "    if from_user:\n        swapgs\n    pop_regs\n    iret\n";

    /** The target's path with 'raise UD' before its k-th op line (mod its length), #UD on IST {@code ist}. */
    static Mutant raiseAt(Target t, int n, int ist) {
        Ast.PathDef def = Presets.load(t.preset()).path(t.path());
        List<int[]> ops = new ArrayList<>();
        count(def.body(), ops, new int[]{0});
        int k = n % ops.size();
        List<Ast.Stmt> body = insertRaise(def.body(), k, new int[]{0});
        Ast.PathDef handler = ukl.model.lang.PathParser.parse("h.ukl", UD_HANDLER).path("exc_ud");
        Ast.PathFile f = new Ast.PathFile("mutant.ukl", t.preset(), List.of("raise UD (IST " + ist + ") before op " + k),
                List.of(new Ast.PathDef(t.path(), body, 0, null), handler), List.of(),
                List.of(new Ast.VectorDef("UD", "exc_ud", ist, 0, 0, null, "mutant.ukl")));
        return new Mutant(t, Mutation.RAISE_UD, k, PathPrinter.print(f));
    }

    private static List<Ast.Stmt> insertRaise(List<Ast.Stmt> b, int k, int[] c) {
        List<Ast.Stmt> out = new ArrayList<>();
        for (Ast.Stmt s : b) {
            if (s instanceof Ast.IfStmt is) {
                out.add(new Ast.IfStmt(is.cond(), insertRaise(is.then(), k, c), insertRaise(is.orElse(), k, c), is.line(), is.col()));
                continue;
            }
            if (c[0]++ == k) out.add(new Ast.OpStmt(Op.RAISE, "UD", 0, 0, "generated"));
            out.add(s);
        }
        return out;
    }

    @Provide
    Arbitrary<Mutant> raises() {
        return Combinators.combine(Arbitraries.of(TARGETS), Arbitraries.integers().between(0, 40), Arbitraries.of(0, 2, 5))
                .as(DifferentialProperties::raiseAt);
    }

    /** Both engines agree on a declared vector raised before any op of any target path, on any of three IST choices. */
    @Property(seed = "20261206")
    void bothEnginesAgreeOnARaiseAnywhere(@ForAll("raises") Mutant m) throws Exception {
        CrossCheck.Outcome o = CrossCheck.run(scenario(m), Files.createTempDirectory("ukl-diff-"), 1, 300);
        assertTrue(o.agree(), m.text() + ":\n" + String.join("\n", o.differences()));
    }

    /**
     * Deterministically: before each op of Linux's syscall path where the context changes (both
     * swapgs: user GS; switch_stack: the user's stack; ct_exit: the task stack; sysret), #UD on the
     * NMI's IST with an NMI that can clobber it.
     */
    @Test
    void bothEnginesAgreeOnARaiseWhereverLinuxSyscallChangesContext() throws Exception {
        Target t = new Target("linux", "syscall", "getppid", "NMI:1", List.of());
        List<Ast.Stmt> body = Presets.load("linux").path("syscall").body();
        int tried = 0;
        for (int k = 0; k < body.size(); k++) {
            if (!(body.get(k) instanceof Ast.OpStmt o) || !List.of(Op.SWAPGS, Op.SWITCH_STACK, Op.CT_EXIT, Op.SYSRET).contains(o.op())) continue;
            Mutant m = raiseAt(t, k, 2);
            CrossCheck.Outcome o2 = CrossCheck.run(scenario(m), Files.createTempDirectory("ukl-diff-"), 1, 300);
            assertTrue(o2.agree(), m.text() + ":\n" + String.join("\n", o2.differences()));
            tried++;
        }
        assertEquals(5, tried);
    }

    /** Issue 13, deterministically: fork's child without the fork fix, and with it run twice (the second finds no return address and flags word). */
    @Test
    void bothEnginesAgreeWithoutAndWithADoubledForkFix() throws Exception {
        Target t = TARGETS.get(TARGETS.size() - 1);
        agreeWithoutEach(t, "fork_fix");
        Mutant m = null;
        for (int k = 0; k < 40 && m == null; k++) {
            Mutant c = mutate(t, Mutation.DUPLICATE, k);
            if (c != null && c.text().lines().filter(l -> l.replaceAll("\\s*#.*$", "").trim().equals("fork_fix")).count() == 2) m = c;
        }
        assertNotNull(m, "no mutant doubles fork_fix");
        CrossCheck.Outcome o = CrossCheck.run(scenario(m), Files.createTempDirectory("ukl-diff-"), 1, 300);
        assertTrue(o.agree(), m + ":\n" + String.join("\n", o.differences()));
        assertTrue(o.java().violated(ukl.model.Property.RETURN_MISMATCH), "a second fork fix moves pt_regs->sp past the stack's end");
    }

    /** Issue 13, exec, deterministically: kernel_init's return without the exec fix, the fork fix, or the exec itself. */
    @Test
    void bothEnginesAgreeWithoutEachExecOp() throws Exception {
        Target t = TARGETS.get(TARGETS.size() - 2);
        assertEquals("exec", t.workload());
        agreeWithoutEach(t, "exec_fix", "fork_fix", "body");
    }
}
