package ukl.model;

import ukl.model.lang.Cond;
import ukl.model.lang.Instr;
import ukl.model.lang.Op;
import ukl.model.lang.Program;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The executable machine of MODEL.md: initial state and successor relation. Every op is total: an
 * op that cannot run as written yields a RETURN_MISMATCH violation, never an exception.
 *
 * <p>Actions (as in the TLA+ twin): {@code Step(c)} runs the op at the program counter of the
 * thread running on CPU c; {@code Deliver(c, v)} delivers an interrupt or exception;
 * {@code Signal(t)} and {@code Wakeup(t)} are the environment's thread events.
 */
public final class Machine {
    public final Scenario scenario;
    final Instr[][] code;
    final String[] codeNames;
    final boolean[] entryPath;
    final int[] vecPath = new int[Vector.values().length];
    final int[] libcOf;                 // per thread: code index of its libc_syscall
    final int shortcutWrapped, shortcutBare;
    final List<String> bodyNames = new ArrayList<>();
    final List<List<Workload.BodyOp>> bodyOps = new ArrayList<>();
    final int nCpu, nThr, nMm;
    /** Per code index: the pc of its first nmi_enter (repeat_nmi, where a redirected iret lands), -1 none. */
    final int[] nmiEnterPc;

    /** Where an action happened, for traces; strings are built only when a trace is printed. */
    public record Label(Type type, int cpu, int thread, int code, int pc, int appPc, int body, Event event,
                        Vector delivered, String note) {
        public enum Type { OP, APP_OP, BODY_OP, EVENT, END }
    }

    /** A successor, a violation, or a transition cut off by a bound. */
    public record Transition(Label label, State next, Property violated, String why, String bound, int fairClass) {}

    public interface Sink { void accept(Transition t); }

    static final class Violation extends RuntimeException {
        final Property p;
        Violation(Property p, String why) { super(why, null, false, false); this.p = p; }
    }

    /** A call chain ran into the guard page below a task (or IST) stack: the CPU raises #PF on that stack. */
    static final class KernelStackFault extends RuntimeException {
        KernelStackFault() { super(null, null, false, false); }
    }

    static final class BoundHit extends RuntimeException {
        BoundHit(String why) { super(why, null, false, false); }
    }

    /** A push onto an app stack whose next page is not mapped: the op raises #PF instead of running. */
    static final class Fault extends RuntimeException {
        /** Non-null when the op changed state that must stand when #PF is delivered (see touch_app_stack). */
        final State keep;
        final String what;
        Fault() { this(null); }
        Fault(State keep) { this(keep, "the push faults"); }
        Fault(State keep, String what) { super(null, null, false, false); this.keep = keep; this.what = what; }
    }

    /**
     * Deliberate semantic faults, for tests that prove a cross-check or a suite catches a broken
     * engine. NONE is the machine of MODEL.md.
     */
    public enum Perturbation { NONE, POPF_KEEPS_IF, BYPASS_COUNTER_NEVER_RESETS, SET_MODE_NOOP, NMI_IGNORES_DF }

    private final Perturbation perturbation;

    public Machine(Scenario sc) { this(sc, Perturbation.NONE); }

