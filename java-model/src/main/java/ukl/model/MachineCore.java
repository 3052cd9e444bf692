package ukl.model;

import ukl.model.lang.Cond;
import ukl.model.lang.Instr;
import ukl.model.lang.Op;
import ukl.model.lang.Program;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ukl.model.Machine.Label;
import ukl.model.Machine.Transition;
import ukl.model.Machine.Sink;
import ukl.model.Machine.Perturbation;
import ukl.model.Machine.Violation;
import ukl.model.Machine.KernelStackFault;
import ukl.model.Machine.BoundHit;
import ukl.model.Machine.Fault;

/**
 * The machine's program, scenario facts and shared helpers (naming, activations, frames): the base
 * of the mechanism files {@link Scheduling}, {@link Faults}, {@link Nmi}, {@link EntryReturn} and of
 * {@link Machine}, which holds the actions (issue 12: one file per mechanism).
 */
abstract class MachineCore {
    public final Scenario scenario;
    final Instr[][] code;
    final String[] codeNames;
    final boolean[] entryPath;
    /** Per vector (built-in ordinals, then the path file's declared ones, issue 14): code index of its path. */
    final int[] vecPath;
    /** Per vector: its name in traces (TIMER ... DF, then declared names such as GP). */
    final String[] vecNames;
    final int[] libcOf;                 // per thread: code index of its libc_syscall
    final int shortcutWrapped, shortcutBare;
    final List<String> bodyNames = new ArrayList<>();
    final List<List<Workload.BodyOp>> bodyOps = new ArrayList<>();
    final int nCpu, nThr, nMm;
    /** Per code index: the pc of its first nmi_enter (repeat_nmi, where a redirected iret lands), -1 none. */
    final int[] nmiEnterPc;
    /** Code index of ret_from_fork, -1 when the program has none (issue 13, item 4). */
    final int forkPath;
    /** Per thread: the slot of the child its clone() creates, -1 none. */
    final int[] childOf;

    final Machine.Perturbation perturbation;