    public Machine(Scenario sc, Perturbation perturbation) {
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
        entryPath = new boolean[code.length];
        for (int i = 0; i < codeNames.length; i++) {
            String n = codeNames[i].replace("linux:", "");
            entryPath[i] = List.of("syscall", "irq", "exc_pf", "exc_df", "nmi", "mc", "db").contains(n);
        }
        for (Vector v : Vector.values()) vecPath[v.ordinal()] = p.pathIndex(v.path);
        nmiEnterPc = new int[code.length];
        for (int i = 0; i < code.length; i++) {
            nmiEnterPc[i] = -1;
            for (int pc = 0; pc < code[i].length; pc++)
                if (code[i][pc].kind() == Instr.Kind.OP && code[i][pc].op() == Op.NMI_ENTER) { nmiEnterPc[i] = pc; break; }
        }
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
    public int vecPath(Vector v) { return vecPath[v.ordinal()]; }
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
                case Act.BODY -> sb.append("body ").append(bodyNames.get(Act.body(x) - 1)).append("@").append(Act.pc(x));
                default -> {
                    sb.append(codeNames[Act.code(x)]);
                    Instr in = instr(Act.code(x), Act.pc(x));
                    sb.append("@").append(in == null ? "end" : String.valueOf(in.line()));
                    if (Act.vec(x) != 0) sb.append("[").append(Vector.values()[Act.vec(x) - 1]).append(Act.hw(x) ? "" : ",no frame").append("]");
                }
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ init

    public State initial() {
        State s = new State(nCpu, nThr, nMm);
        for (Event e : Event.values()) s.budget[e.ordinal()] = scenario.budget(e);
        s.mmWriter[0] = -1; s.mmWriter[1] = -1;
        boolean nohz = scenario.has(Option.NOHZ_FULL);
        for (int c = 0; c < nCpu; c++) { s.running[c] = -1; s.scratchT[c] = -1; s.pt[c] = -1; }
        for (int t = 0; t < nThr; t++) {
            Scenario.ThreadSpec ts = scenario.threads.get(t);
            s.acts[t] = new int[]{Act.make(Act.APP, 0, 0, 0, false, false, 0)};
            s.sysretDepth[t] = -1;
            s.mode[t] = ts.kind() == Scenario.ThreadKind.UKL ? 2 : 0;   // the first return to the app set 2
            // A thread that is not running resumes from this saved context.
            if (ts.idle()) {
                s.savedSp[t] = s.task(t); s.savedIf[t] = 1; s.savedCpl[t] = 0; s.savedGs[t] = 0; s.savedCt[t] = 0;
            } else {
                s.savedSp[t] = s.app(t); s.savedIf[t] = 1;
                s.savedCpl[t] = ts.kind() == Scenario.ThreadKind.USER ? 3 : 0;
                s.savedGs[t] = ts.kind() == Scenario.ThreadKind.USER ? 1 : 0;
                s.savedCt[t] = nohz ? 1 : 0;
            }
            s.status[t] = State.READY;
        }
        for (int c = 0; c < nCpu; c++) {
            int first = -1;
            for (int t = 0; t < nThr; t++) if (!isIdle(t) && cpuOf(t) == c) { first = t; break; }
            if (first < 0) first = idleOf(c);
            s.running[c] = first;
            restore(s, c, first);
            if (mmOf(first) >= 0) s.pt[c] = mmOf(first);
        }
        return s;
    }

    private void restore(State s, int c, int t) {
        s.status[t] = State.RUNNING;
        s.sp[c] = s.savedSp[t]; s.ifl[c] = s.savedIf[t] == 1; s.cpl[c] = s.savedCpl[t]; s.gs[c] = s.savedGs[t]; s.ct[c] = s.savedCt[t];
        s.savedSp[t] = 0; s.savedIf[t] = 0; s.savedCpl[t] = 0; s.savedGs[t] = 0; s.savedCt[t] = 0;
    }

    // ------------------------------------------------------------------ successors

    public boolean timerEnabled(State s, int c) {
        return s.budget[Event.TIMER.ordinal()] != 0 && s.ifl[c] && !s.shadow[c];
    }

    public void successors(State s, Sink sink) {
        for (int c = 0; c < nCpu; c++) {
            step(s, c, sink);
            int t = s.running[c];
            if (timerEnabled(s, c)) event(s, c, t, Event.TIMER, Vector.TIMER, sink, nCpu + c);
            if (s.ipiState[c] == 1 && s.ifl[c] && !s.shadow[c]) event(s, c, t, Event.IPI, Vector.IPI, sink, -1);
            if (s.budget[Event.NMI.ordinal()] != 0 && !s.nmiBlocked[c]) event(s, c, t, Event.NMI, Vector.NMI, sink, -1);
            if (s.budget[Event.MC.ordinal()] != 0) event(s, c, t, Event.MC, Vector.MC, sink, -1);
            if (s.budget[Event.DB.ordinal()] != 0 && !isIdle(t) && s.depth(t) == 1) event(s, c, t, Event.DB, Vector.DB, sink, -1);
        }
        for (int t = 0; t < nThr; t++) {
            if (isIdle(t) || s.status[t] == State.DONE) continue;
            if (s.budget[Event.SIGNAL.ordinal()] != 0 && !s.sigPending[t]) {
                Label l = new Label(Label.Type.EVENT, cpuOf(t), t, -1, -1, -1, -1, Event.SIGNAL, null, null);
                State n = s.copy();
                consume(n, Event.SIGNAL);
                n.sigPending[t] = true;
                if (n.status[t] == State.SLEEPING) wake(n, t);   // signal_wake_up: interruptible sleep ends
                sink.accept(new Transition(l, n, null, null, null, -1));
            }
            if (s.budget[Event.WAKEUP.ordinal()] != 0 && s.status[t] == State.SLEEPING) {
                Label l = new Label(Label.Type.EVENT, cpuOf(t), t, -1, -1, -1, -1, Event.WAKEUP, null, null);
                State n = s.copy();
                consume(n, Event.WAKEUP);
                wake(n, t);
                sink.accept(new Transition(l, n, null, null, null, -1));
            }
        }
    }

    private static void consume(State n, Event e) {
        if (n.budget[e.ordinal()] > 0) n.budget[e.ordinal()]--;
    }

    /** TIMER:* stands for a periodic tick (proofs-notes/model-choices.md, "Periodic timers"). */
    private final boolean periodic;

    /** The context the last tick interrupted makes a step (it runs at that depth or shallower). */
    private void tickStep(State x, int c) {
        if (x.tick[c] != 0 && x.depth(x.running[c]) <= x.tick[c]) { x.tick[c] = 0; x.storm[c] = false; }
    }

    private void event(State s, int c, int t, Event e, Vector v, Sink sink, int fair) {
        State n = s.copy();
        try {
            Vector got = deliver(n, c, v);
            if (got == v) {   // a fault during delivery leaves the event pending
                if (e == Event.IPI) n.ipiState[c] = 2; else consume(n, e);
                if (e == Event.TIMER && periodic) {
                    // A periodic tick (TIMER:*): one that comes before the context the last tick
                    // interrupted has made a step is a storm, which no fair loop may rest on.
                    if (n.tick[c] != 0) n.storm[c] = true; else n.tick[c] = n.depth(t) - 1;
                }
            }
            sink.accept(new Transition(eventLabel(c, t, e, v, got), n, null, null, null, fair));
        } catch (Violation x) {
            sink.accept(new Transition(eventLabel(c, t, e, v, null), null, x.p, x.getMessage(), null, fair));
        } catch (BoundHit b) {
            sink.accept(new Transition(eventLabel(c, t, e, v, null), null, null, null, b.getMessage(), fair));
        }
    }

    private Label eventLabel(int c, int t, Event e, Vector wanted, Vector got) {
        String note = got != null && got != wanted ? "delivery of " + wanted + " faulted; " + got + " delivered instead" : null;
        return new Label(Label.Type.EVENT, c, t, -1, -1, -1, -1, e, got, note);
    }

    /** Set while a step runs schedule() or delivers a signal: the scheduler's steps, under strong fairness. */
    private boolean schedStep;

    /** Fairness class of Step(c): {@code c}, or {@code 2 nCpu + c} when it was a scheduler step. */
    private int stepClass(int c) { return schedStep ? 2 * nCpu + c : c; }

    /** Set while a step runs in an STI shadow: the step is one instruction, nothing more. */
    private boolean inShadow;

    /** Step(c): run the op at the program counter of the thread on CPU c. */
    private void step(State s, int c, Sink sink) {
        int t = s.running[c];
        State n = s.copy();
        inShadow = s.shadow[c];
        n.shadow[c] = false;                  // the STI shadow covers exactly one instruction
        tickStep(n, c);
        Label[] label = new Label[1];
        schedStep = false;
        try {
            exec(n, c, t, label);
            sink.accept(new Transition(label[0], n, null, null, null, stepClass(c)));
        } catch (Fault f) {
            // The op pushed onto an unmapped app-stack page: it does not complete; #PF is delivered
            // and the op re-runs after the handler returns (the faulting instruction restarts).
            State m = f.keep != null ? f.keep : s.copy();
            m.shadow[c] = false;
            tickStep(m, c);
            try {
                Vector got = deliver(m, c, Vector.PF);
                Label l = label[0];
                sink.accept(new Transition(new Label(l.type(), l.cpu(), l.thread(), l.code(), l.pc(), l.appPc(), l.body(), null, got,
                        f.what + ": " + (got == Vector.PF ? "#PF" : got == Vector.DF ? "#PF, whose delivery faults: #DF" : String.valueOf(got))), m, null, null, null, c));
            } catch (Violation x) {
                Label l = label[0];
                sink.accept(new Transition(new Label(l.type(), l.cpu(), l.thread(), l.code(), l.pc(), l.appPc(), l.body(), null, null, f.what), null, x.p, x.getMessage(), null, c));
            } catch (BoundHit b) {
                sink.accept(new Transition(label[0], null, null, null, b.getMessage(), c));
            }
        } catch (KernelStackFault f) {
            kernelStackFault(s, c, t, label[0], sink);
        } catch (Violation x) {
            sink.accept(new Transition(label[0], null, x.p, x.getMessage(), null, c));
        } catch (BoundHit b) {
            sink.accept(new Transition(label[0], null, null, null, b.getMessage(), c));
        }
    }

    /**
     * The task stack overflowed into its guard page (issue 12). The #PF this raises is pushed on
     * the same overflowed stack unless #PF has an IST stack, so the push faults and the CPU
     * delivers #DF, on its IST stack; with no IST for #DF either, that push faults too: a triple
     * fault. The thread's task stack stays marked overflowed: whatever handles this fault must
     * not treat it as an app-stack fault (MISCLASSIFIED_DF) and cannot resume it.
     */
    private void kernelStackFault(State s, int c, int t, Label l, Sink sink) {
        State m = s.copy();
        m.shadow[c] = false;
        tickStep(m, c);
        m.kso[t] = true;
        Vector v = scenario.ist[Vector.PF.ordinal()] > 0 ? Vector.PF : Vector.DF;
        String what = v == Vector.PF ? "#PF on its IST stack" : "#PF, whose push on the overflowed stack faults: #DF";
        Label lf = new Label(l.type(), l.cpu(), l.thread(), l.code(), l.pc(), l.appPc(), l.body(), null, v,
                "the call chain runs into the guard page below " + stackName(s, s.sp[c]) + ": " + what);
        try {
            if (v == Vector.DF && scenario.ist[Vector.DF.ordinal()] == 0)
                throw new Violation(Property.DOUBLE_FAULT_PANIC, "the #DF for the task-stack overflow is pushed on the same overflowed stack (no IST for #DF): triple fault, the machine resets");
            deliver(m, c, v);
            sink.accept(new Transition(lf, m, null, null, null, c));
        } catch (Violation x) {
            sink.accept(new Transition(lf, null, x.p, x.getMessage(), null, c));
        } catch (BoundHit b) {
            sink.accept(new Transition(lf, null, null, null, b.getMessage(), c));
        }
    }

    // ------------------------------------------------------------------ hardware delivery (MODEL.md §2)

    /** Delivers vector v on CPU c; returns the vector actually delivered (a fault during delivery changes it). */
    Vector deliver(State n, int c, Vector v) {
        int t = n.running[c];
        if (n.depth(t) >= scenario.maxNesting)
            throw new BoundHit("nesting depth " + scenario.maxNesting + " reached delivering " + v + " (raise --max-nesting)");
        int k = scenario.ist[v.ordinal()];
        int target;
        boolean nested = false;
        if (k > 0) {
            target = n.ist(c, k);
            if (n.stack[target].length > 0) {
                // A nested NMI writes its frame into the "original" slot at the top of the NMI stack;
                // that is harmless once the outer NMI's first_nmi has copied it, and only then
                // (entry_64.S asm_exc_nmi: "Everything up to here is safe from nested NMIs").
                nested = v == Vector.NMI && (n.nmi[c] & (State.NMI_COPIED | State.NMI_NEST)) == State.NMI_COPIED;
                if (!nested)
                    throw new Violation(Property.STACK_CLOBBER, "delivery of " + v + " resets SP to the top of " + stackName(n, target)
                            + ", which still holds " + frames(n, target)
                            + (v == Vector.NMI ? ((n.nmi[c] & State.NMI_NEST) != 0
                                    ? ": the nested NMI's frame in the original slot has not been consumed yet"
                                    : ": the outer NMI has not copied its frame yet (first_nmi), and an iret since its delivery unmasked NMIs") : ""));
            }
        } else if (n.cpl[c] == 3) {
            target = n.task(t);   // TSS.RSP0
            if (n.stack[target].length > 0)
                throw new Violation(Property.STACK_CLOBBER, "delivery of " + v + " from CPL 3 resets SP to the top of "
                        + stackName(n, target) + ", which still holds " + frames(n, target));
        } else {
            target = n.sp[c];     // CPL 0 -> CPL 0: no stack switch (the UKL case)
        }
        if (n.isApp(target)) {
            int u = target;
            if (unmapped(n, u)) {
                if (v == Vector.DF)
                    throw new Violation(Property.DOUBLE_FAULT_PANIC, "delivery of #DF pushes onto the unmapped page of "
                            + stackName(n, target) + ": triple fault, the machine resets");
                if (v == Vector.PF) return deliver(n, c, Vector.DF);   // a fault while delivering #PF is a #DF
                return deliver(n, c, Vector.PF);                        // the interrupt stays pending
            }
            if (n.redZone[u])
                throw new Violation(Property.RED_ZONE_CLOBBER, "delivery of " + v + " pushes its frame on " + stackName(n, target)
                        + " over the live red zone of " + threadName(u) + "'s leaf function (§5.2)");
        }
        boolean cpl3 = n.cpl[c] == 3;
        n.push(target, Frame.hw(t, n.depth(t), n.ifl[c], cpl3, n.sp[c]));
        n.sp[c] = target;
        n.cpl[c] = 0;
        n.ifl[c] = false;
        n.shadow[c] = false;
        if (v == Vector.NMI) n.nmiBlocked[c] = true;
        if (nested) n.nmi[c] |= State.NMI_NEST;
        n.pushAct(t, Act.make(Act.PATH, vecPath[v.ordinal()], 0, v.ordinal() + 1, true, cpl3, 0));
        return v;
    }

    private boolean unmapped(State n, int u) {
        return n.appStack[u] == State.FRONTIER || n.appStack[u] == State.DEEP_FRONTIER;
    }

    private String frames(State n, int s) {
        StringBuilder sb = new StringBuilder();
        for (int f : n.stack[s]) { if (sb.length() > 0) sb.append(", "); sb.append(Frame.render(f, this, n)); }
        return "[" + sb + "]";
    }

    /** A push by an op: faults on an unmapped app-stack page, clobbers a live red zone. Checked before any change. */
    private void checkPush(State n, int stackId) {
        if (!n.isApp(stackId)) return;
        if (unmapped(n, stackId)) throw new Fault();
        if (n.redZone[stackId])
            throw new Violation(Property.RED_ZONE_CLOBBER, "a push on " + stackName(n, stackId) + " overwrites the live red zone of "
                    + threadName(stackId) + " (§5.2)");
    }

    // ------------------------------------------------------------------ executing a thread

    private void exec(State n, int c, int t, Label[] label) {
        while (true) {
            int d = n.depth(t) - 1;
            int a = n.topAct(t);
            switch (Act.kind(a)) {
                case Act.APP -> {
                    label[0] = new Label(Label.Type.APP_OP, c, t, -1, -1, Act.pc(a), -1, null, null, inShadow ? SHADOW_NOTE : null);
                    if (!inShadow) execApp(n, c, t, a);   // app code is many instructions: the shadow covers its first
                    return;
                }
                case Act.BODY -> {
                    List<Workload.BodyOp> ops = bodyOps.get(Act.body(a) - 1);
                    if (Act.pc(a) >= ops.size()) {
                        n.popAct(t);
                        if (Act.bypassed(a)) n.inBypass[t] = false;   // the bypassed body returned
                        continue;
                    }
                    label[0] = new Label(Label.Type.BODY_OP, c, t, -1, Act.pc(a), -1, Act.body(a) - 1, null, null, inShadow ? SHADOW_NOTE : null);
                    if (!inShadow) execBody(n, c, t, a, ops.get(Act.pc(a)));   // kernel C code
                    return;
                }
                default -> {
                    int ci = Act.code(a);
                    Instr[] prog = code[ci];
                    int pc = Act.pc(a);
                    if (pc >= prog.length) {
                        if (entryPath[ci]) {
                            label[0] = new Label(Label.Type.END, c, t, ci, pc, -1, -1, null, null, null);
                            throw new Violation(Property.RETURN_MISMATCH, "path " + codeNames[ci] + " ends without ret, iret or sysret: "
                                    + "the context it entered from is never resumed");
                        }
                        n.popAct(t);
                        continue;
                    }
                    Instr in = prog[pc];
                    if (in.kind() == Instr.Kind.JMP) { n.setTop(t, Act.withPc(a, in.target())); continue; }
                    if (in.kind() == Instr.Kind.BR) {
                        boolean v = cond(n, t, a, in.cond());
                        n.setTop(t, Act.withPc(a, v ? pc + 1 : in.target()));
                        continue;
                    }
                    // An op that stands for C code starts with a call: in an STI shadow that call is the
                    // step, and the function's work comes in the next one, after any interrupt.
                    boolean first = inShadow && in.op().cCode;
                    label[0] = new Label(Label.Type.OP, c, t, ci, pc, -1, -1, null, null, first ? SHADOW_NOTE : null);
                    if (!first) execOp(n, c, t, d, a, in);
                    return;
                }
            }
        }
    }

    static final String SHADOW_NOTE = "first instruction only (in the STI shadow)";

    private boolean cond(State n, int t, int a, Cond cd) {
        boolean v = switch (cd.kind()) {
            case FROM_USER -> Act.fromUser(a);
            case BYPASS -> n.inBypass[t];
            case NEED_RESCHED -> n.needResched[t];
            case SIG_PENDING -> n.sigPending[t];
            case OPTION -> throw new IllegalStateException("option conditions are compiled away");
        };
        return v ^ cd.negated();
    }

    private void advance(State n, int t, int a) { n.setTop(t, Act.withPc(a, Act.pc(a) + 1)); }

    /** Pushes an activation, ending the run as incomplete past the nesting bound (frames record depth in 5 bits). */
    private void enter(State n, int t, int act) {
        if (n.depth(t) >= scenario.maxNesting)
            throw new BoundHit("nesting depth " + scenario.maxNesting + " reached (a path runs itself, or raise --max-nesting)");
        n.pushAct(t, act);
    }

    // ---- app code (MODEL.md §3)

    private void execApp(State n, int c, int t, int a) {
        List<Workload.AppOp> prog = scenario.threads.get(t).program();
        Workload.AppOp op = prog.get(Act.pc(a));
        int next = (Act.pc(a) + 1) % prog.size();
        if (!isIdle(t)) {
            Scenario.ThreadKind k = kind(t);
            if (k == Scenario.ThreadKind.UKL && n.mode[t] != 2)
                throw new Violation(Property.MODE_MISMATCH, "app code of " + threadName(t) + " runs with mode " + n.mode[t] + " (§5.4: must be 2, UKL_APPLICATION)");
            if (n.nmiBlocked[c] && !hasVec(n, t, Vector.NMI))
                throw new Violation(Property.NMI_BLOCKED_LEAK, "app code runs on cpu" + c + " with NMIs blocked and no NMI handler active");
            int want = k == Scenario.ThreadKind.USER ? 3 : 0;
            if (n.cpl[c] != want)
                throw new Violation(Property.RETURN_MISMATCH, "app code of " + threadName(t) + " resumes at CPL " + n.cpl[c] + ", expected " + want);
            if (n.sp[c] != n.app(t))
                throw new Violation(Property.RETURN_MISMATCH, "app code of " + threadName(t) + " resumes on " + stackName(n, n.sp[c]) + ", not its app stack");
            n.redZone[t] = false;   // the leaf function that used the red zone has returned
        }
        switch (op.kind()) {
            case SYSCALL, SHORTCUT -> {
                int body = bodyNames.indexOf(op.body()) + 1;
                int target;
                if (op.kind() == Workload.AppKind.SYSCALL || kind(t) == Scenario.ThreadKind.USER) target = libcOf[t];   // ring 3 has no other way in
                else target = op.wrapped() ? shortcutWrapped : shortcutBare;
                n.setTop(t, Act.withPc(a, next));
                enter(n, t, Act.make(Act.PATH, target, 0, 0, false, false, body));
            }
            case GROW_STACK -> {
                if (!scenario.has(Option.NSS_PS)) n.appStack[t] = State.FRONTIER;   // pinned stacks are fully mapped (§5.10)
                n.setTop(t, Act.withPc(a, next));
            }
            case REDZONE -> {
                if (scenario.has(Option.APP_REDZONE)) n.redZone[t] = true;
                n.setTop(t, Act.withPc(a, next));
            }
            case COMPUTE -> {
                if (!isIdle(t) && unmapped(n, t)) throw new Fault();   // the app's own call pushes on its stack
                n.setTop(t, Act.withPc(a, next));
            }
            case IDLE -> {
                int u = pickNext(n, c, t);
                if (u >= 0) { schedStep = true; switchTo(n, c, t, u, State.READY); }
            }
        }
    }

    // ---- kernel bodies (MODEL.md §3)

    private void execBody(State n, int c, int t, int a, Workload.BodyOp op) {
        int mm = mmOf(t);
        switch (op.kind()) {
            case LOCK -> {
                int w = n.mmWriter[mm];
                if (w == t) throw new Violation(Property.DEADLOCK, threadName(t) + " takes mmap_lock, which it already holds");
                if (w >= 0) {
                    waitCycle(n, t, mm);
                    advanceAndBlock(n, c, t, a, State.LOCKWAIT, false);   // re-runs the lock when woken
                    return;
                }
                n.mmWriter[mm] = t;
                advance(n, t, a);
            }
            case UNLOCK -> {
                if (n.mmWriter[mm] == t) {
                    n.mmWriter[mm] = -1;
                    for (int u = 0; u < nThr; u++)
                        if (n.status[u] == State.LOCKWAIT && mmOf(u) == mm) wake(n, u);
                }
                advance(n, t, a);
            }
            case SPIN_LOCK -> { n.preempt[t]++; advance(n, t, a); }
            case SPIN_UNLOCK -> { n.preempt[t] = Math.max(0, n.preempt[t] - 1); advance(n, t, a); }
            case TOUCH_APP_STACK -> {
                if (!scenario.has(Option.NSS_PS)) {
                    if (n.sp[c] == n.app(t)) {
                        // Kernel frames on a shared app stack go below the app's own pages (§5.11's mmap example).
                        if (n.appStack[t] != State.DEEP) { n.appStack[t] = State.DEEP_FRONTIER; throw new Fault(n); }
                    } else if (unmapped(n, t)) {
                        throw new Fault();
                    }
                }
                advance(n, t, a);
            }
            case SLEEP -> {
                // An interruptible sleep with a signal pending returns at once (-EINTR), as in Linux.
                if (n.sigPending[t]) advance(n, t, a);
                else advanceAndBlock(n, c, t, a, State.SLEEPING, true);
            }
            case RCU_READ -> {
                if (scenario.has(Option.NOHZ_FULL) && n.ct[c] == 1)
                    throw new Violation(Property.RCU_NOT_WATCHING, "rcu_read_lock() in " + threadName(t) + "'s kernel body while context tracking says USER (RCU not watching)");
                advance(n, t, a);
            }
            case COPY_USER -> {
                // copy_to_user on a page not faulted in yet: a #PF from kernel mode; the copy restarts after it.
                if (!n.ubuf[t]) throw new Fault(null, "copy_to_user faults on the user page");
                advance(n, t, a);
            }
            case KSTACK_OVERFLOW -> {
                // On an app stack (NSS, a bypassed body) the deep frames grow it like touch_app_stack;
                // a task or IST stack is fixed-size, with an unmapped guard page below it.
                if (!n.isApp(n.sp[c])) throw new KernelStackFault();
                execBody(n, c, t, a, new Workload.BodyOp(Workload.BodyKind.TOUCH_APP_STACK));
            }
            case SEND_IPI -> {
                if (!Act.ipiSent(a)) {
                    for (int o = 0; o < nCpu; o++) if (o != c && n.ipiState[o] != 0) return;   // csd lock busy: spin
                    checkPush(n, n.sp[c]);
                    n.push(n.sp[c], Frame.make(Frame.DATA, t, n.depth(t) - 1));
                    int mask = 0;
                    for (int o = 0; o < nCpu; o++) if (o != c) { n.ipiState[o] = 1; n.ipiFrom[o] = t + 1; n.ipiStack[o] = n.sp[c]; mask |= 1 << o; }
                    n.ipiWait[t] = mask;
                    n.setTop(t, Act.withIpiSent(a, true));
                    if (mask == 0) finishIpi(n, c, t, n.topAct(t));
                } else if (n.ipiWait[t] == 0) {
                    finishIpi(n, c, t, a);
                }
                // else: spin waiting for the acks (smp_call_function_many's csd_lock_wait)
            }
        }
    }

    private void finishIpi(State n, int c, int t, int a) {
        for (int s = 0; s < n.nStacks; s++) {
            int[] fr = n.stack[s];
            for (int i = fr.length - 1; i >= 0; i--)
                if (Frame.kind(fr[i]) == Frame.DATA && Frame.thread(fr[i]) == t) {
                    int[] x = new int[fr.length - 1];
                    System.arraycopy(fr, 0, x, 0, i);
                    System.arraycopy(fr, i + 1, x, i, fr.length - i - 1);
                    n.stack[s] = x;
                    s = n.nStacks;
                    break;
                }
        }
        n.setTop(t, Act.withPc(Act.withIpiSent(a, false), Act.pc(a) + 1));
    }

    private void waitCycle(State n, int t, int mm) {
        int u = n.mmWriter[mm];
        for (int guard = 0; guard < nThr && u >= 0; guard++) {
            if (n.status[u] != State.LOCKWAIT) return;
            int w = n.mmWriter[mmOf(u)];
            if (w == t) throw new Violation(Property.DEADLOCK, threadName(t) + " waits for mmap_lock held by " + threadName(n.mmWriter[mm]) + ", which waits for " + threadName(t));
            u = w;
        }
    }

    private void advanceAndBlock(State n, int c, int t, int a, int status, boolean advancePc) {
        if (advancePc) advance(n, t, a);
        n.status[t] = status;
        schedule(n, c, t, true);
    }

    // ---- path ops (MODEL.md §4)

    private void execOp(State n, int c, int t, int d, int a, Instr in) {
        switch (in.op()) {
            case SYSCALL -> {
                n.cpl[c] = 0; n.ifl[c] = false; n.sysretDepth[t] = d;   // RCX holds the return point
                advance(n, t, a);
            }
            case CALL -> {
                checkPush(n, n.sp[c]);
                n.push(n.sp[c], Frame.make(Frame.RET, t, d));
                advance(n, t, a);
            }
            case CLI -> { n.ifl[c] = false; advance(n, t, a); }
            case STI -> { n.ifl[c] = true; n.shadow[c] = true; advance(n, t, a); }
            case PUSHF -> {
                checkPush(n, n.sp[c]);
                n.push(n.sp[c], Frame.flags(t, d, n.ifl[c]));
                advance(n, t, a);
            }
            case POPF -> {
                int f = n.top(n.sp[c]);
                if (n.stack[n.sp[c]].length == 0 || Frame.kind(f) != Frame.FLAGS || Frame.thread(f) != t)
                    throw new Violation(Property.RETURN_MISMATCH, "popf on " + stackName(n, n.sp[c]) + " finds " + topDesc(n, n.sp[c]) + ", not a flags word");
                n.pop(n.sp[c]);
                if (perturbation != Perturbation.POPF_KEEPS_IF) n.ifl[c] = Frame.ifl(f);
                advance(n, t, a);
            }
            case SWAPGS -> { n.gs[c] ^= 1; advance(n, t, a); }
            case SET_MODE -> {
                if (kind(t) == Scenario.ThreadKind.UKL && perturbation != Perturbation.SET_MODE_NOOP) n.mode[t] = in.arg() == 0 ? 1 : 2;
                advance(n, t, a);
            }
            case SAVE_SP -> {
                n.scratchT[c] = t; n.scratchSp[c] = n.sp[c];
                n.setTop(t, Act.withPc(Act.withScratchPending(a, true), Act.pc(a) + 1));
            }
            case LOAD_SP -> {
                if (n.scratchT[c] != t)
                    throw new Violation(Property.SCRATCH_CLOBBER, "load_sp on cpu" + c + ": the scratch slot (TSS_sp2) holds "
                            + (n.scratchT[c] < 0 ? "nothing" : threadName(n.scratchT[c]) + "'s SP") + ", not " + threadName(t) + "'s");
                n.sp[c] = n.scratchSp[c];
                n.setTop(t, Act.withPc(Act.withScratchPending(a, false), Act.pc(a) + 1));
            }
            case SWITCH_STACK -> {
                if (in.arg() == 0) {
                    int task = n.task(t);
                    if (n.stack[task].length > 0)
                        throw new Violation(Property.STACK_CLOBBER, "switch_stack task resets SP to the top of " + stackName(n, task)
                                + ", which still holds " + frames(n, task));
                    n.sp[c] = task;
                } else {
                    switchToApp(n, c, t);
                }
                advance(n, t, a);
            }
            case PUSH_REGS -> {
                if (Act.scratchPending(a) && n.scratchT[c] != t)
                    throw new Violation(Property.SCRATCH_CLOBBER, "push_regs takes pt_regs->sp from the scratch slot (TSS_sp2) on cpu" + c
                            + ", but " + (n.scratchT[c] < 0 ? "it is empty" : threadName(n.scratchT[c]) + " overwrote it") + " since " + threadName(t) + "'s save_sp");
                checkPush(n, n.sp[c]);
                n.push(n.sp[c], Frame.make(Frame.REGS, t, d));
                n.setTop(t, Act.withPc(Act.withScratchPending(a, false), Act.pc(a) + 1));
            }
            case POP_REGS -> {
                int f = n.top(n.sp[c]);
                if (n.stack[n.sp[c]].length == 0 || Frame.kind(f) != Frame.REGS || Frame.thread(f) != t)
                    throw new Violation(Property.RETURN_MISMATCH, "pop_regs on " + stackName(n, n.sp[c]) + " finds " + topDesc(n, n.sp[c]) + ", not pt_regs");
                n.pop(n.sp[c]);
                advance(n, t, a);
            }
            case SYNC_REGS -> { syncRegs(n, c, t); advance(n, t, a); }
            case CLASSIFY -> {
                boolean fu = switch (in.arg()) {
                    case 0 -> { int h = nearestHw(n, t); yield h >= 0 && Act.fromCpl3(n.act(t, h)); }
                    case 1 -> kind(t) == Scenario.ThreadKind.UKL && n.mode[t] == 2;
                    default -> n.gs[c] == 1;
                };
                n.setTop(t, Act.withPc(Act.withFromUser(a, fu), Act.pc(a) + 1));
            }
            case CT_EXIT, CT_ENTER -> {
                if (scenario.has(Option.NOHZ_FULL)) {
                    int want = in.op() == Op.CT_EXIT ? 1 : 0;
                    if (n.ct[c] != want)
                        throw new Violation(Property.CONTEXT_TRACKING, in.op().word + " on cpu" + c + " while context tracking is already "
                                + (want == 1 ? "KERNEL" : "USER"));
                    n.ct[c] = 1 - want;
                }
                advance(n, t, a);
            }
            case BODY -> {
                int body = Act.body(a);
                if (body == 0) throw new Violation(Property.RETURN_MISMATCH, "body in " + codeNames[Act.code(a)] + ": no syscall or shortcut body here");
                if (n.gs[c] == 1) throw new Violation(Property.USER_GS_IN_KERNEL, "kernel body " + bodyNames.get(body - 1) + " runs with the user GS base");
                boolean byp = n.inBypass[t];
                if (byp) {
                    n.bypassRun[t]++;
                    if (n.bypassRun[t] > scenario.bypassLimit - 1)
                        throw new Violation(Property.BYPASS_BOUND, n.bypassRun[t] + " syscalls in a row bypass entry/exit; the limit " + scenario.bypassLimit + " allows " + (scenario.bypassLimit - 1));
                }
                advance(n, t, a);
                enter(n, t, Act.withBypassed(Act.make(Act.BODY, 0, 0, 0, false, false, body), byp));
            }
            case HANDLE -> { handle(n, c, t, a); }
            case EXIT_WORK -> exitWork(n, c, t, a);
            case PREEMPT_CHECK -> {
                advance(n, t, a);
                if (scenario.preemptFull && n.needResched[t] && n.preempt[t] == 0 && !rtc(t)) schedule(n, c, t, false);
            }
            case DF_TO_PF -> {
                if (n.kso[t])
                    throw new Violation(Property.MISCLASSIFIED_DF, "df_to_pf hands a #DF raised by " + threadName(t) + "'s task-stack overflow to the #PF entry as an app-stack fault"
                            + " (\"any double fault is a user stack page fault\"); #DF is an abort, its frame cannot be resumed");
                advance(n, t, a);
                enter(n, t, Act.make(Act.PATH, vecPath[Vector.PF.ordinal()], 0, Vector.PF.ordinal() + 1, false, false, 0));
            }
            case NMI_ENTER -> nmiEnter(n, c, t, a);
            case NMI_EXIT -> {
                // nmi_restore: "Set DF first so that we can easily distinguish the remaining code between
                // here and IRET", then clear "NMI executing".
                n.nmi[c] = (n.nmi[c] | State.NMI_DF) & ~State.NMI_EXEC;
                advance(n, t, a);
            }
            case BYPASS_CHECK -> {
                // The code's rule (UKL-CODE-NOTES "Bypass"): not enabled or a signal pending -> full path;
                // else ++count, and at the limit reset to 0 and take the full path.
                boolean byp = false;
                if (scenario.has(Option.BYP) && !n.sigPending[t]) {
                    n.bypassCount[t]++;
                    if (n.bypassCount[t] >= scenario.bypassLimit && perturbation != Perturbation.BYPASS_COUNTER_NEVER_RESETS) n.bypassCount[t] = 0;
                    else byp = true;
                }
                n.inBypass[t] = byp;
                advance(n, t, a);
            }
            case SET_BYPASS -> { n.inBypass[t] = true; advance(n, t, a); }
            case RUN -> {
                if (codeNames[in.arg()].endsWith("syscall") && !codeNames[in.arg()].endsWith("libc_syscall")) n.bypassRun[t] = 0;
                advance(n, t, a);
                enter(n, t, Act.withFromUser(Act.make(Act.PATH, in.arg(), 0, 0, false, false, Act.body(a)), Act.fromUser(a)));
            }
            case RET -> {
                int sp = n.sp[c];
                int f = n.top(sp);
                if (n.stack[sp].length == 0 || Frame.kind(f) != Frame.RET || Frame.thread(f) != t || Frame.depth(f) >= d)
                    throw new Violation(Property.RETURN_MISMATCH, "ret on " + stackName(n, sp) + " pops " + topDesc(n, sp) + ", not a return address of " + threadName(t));
                int r = Frame.depth(f);
                checkUnwound(n, t, r, d, "ret");
                n.pop(sp);
                n.truncate(t, r + 1);
            }
            case IRET -> {
                int h = nearestHw(n, t);
                int sp = n.sp[c];
                int f = n.top(sp);
                if (h < 0 || n.stack[sp].length == 0 || Frame.kind(f) != Frame.HW || Frame.thread(f) != t || Frame.depth(f) != h)
                    throw new Violation(Property.RETURN_MISMATCH, "iret on " + stackName(n, sp) + " pops " + topDesc(n, sp)
                            + (h < 0 ? ", outside any interrupt" : ", not the hardware frame of the interrupt at depth " + h));
                if (n.kso[t] && Act.vec(n.act(t, h)) == Vector.DF.ordinal() + 1)
                    throw new Violation(Property.MISCLASSIFIED_DF, "iret resumes the frame of the #DF that " + threadName(t) + "'s task-stack overflow raised; #DF is an abort, its frame cannot be resumed");
                n.nmiBlocked[c] = false;   // any iret ends NMI blocking (SDM 6.7.1)
                if (Act.vec(n.act(t, h)) == Vector.NMI.ordinal() + 1 && (n.nmi[c] & State.NMI_COPIED) != 0) {
                    // The outer NMI's iret goes through the "iret" frame: to repeat_nmi when a nested NMI
                    // redirected it (the outermost copy stays for the next iteration), else to the
                    // interrupted context, which restores DF.
                    if ((n.nmi[c] & State.NMI_REP) != 0) {
                        int ci = Act.code(n.act(t, h));
                        if (nmiEnterPc[ci] < 0)
                            throw new Violation(Property.RETURN_MISMATCH, "iret to repeat_nmi, but path " + codeNames[ci] + " has no nmi_enter to repeat");
                        n.nmi[c] &= ~(State.NMI_REP | State.NMI_DF);
                        n.ifl[c] = false;
                        n.truncate(t, h + 1);
                        n.setTop(t, Act.withPc(n.act(t, h), nmiEnterPc[ci]));
                        return;
                    }
                    n.nmi[c] &= ~(State.NMI_COPIED | State.NMI_REP | State.NMI_DF);
                }
                n.pop(sp);
                n.sp[c] = Frame.sp(f);
                n.ifl[c] = Frame.ifl(f);
                n.cpl[c] = Frame.cpl3(f) ? 3 : 0;
                n.truncate(t, h);
            }
            case SYSRET -> {
                int r = n.sysretDepth[t];
                if (r < 0 || r >= d)
                    throw new Violation(Property.RETURN_MISMATCH, "sysret with no SYSCALL return point (RCX) for " + threadName(t));
                checkUnwound(n, t, r, d, "sysret");
                n.cpl[c] = 3; n.ifl[c] = true; n.sp[c] = n.app(t);
                n.sysretDepth[t] = -1;
                n.truncate(t, r + 1);
            }
            case PANIC -> {
                if (hasVec(n, t, Vector.DF))
                    throw new Violation(Property.DOUBLE_FAULT_PANIC, "the #DF handler panics (§5.11: the double fault prints a panic message and the system panics)");
                throw new Violation(Property.UNHANDLED_KERNEL_FAULT, "the kernel panics in " + codeNames[Act.code(a)]);
            }
        }
    }

    private String topDesc(State n, int sp) {
        return n.stack[sp].length == 0 ? "nothing (the stack is empty)" : Frame.render(n.top(sp), this, n);
    }

    /** ret/sysret must not jump over an interrupt whose hardware frame is still live. */
    private void checkUnwound(State n, int t, int r, int d, String what) {
        for (int k = r + 1; k <= d; k++) {
            if (!Act.hw(n.act(t, k))) continue;
            for (int s = 0; s < n.nStacks; s++)
                for (int f : n.stack[s])
                    if (Frame.kind(f) == Frame.HW && Frame.thread(f) == t && Frame.depth(f) == k)
                        throw new Violation(Property.RETURN_MISMATCH, what + " resumes depth " + r + " but skips the live hardware frame of the "
                                + Vector.values()[Act.vec(n.act(t, k)) - 1] + " at depth " + k + " on " + stackName(n, s));
        }
    }

    int nearestHw(State n, int t) {
        for (int d = n.depth(t) - 1; d >= 1; d--) if (Act.hw(n.act(t, d))) return d;
        return -1;
    }

    private int nearestVec(State n, int t) {
        for (int d = n.depth(t) - 1; d >= 1; d--) if (Act.vec(n.act(t, d)) != 0) return Act.vec(n.act(t, d)) - 1;
        return -1;
    }

    private boolean hasVec(State n, int t, Vector v) {
        for (int d = 1; d < n.depth(t); d++) if (Act.vec(n.act(t, d)) == v.ordinal() + 1) return true;
        return false;
    }

    /** UKL_RET's return (§5.9): leaving for the app stack turns the interrupt's hardware frame into a
     *  return address and flags word written below the interrupted SP. */
    private void switchToApp(State n, int c, int t) {
        int app = n.app(t);
        int h = nearestHw(n, t);
        int sp = n.sp[c];
        int f = n.top(sp);
        if (h >= 0 && sp != app && n.stack[sp].length > 0 && Frame.kind(f) == Frame.HW && Frame.thread(f) == t && Frame.depth(f) == h) {
            if (Frame.sp(f) != app || Frame.cpl3(f))
                throw new Violation(Property.RETURN_MISMATCH, "switch_stack app returns from the " + Vector.values()[Act.vec(n.act(t, h)) - 1]
                        + " to the app stack, but it interrupted " + (Frame.cpl3(f) ? "CPL 3 code" : "code on " + stackName(n, Frame.sp(f))));
            checkPush(n, app);
            n.pop(sp);
            n.push(app, Frame.make(Frame.RET, t, h - 1));
            n.push(app, Frame.flags(t, h - 1, Frame.ifl(f)));
        }
        n.sp[c] = app;
    }

    private void syncRegs(State n, int c, int t) {
        int h = nearestHw(n, t);
        if (h < 0) throw new Violation(Property.RETURN_MISMATCH, "sync_regs outside an interrupt or exception");
        int sp = n.sp[c];
        int[] fr = n.stack[sp];
        int i = fr.length;
        while (i > 0 && Frame.thread(fr[i - 1]) == t && Frame.depth(fr[i - 1]) >= h) i--;
        if (i == fr.length) throw new Violation(Property.RETURN_MISMATCH, "sync_regs: no frame of this interrupt on " + stackName(n, sp));
        int task = n.task(t);
        if (sp == task) {
            if (i > 0)
                throw new Violation(Property.STACK_CLOBBER, "sync_regs copies the frame to the top of " + stackName(n, task)
                        + ", over the live frames below it: " + frames(n, task));
            return;   // already at the top of the task stack: sync_regs copies nothing
        }
        if (n.stack[task].length > 0)
            throw new Violation(Property.STACK_CLOBBER, "sync_regs copies the frame to the top of " + stackName(n, task)
                    + ", which still holds " + frames(n, task));
        int[] moved = java.util.Arrays.copyOfRange(fr, i, fr.length);
        n.stack[sp] = java.util.Arrays.copyOf(fr, i);
        n.stack[task] = moved;
        n.sp[c] = task;
    }

    private void handle(State n, int c, int t, int a) {
        int vi = nearestVec(n, t);
        if (vi < 0) throw new Violation(Property.RETURN_MISMATCH, "handle in " + codeNames[Act.code(a)] + ": no interrupt or exception to handle");
        Vector v = Vector.values()[vi];
        if (n.gs[c] == 1) throw new Violation(Property.USER_GS_IN_KERNEL, "the " + v + " handler runs with the user GS base");
        // NMI, #MC and #DB enter RCU through ct_nmi_enter/irqentry_nmi_enter, which is nesting-safe.
        if (scenario.has(Option.NOHZ_FULL) && n.ct[c] == 1 && v != Vector.NMI && v != Vector.MC && v != Vector.DB)
            throw new Violation(Property.RCU_NOT_WATCHING, "the " + v + " handler runs on cpu" + c + " while context tracking says USER (RCU not watching)");
        switch (v) {
            case TIMER -> { n.needResched[t] = true; advance(n, t, a); }
            case IPI -> {
                int s = n.ipiStack[c];
                // The kernel's page tables (pt -1: idle and kernel threads) map the UKL process's user
                // half: "UKL shares the kernel's page tables" (§5.10). Only another mm's do not.
                if (n.isApp(s) && !scenario.has(Option.NSS_PS) && n.pt[c] != mmOf(s) && !(n.pt[c] < 0 && kind(s) == Scenario.ThreadKind.UKL))
                    throw new Violation(Property.UNHANDLED_KERNEL_FAULT, "the IPI handler on cpu" + c + " reads the data " + threadName(n.ipiFrom[c] - 1)
                            + " left on " + stackName(n, s) + ", which the loaded page tables (" + (n.pt[c] < 0 ? "kernel only" : "mm" + n.pt[c]) + ") do not map (§5.10)");
                int from = n.ipiFrom[c] - 1;
                n.ipiWait[from] &= ~(1 << c);
                n.ipiState[c] = 0; n.ipiFrom[c] = 0; n.ipiStack[c] = 0;
                advance(n, t, a);
            }
            case PF -> pageFault(n, c, t, a);
            case NMI -> {
                // perf's NMI handler reads the interrupted thread's user stack (copy_from_user_nmi); a
                // page not faulted in raises #PF inside the NMI handler, fixed up, and the walk ends.
                if (scenario.workload.nmiReadsUser() && Act.phase(a) == 0 && !n.ubuf[t]) {
                    n.setTop(t, Act.withPhase(a, 1));
                    throw new Fault(n, "copy_from_user_nmi faults on the user page");
                }
                n.setTop(t, Act.withPc(Act.withPhase(a, 0), Act.pc(a) + 1));
            }
            default -> advance(n, t, a);
        }
    }

    /**
     * asm_exc_nmi from kernel mode, .Lnmi_from_kernel through end_repeat_nmi (arch/x86/entry/entry_64.S,
     * unikernelLinux/linux e0029131; the UKL fork adds no code to it). One step: only #MC can come
     * inside it (NMIs are masked or, in repeat_nmi, the RIP check covers it), and its effect anywhere
     * before the copy is its effect before the step. The three nesting tests, in the code's order:
     * RIP between repeat_nmi and end_repeat_nmi (nested_nmi_out: return, the outer is about to call
     * exc_nmi anyway); "NMI executing" set; or the interrupted RSP on the NMI stack with DF set (an
     * outer NMI between nmi_restore's std and its iret). A nested NMI redirects the "iret" frame to
     * repeat_nmi (nested_nmi) and returns with iretq. Otherwise first_nmi: copy the original frame to
     * the outermost and iret frames and set "NMI executing" (repeat_nmi sets it again each iteration).
     */
    private void nmiEnter(State n, int c, int t, int a) {
        int h = nearestHw(n, t);
        if (h < 0 || Act.vec(n.act(t, h)) != Vector.NMI.ordinal() + 1)
            throw new Violation(Property.RETURN_MISMATCH, "nmi_enter in " + codeNames[Act.code(a)] + " outside an NMI");
        int f = hwFrame(n, t, h);
        int below = n.act(t, h - 1);
        Instr at = Act.kind(below) == Act.PATH ? instr(Act.code(below), Act.pc(below)) : null;
        boolean inRepeat = at != null && at.kind() == Instr.Kind.OP && at.op() == Op.NMI_ENTER && (n.nmi[c] & State.NMI_COPIED) != 0;
        int nmiStack = scenario.ist[Vector.NMI.ordinal()] > 0 ? n.ist(c, scenario.ist[Vector.NMI.ordinal()]) : -1;
        boolean nested = inRepeat || (n.nmi[c] & State.NMI_EXEC) != 0
                || ((n.nmi[c] & State.NMI_DF) != 0 && Frame.sp(f) == nmiStack && perturbation != Perturbation.NMI_IGNORES_DF);
        if (nested) {
            int sp = n.sp[c];
            if (n.stack[sp].length == 0 || n.top(sp) != f)
                throw new Violation(Property.RETURN_MISMATCH, "nested NMI's iretq on " + stackName(n, sp) + " pops " + topDesc(n, sp) + ", not its hardware frame");
            if (!inRepeat) n.nmi[c] |= State.NMI_REP;   // nested_nmi: the outer's iret goes to repeat_nmi
            n.nmi[c] &= ~State.NMI_NEST;
            n.pop(sp);
            n.sp[c] = Frame.sp(f);
            n.ifl[c] = Frame.ifl(f);
            n.cpl[c] = Frame.cpl3(f) ? 3 : 0;
            n.nmiBlocked[c] = false;
            n.truncate(t, h);
            return;
        }
        if ((n.nmi[c] & State.NMI_NEST) != 0)
            throw new Violation(Property.STACK_CLOBBER, "an NMI nested in the outer NMI finds neither \"NMI executing\" nor DF set and takes first_nmi: "
                    + "it overwrites the outer NMI's saved frames on " + stackName(n, n.sp[c]));
        n.nmi[c] = (n.nmi[c] | State.NMI_COPIED | State.NMI_EXEC) & ~(State.NMI_REP | State.NMI_DF);
        advance(n, t, a);
    }

    /**
     * exc_page_fault as arch/x86/mm/fault.c has it (issue 12), in three steps, each an instruction
     * boundary where interrupts can come in when IF=1:
     * <ol start="0">
     * <li>do_user_addr_fault: local_irq_enable() when the faulting context had IF=1 (for a user_mode(regs)
     *     frame it always has);
     * <li>mmap_read_trylock, or mmap_read_lock which sleeps on a writer (UKL threads block instead of
     *     oopsing); then handle_mm_fault maps the page, and its page allocation may sleep in reclaim:
     *     the model takes that sleep, schedule(), wherever the handler runs;
     * <li>handle_page_fault: local_irq_disable() before the exit path.
     * </ol>
     * A fault on the task stack's guard page (the thread's task stack overflowed) is no user-page
     * fault: page_fault_oops -> handle_stack_overflow panics.
     */
    private void pageFault(State n, int c, int t, int a) {
        if (n.kso[t])
            throw new Violation(Property.UNHANDLED_KERNEL_FAULT, "the #PF is on the guard page below " + threadName(t) + "'s task stack: page_fault_oops reports a kernel stack overflow and the kernel dies");
        boolean stackFault = n.appStack[t] == State.FRONTIER || n.appStack[t] == State.DEEP_FRONTIER;
        // In NMI context: "if (unlikely(faulthandler_disabled() || !mm)) bad_area_nosemaphore()",
        // before any local_irq_enable. A uaccess (copy_from_user_nmi) has an exception-table fixup:
        // one step; a push onto an app stack has none: the kernel oopses.
        if (hasVec(n, t, Vector.NMI)) {
            if (stackFault)
                throw new Violation(Property.UNHANDLED_KERNEL_FAULT, "a #PF on " + threadName(t) + "'s app stack in NMI context: faulthandler_disabled(), no exception-table fixup for a push, the kernel oopses");
            advance(n, t, a);
            return;
        }
        // Nothing to map (a fault already handled): one step, as a spurious fault is.
        if (Act.phase(a) == 0 && !stackFault && n.ubuf[t]) { advance(n, t, a); return; }
        switch (Act.phase(a)) {
            case 0 -> {
                int h = nearestHw(n, t);
                if (h >= 0 && Frame.ifl(hwFrame(n, t, h))) n.ifl[c] = true;
                n.setTop(t, Act.withPhase(a, 1));
            }
            case 1 -> {
                if (!(stackFault && scenario.has(Option.STACK_VMA_CHECK))) {   // §5.11's fast path skips mmap_lock for stack faults
                    int mm = mmOf(t);
                    int w = n.mmWriter[mm];
                    if (w == t) throw new Violation(Property.DEADLOCK, "the page fault handler takes mmap_lock for read, but " + threadName(t) + " holds it for write (§5.11)");
                    if (w >= 0) { waitCycle(n, t, mm); advanceAndBlock(n, c, t, a, State.LOCKWAIT, false); return; }   // re-runs when woken
                }
                if (stackFault) n.appStack[t] = n.appStack[t] == State.DEEP_FRONTIER ? State.DEEP : State.MAPPED;
                else n.ubuf[t] = true;
                n.setTop(t, Act.withPhase(a, 2));
                sleepWhy = " in exc_page_fault (handle_mm_fault's page allocation may sleep)";
                try { schedule(n, c, t, false); } finally { sleepWhy = ""; }   // GFP_KERNEL reclaim sleeps
            }
            default -> {
                n.ifl[c] = false;
                n.setTop(t, Act.withPc(Act.withPhase(a, 0), Act.pc(a) + 1));
            }
        }
    }

    /** The hardware frame of thread t's interrupt at depth h, wherever it lives. */
    private int hwFrame(State n, int t, int h) {
        for (int s = 0; s < n.nStacks; s++)
            for (int f : n.stack[s])
                if (Frame.kind(f) == Frame.HW && Frame.thread(f) == t && Frame.depth(f) == h) return f;
        throw new Violation(Property.RETURN_MISMATCH, "the hardware frame of the interrupt at depth " + h + " is gone");
    }

    private boolean rtc(int t) {
        return scenario.has(Option.RUN_TO_COMPLETION) && !isIdle(t) && !scenario.threads.get(t).coRunner();
    }

    /** exit_to_user_mode_loop: with if = 1, schedule while needResched, deliver while sigPending; then cli and re-check. */
    private void exitWork(State n, int c, int t, int a) {
        boolean resched = n.needResched[t] && !rtc(t);
        boolean work = resched || n.sigPending[t];
        if (work) {
            if (!n.ifl[c]) { n.ifl[c] = true; return; }
            // One pass of exit_to_user_mode_loop handles both; delivering the signal first keeps a
            // timer that re-sets needResched after every schedule() from starving it.
            if (n.sigPending[t]) {
                n.sigPending[t] = false;   // the signal is delivered (handler frames are not modeled)
                schedStep = true;
                return;
            }
            schedule(n, c, t, false);
            return;
        }
        if (n.ifl[c]) { n.ifl[c] = false; return; }
        advance(n, t, a);
    }

    // ---- scheduling

    private int pickNext(State n, int c, int t) {
        for (int i = 1; i <= nThr; i++) {
            int u = (t + i) % nThr;
            if (u != t && !isIdle(u) && cpuOf(u) == c && n.status[u] == State.READY) return u;
        }
        return -1;
    }

    /** schedule() called by thread t on CPU c; {@code blocking} when t has just gone to sleep. */
    /** Where a schedule() that is not the thread's own choice comes from, for the violation text. */
    private String sleepWhy = "";

    private void schedule(State n, int c, int t, boolean blocking) {
        if (n.preempt[t] > 0)
            throw new Violation(Property.SCHEDULE_IN_ATOMIC, threadName(t) + " calls schedule() with preemptCount " + n.preempt[t]);
        if (hasVec(n, t, Vector.NMI))
            throw new Violation(Property.SCHEDULE_IN_ATOMIC, threadName(t) + " calls schedule() in NMI context");
        if (n.isIst(n.sp[c]))
            throw new Violation(Property.SLEEP_ON_IST, threadName(t) + " " + (blocking ? "sleeps" : "schedules") + sleepWhy + " while running on " + stackName(n, n.sp[c]));
        for (int s = 2 * nThr; s < n.nStacks; s++)
            for (int f : n.stack[s])
                if (Frame.thread(f) == t)
                    throw new Violation(Property.SLEEP_ON_IST, threadName(t) + " " + (blocking ? "sleeps" : "schedules") + " with a live frame on " + stackName(n, s));
        schedStep = true;
        n.needResched[t] = false;
        int u = pickNext(n, c, t);
        if (u < 0) {
            if (!blocking) return;
            u = idleOf(c);
        }
        switchTo(n, c, t, u, blocking ? n.status[t] : State.READY);
    }

    private void switchTo(State n, int c, int from, int to, int fromStatus) {
        n.savedSp[from] = n.sp[c]; n.savedIf[from] = n.ifl[c] ? 1 : 0; n.savedCpl[from] = n.cpl[c];
        n.savedGs[from] = n.gs[c]; n.savedCt[from] = n.ct[c];
        n.status[from] = fromStatus;
        n.running[c] = to;
        n.tick[c] = 0; n.storm[c] = false;   // another context runs: the CPU made progress
        restore(n, c, to);
        if (mmOf(to) >= 0) n.pt[c] = mmOf(to);   // kernel threads keep the previous mm (lazy TLB)
    }

    private void wake(State n, int u) {
        n.status[u] = State.READY;
        int r = n.running[cpuOf(u)];
        if (!isIdle(r) && r != u) n.needResched[r] = true;   // wakeup preemption (check_preempt_curr)
    }

    /** DEADLOCK by MODEL.md's second clause: no thread can ever run again while some are not DONE. */
    public String stuck(State s) {
        boolean any = false;
        for (int t = 0; t < nThr; t++) {
            if (isIdle(t) || s.status[t] == State.DONE) continue;
            any = true;
            if (s.status[t] == State.RUNNING || s.status[t] == State.READY) return null;
            if (s.status[t] == State.SLEEPING) {
                if (s.budget[Event.WAKEUP.ordinal()] != 0) return null;
                if (s.budget[Event.SIGNAL.ordinal()] != 0 && !s.sigPending[t]) return null;
            }
        }
        if (!any) return null;
        StringBuilder sb = new StringBuilder("no thread can ever run again:");
        for (int t = 0; t < nThr; t++) {
            if (isIdle(t)) continue;
            sb.append(' ').append(threadName(t)).append(s.status[t] == State.SLEEPING ? " sleeps with no wakeup left;" : " waits for mmap_lock;");
        }
        return sb.toString();
    }
}