    MachineCore(Scenario sc, Machine.Perturbation perturbation) {
        this.perturbation = perturbation;
        this.scenario = sc;
        this.nCpu = sc.cpus;
        this.nThr = sc.threads.size();
        this.nMm = 2;
        this.periodic = sc.budget(Event.TIMER) < 0;
        Program p = sc.program;
        List<Instr[]> codes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < p.code().length; i++) { codes.add(p.code()[i]); names.add(p.pathNames().get(i)); }
        int linuxLibc = p.pathIndex("libc_syscall");
        if (!sc.basePreset.equals("linux")) {
            // Ordinary processes on a UKL kernel use stock glibc and entry_SYSCALL_64 (§4.2.1.1).
            Program lx = sc.linuxProgram;
            int off = codes.size();
            Map<Integer, Integer> remap = new HashMap<>();
            remap.put(lx.pathIndex("libc_syscall"), off);
            remap.put(lx.pathIndex("syscall"), off + 1);
            for (String n : List.of("libc_syscall", "syscall")) {
                Instr[] src = lx.code()[lx.pathIndex(n)];
                Instr[] dst = new Instr[src.length];
                for (int i = 0; i < src.length; i++) {
                    Instr in = src[i];
                    dst[i] = in.kind() == Instr.Kind.OP && in.op() == Op.RUN
                            ? new Instr(in.kind(), in.op(), remap.get(in.arg()), in.argWord(), in.cond(), in.target(), in.file(), in.line(), in.col(), in.comment())
                            : in;
                }
                codes.add(dst);
                names.add("linux:" + n);
            }
            linuxLibc = off;
        }
        int enter = p.pathIndex("shortcut_enter"), exit = p.pathIndex("shortcut_exit");
        shortcutWrapped = codes.size();
        if (enter >= 0 && exit >= 0) {
            codes.add(new Instr[]{
                    new Instr(Instr.Kind.OP, Op.RUN, enter, "shortcut_enter", null, -1, "<workload>", 1, 1, "§5.13 exit_user()"),
                    new Instr(Instr.Kind.OP, Op.BODY, 0, null, null, -1, "<workload>", 2, 1, "§5.13 the kernel routine, called directly"),
                    new Instr(Instr.Kind.OP, Op.RUN, exit, "shortcut_exit", null, -1, "<workload>", 3, 1, "§5.13 enter_user()")});
        } else {
            codes.add(new Instr[0]);
        }
        names.add("shortcut(wrapped)");
        shortcutBare = codes.size();
        codes.add(new Instr[]{new Instr(Instr.Kind.OP, Op.BODY, 0, null, null, -1, "<workload>", 1, 1, "§5.13 the kernel routine, called with no mode change")});
        names.add("shortcut(bare)");
        if (codes.size() > 63) throw new IllegalStateException("too many paths for the activation encoding");
        code = codes.toArray(new Instr[0][]);
        codeNames = names.toArray(new String[0]);
        List<ukl.model.lang.Ast.VectorDef> declared = p.merged().vectors();
        int nBuiltin = Vector.BUILT_IN;
        vecPath = new int[nBuiltin + declared.size()];
        vecNames = new String[vecPath.length];
        for (Vector v : Vector.values()) { vecPath[v.ordinal()] = p.pathIndex(v.path); vecNames[v.ordinal()] = v.name(); }
        for (int i = 0; i < declared.size(); i++) { vecPath[nBuiltin + i] = p.pathIndex(declared.get(i).path()); vecNames[nBuiltin + i] = declared.get(i).name(); }
        entryPath = new boolean[code.length];
        for (int i = 0; i < codeNames.length; i++) {
            String n = codeNames[i].replace("linux:", "");
            entryPath[i] = List.of("syscall", "irq", "exc_pf", "exc_df", "nmi", "mc", "db").contains(n);
        }
        for (int i = nBuiltin; i < vecPath.length; i++) entryPath[vecPath[i]] = true;   // a declared vector's path ends with its return
        nmiEnterPc = new int[code.length];
        for (int i = 0; i < code.length; i++) {
            nmiEnterPc[i] = -1;
            for (int pc = 0; pc < code[i].length; pc++)
                if (code[i][pc].kind() == Instr.Kind.OP && code[i][pc].op() == Op.NMI_ENTER) { nmiEnterPc[i] = pc; break; }
        }
        forkPath = p.pathIndex("ret_from_fork");
        childOf = new int[nThr];
        java.util.Arrays.fill(childOf, -1);
        for (int t = 0; t < nThr; t++) if (sc.threads.get(t).child()) childOf[sc.threads.get(t).parent()] = t;
        libcOf = new int[nThr];
        for (int t = 0; t < nThr; t++)
            libcOf[t] = sc.threads.get(t).coRunner() ? linuxLibc : p.pathIndex("libc_syscall");
        // Sorted, so body ids (and so state encodings) are the same in every JVM and every engine.
        for (String b : new java.util.TreeSet<>(Workload.BODIES.keySet())) {
            bodyNames.add(b);
            bodyOps.add(Workload.BODIES.get(b));
        }
    }

    // ------------------------------------------------------------------ what other engines need

    /** The flat program every engine interprets: all paths, including stock linux and the shortcut wrappers. */
    public Instr[][] code() { return code; }
    public List<String> codeNames() { return List.of(codeNames); }
    public boolean entryPath(int i) { return entryPath[i]; }
    public int forkPath() { return forkPath; }
    public int vecPath(Vector v) { return vecPath[v.ordinal()]; }
    /** Every vector's path, built-in ordinals first, then the declared vectors (the TLA+ twin's VecPath). */
    public int[] vecPaths() { return vecPath.clone(); }
    public String vecName(int vi) { return vecNames[vi]; }
    public int vectors() { return vecPath.length; }
    public int libcOf(int t) { return libcOf[t]; }
    public int shortcutWrapped() { return shortcutWrapped; }
    public int shortcutBare() { return shortcutBare; }
    public List<String> bodyNames() { return List.copyOf(bodyNames); }
    public List<Workload.BodyOp> bodyOps(int b) { return bodyOps.get(b); }
    public int nCpu() { return nCpu; }
    public int nThr() { return nThr; }
    public int nMm() { return nMm; }

    // ------------------------------------------------------------------ naming

    public String threadName(int t) {
        Scenario.ThreadSpec ts = scenario.threads.get(t);
        if (ts.idle()) return "idle" + ts.cpu();
        return "t" + t;
    }

    public String stackName(State s, int id) {
        if (s.isApp(id)) return "APP(" + threadName(id) + ")";
        if (s.isTask(id)) return "TASK(" + threadName(id - nThr) + ")";
        int r = id - 2 * nThr;
        return "IST(cpu" + (r / 7) + "," + (r % 7 + 1) + ")";
    }

    public Scenario.ThreadKind kind(int t) { return scenario.threads.get(t).kind(); }
    public boolean isIdle(int t) { return scenario.threads.get(t).idle(); }
    int cpuOf(int t) { return scenario.threads.get(t).cpu(); }
    int mmOf(int t) { return scenario.threads.get(t).mm(); }
    boolean isChild(int t) { return scenario.threads.get(t).child(); }
    /** The kernel thread that execs the program (workload exec): it leaves at its first app step, as a clone child does. */
    boolean isExec(int t) { return scenario.threads.get(t).exec(); }
    int idleOf(int c) { for (int t = 0; t < nThr; t++) if (isIdle(t) && cpuOf(t) == c) return t; throw new IllegalStateException(); }
    public String codeName(int i) { return codeNames[i]; }
    public Instr instr(int codeIdx, int pc) { return pc < code[codeIdx].length ? code[codeIdx][pc] : null; }

    public String describeActs(State s, int t) {
        StringBuilder sb = new StringBuilder();
        int[] a = s.acts[t];
        for (int d = 0; d < a.length; d++) {
            if (d > 0) sb.append(" > ");
            int x = a[d];
            switch (Act.kind(x)) {
                case Act.APP -> {
                    List<Workload.AppOp> prog = scenario.threads.get(t).program();
                    sb.append("app@").append(prog.get(Act.pc(x)).render());
                }
                case Act.HANDLER -> {
                    List<Workload.AppOp> prog = scenario.threads.get(t).handler();
                    sb.append("signal handler@").append(Act.pc(x) < prog.size() ? prog.get(Act.pc(x)).render() : "restorer");
                }
                case Act.BODY -> sb.append("body ").append(bodyNames.get(Act.body(x) - 1)).append("@").append(Act.pc(x));
                default -> {
                    sb.append(codeNames[Act.code(x)]);
                    Instr in = instr(Act.code(x), Act.pc(x));
                    sb.append("@").append(in == null ? "end" : String.valueOf(in.line()));
                    if (Act.vec(x) != 0) sb.append("[").append(vecNames[Act.vec(x) - 1]).append(Act.hw(x) ? "" : ",no frame").append("]");
                }
            }
        }
        return sb.toString();
    }

    void restore(State s, int c, int t) {
        s.setStatus(t, State.RUNNING);
        s.setSp(c, s.savedSp(t)); s.setIfl(c, s.savedIf(t) == 1); s.setCpl(c, s.savedCpl(t)); s.setGs(c, s.savedGs(t)); s.setCt(c, s.savedCt(t));
        s.setSavedSp(t, 0); s.setSavedIf(t, 0); s.setSavedCpl(t, 0); s.setSavedGs(t, 0); s.setSavedCt(t, 0);
    }

    /** TIMER:* stands for a periodic tick (proofs-notes/model-choices.md, "Periodic timers"). */
    final boolean periodic;

    /** Set while a step runs schedule() or delivers a signal: the scheduler's steps, under strong fairness. */
    boolean schedStep;

    /** Set while a step runs in an STI shadow: the step is one instruction, nothing more. */
    boolean inShadow;

    String frames(State n, int s) {
        StringBuilder sb = new StringBuilder();
        for (int f : n.stack[s]) { if (sb.length() > 0) sb.append(", "); sb.append(Frame.render(f, (Machine) this, n)); }
        return "[" + sb + "]";
    }

    static final String SHADOW_NOTE = "first instruction only (in the STI shadow)";

    void advance(State n, int t, int a) { n.setTop(t, Act.withPc(a, Act.pc(a) + 1)); }

    /** Pushes an activation, ending the run as incomplete past the nesting bound (frames record depth in 5 bits). */
    void enter(State n, int t, int act) {
        if (n.depth(t) >= scenario.maxNesting)
            throw new BoundHit("nesting depth " + scenario.maxNesting + " reached (a path runs itself, or raise --max-nesting)");
        n.pushAct(t, act);
    }

    String topDesc(State n, int sp) {
        return n.stack[sp].length == 0 ? "nothing (the stack is empty)" : Frame.render(n.top(sp), (Machine) this, n);
    }

    int nearestHw(State n, int t) {
        for (int d = n.depth(t) - 1; d >= 1; d--) if (Act.hw(n.act(t, d))) return d;
        return -1;
    }

    /** What started an activation with a hardware frame: its vector, or ret_from_fork for a clone child's first return (vec 0). */
    String actVecName(int act) { return Act.vec(act) == 0 ? "ret_from_fork" : vecNames[Act.vec(act) - 1]; }

    int nearestVec(State n, int t) {
        for (int d = n.depth(t) - 1; d >= 1; d--) if (Act.vec(n.act(t, d)) != 0) return Act.vec(n.act(t, d)) - 1;
        return -1;
    }

    boolean hasVec(State n, int t, Vector v) {
        for (int d = 1; d < n.depth(t); d++) if (Act.vec(n.act(t, d)) == v.ordinal() + 1) return true;
        return false;
    }

    /** Where thread t's hardware frame of depth h lives: {stack, index}. */
    private int[] hwFrameAt(State n, int t, int h) {
        for (int s = 0; s < n.nStacks; s++)
            for (int i = 0; i < n.stack[s].length; i++) {
                int f = n.stack[s][i];
                if (Frame.kind(f) == Frame.HW && Frame.thread(f) == t && Frame.depth(f) == h) return new int[]{s, i};
            }
        throw new Violation(Property.RETURN_MISMATCH, "the hardware frame of the interrupt at depth " + h + " is gone");
    }

    /** The hardware frame of thread t's interrupt at depth h, wherever it lives. */
    int hwFrame(State n, int t, int h) {
        int[] at = hwFrameAt(n, t, h);
        return n.stack[at[0]][at[1]];
    }

    /** Replaces thread t's hardware frame of depth h where it lives (error_entry/error_return write its CS). */
    void setHwFrame(State n, int t, int h, int nf) {
        int[] at = hwFrameAt(n, t, h);
        int[] x = n.stack[at[0]].clone(); x[at[1]] = nf; n.stack[at[0]] = x;   // stacks are copy-on-write
    }

    boolean rtc(int t) {
        return scenario.has(Option.RUN_TO_COMPLETION) && !isIdle(t) && !scenario.threads.get(t).coRunner();
    }
}
