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
 *
 * <p>The mechanisms live in one file each, as a chain of base classes: {@link MachineCore} (the
 * program, naming, shared helpers), {@link Scheduling}, {@link Faults} (delivery, handlers,
 * exc_page_fault), {@link Nmi} (the nested-NMI logic) and {@link EntryReturn} (the path ops). This
 * file holds the actions, app code and kernel bodies.
 */
public final class Machine extends EntryReturn {

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
    public enum Perturbation { NONE, POPF_KEEPS_IF, BYPASS_COUNTER_NEVER_RESETS, SET_MODE_NOOP, NMI_IGNORES_DF, PERCPU_IGNORES_GS, FIX_CS_NOOP, SIGFRAME_IGNORES_REDZONE }

    public Machine(Scenario sc) { this(sc, Perturbation.NONE); }
    public Machine(Scenario sc, Perturbation perturbation) { super(sc, perturbation); }

    // ------------------------------------------------------------------ init

    public State initial() {
        State s = new State(nCpu, nThr, nMm);
        for (Event e : Event.values()) s.setBudget(e.ordinal(), scenario.budget(e));
        s.setMmWriter(0, -1); s.setMmWriter(1, -1);
        boolean nohz = scenario.has(Option.NOHZ_FULL);
        for (int c = 0; c < nCpu; c++) { s.setRunning(c, -1); s.setScratchT(c, -1); s.setPt(c, -1); }
        for (int t = 0; t < nThr; t++) {
            Scenario.ThreadSpec ts = scenario.threads.get(t);
            s.acts[t] = new int[]{Act.make(Act.APP, 0, 0, 0, false, false, 0)};
            s.setSysretDepth(t, -1);
            s.setMode(t, ts.kind() == Scenario.ThreadKind.UKL ? 2 : 0);   // the first return to the app set 2
            // A thread that is not running resumes from this saved context.
            if (ts.idle() || ts.exec()) {   // an idle thread, or kernel_init before its exec: kernel context on the task stack
                s.setSavedSp(t, s.task(t)); s.setSavedIf(t, 1); s.setSavedCpl(t, 0); s.setSavedGs(t, 0); s.setSavedCt(t, 0);
            } else {
                s.setSavedSp(t, s.app(t)); s.setSavedIf(t, 1);
                s.setSavedCpl(t, ts.kind() == Scenario.ThreadKind.USER ? 3 : 0);
                s.setSavedGs(t, ts.kind() == Scenario.ThreadKind.USER ? 1 : 0);
                s.setSavedCt(t, nohz ? 1 : 0);
            }
            s.setStatus(t, State.READY);
            if (ts.child()) emptyChildSlot(s, t);
            if (ts.exec()) execThread(s, t);
        }
        for (int c = 0; c < nCpu; c++) {
            int first = -1;
            for (int t = 0; t < nThr; t++) if (!isIdle(t) && !isChild(t) && cpuOf(t) == c) { first = t; break; }
            if (first < 0) first = idleOf(c);
            s.setRunning(c, first);
            restore(s, c, first);
            if (mmOf(first) >= 0) s.setPt(c, mmOf(first));
        }
        return s;
    }

    // ------------------------------------------------------------------ successors

    public boolean timerEnabled(State s, int c) {
        return s.budget(Event.TIMER.ordinal()) != 0 && s.ifl(c) && !s.shadow(c);
    }

    /** The thread runs app code (no kernel activation above it): where #DB fires and app ticks land. */
    boolean inAppCode(State s, int t) { return !isIdle(t) && Act.appCode(s.topAct(t)); }

    /**
     * App context: app code, or (UKL) any code running with ukl_mode = 2, where an interrupt takes
     * the path that returns to the application and so may run exit work (§5.4).
     */
    boolean inAppContext(State s, int t) { return !isIdle(t) && (Act.appCode(s.topAct(t)) || s.mode(t) == 2); }

    public void successors(State s, Sink sink) {
        for (int c = 0; c < nCpu; c++) {
            step(s, c, sink);
            int t = s.running(c);
            // A tick that lands in app context is its own fairness class (3 nCpu + c), strongly
            // fair: ticks drift against the code they interrupt, so a loop in which one could land
            // in app context cannot have every tick phase-locked to a kernel window
            // (model-choices.md, "Periodic timers").
            if (timerEnabled(s, c)) event(s, c, t, Event.TIMER, Vector.TIMER, sink, inAppContext(s, t) ? 3 * nCpu + c : nCpu + c);
            if (s.ipiState(c) == 1 && s.ifl(c) && !s.shadow(c)) event(s, c, t, Event.IPI, Vector.IPI, sink, -1);
            if (s.budget(Event.NMI.ordinal()) != 0 && !s.nmiBlocked(c)) event(s, c, t, Event.NMI, Vector.NMI, sink, -1);
            if (s.budget(Event.MC.ordinal()) != 0) event(s, c, t, Event.MC, Vector.MC, sink, -1);
            if (s.budget(Event.DB.ordinal()) != 0 && inAppCode(s, t)) event(s, c, t, Event.DB, Vector.DB, sink, -1);
        }
        for (int t = 0; t < nThr; t++) {
            if (isIdle(t) || s.status(t) == State.DONE) continue;
            if (s.budget(Event.SIGNAL.ordinal()) != 0 && !s.sigPending(t)) {
                Label l = new Label(Label.Type.EVENT, cpuOf(t), t, -1, -1, -1, -1, Event.SIGNAL, null, null);
                State n = s.copy();
                consume(n, Event.SIGNAL);
                n.setSigPending(t, true);
                if (n.status(t) == State.SLEEPING) wake(n, t);   // signal_wake_up: interruptible sleep ends
                sink.accept(new Transition(l, n, null, null, null, -1));
            }
            if (s.budget(Event.WAKEUP.ordinal()) != 0 && s.status(t) == State.SLEEPING) {
                Label l = new Label(Label.Type.EVENT, cpuOf(t), t, -1, -1, -1, -1, Event.WAKEUP, null, null);
                State n = s.copy();
                consume(n, Event.WAKEUP);
                wake(n, t);
                sink.accept(new Transition(l, n, null, null, null, -1));
            }
        }
    }

    private void event(State s, int c, int t, Event e, Vector v, Sink sink, int fair) {
        State n = s.copy();
        try {
            Vector got = deliver(n, c, v);
            if (got == v) {   // a fault during delivery leaves the event pending
                if (e == Event.IPI) n.setIpiState(c, 2); else consume(n, e);
                if (e == Event.TIMER && periodic) {
                    // A periodic tick (TIMER:*): one that comes before the context the last tick
                    // interrupted has made a step is a storm, which no fair loop may rest on.
                    if (n.tick(c) != 0) n.setStorm(c, true); else n.setTick(c, n.depth(t) - 1);
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

    /** Fairness class of Step(c): {@code c}, or {@code 2 nCpu + c} when it was a scheduler step. */
    private int stepClass(int c) { return schedStep ? 2 * nCpu + c : c; }

    /** Step(c): run the op at the program counter of the thread on CPU c. */
    private void step(State s, int c, Sink sink) {
        int t = s.running(c);
        State n = s.copy();
        inShadow = s.shadow(c);
        n.setShadow(c, false);                  // the STI shadow covers exactly one instruction
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
            m.setShadow(c, false);
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

    // ------------------------------------------------------------------ executing a thread

    private void exec(State n, int c, int t, Label[] label) {
        while (true) {
            int d = n.depth(t) - 1;
            int a = n.topAct(t);
            switch (Act.kind(a)) {
                case Act.APP, Act.HANDLER -> {
                    // code 1 marks a step of the signal handler's program (TraceText names it so)
                    label[0] = new Label(Label.Type.APP_OP, c, t, Act.kind(a) == Act.HANDLER ? 1 : -1, -1, Act.pc(a), -1, null, null, inShadow ? SHADOW_NOTE : null);
                    if (!inShadow) execApp(n, c, t, a);   // app code is many instructions: the shadow covers its first
                    return;
                }
                case Act.BODY -> {
                    List<Workload.BodyOp> ops = bodyOps.get(Act.body(a) - 1);
                    if (Act.pc(a) >= ops.size()) {
                        n.popAct(t);
                        if (Act.bypassed(a)) n.setInBypass(t, false);   // the bypassed body returned
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

    private boolean cond(State n, int t, int a, Cond cd) {
        boolean v = switch (cd.kind()) {
            case FROM_USER -> Act.fromUser(a);
            case BYPASS -> n.inBypass(t);
            case NEED_RESCHED -> n.needResched(t);
            case SIG_PENDING -> n.sigPending(t);
            case SIG_FRAME -> sigFrameCs(n, t);
            case KERNEL_THREAD -> Act.kind(a) == Act.PATH && Act.code(a) == forkPath && Act.body(a) != 0;   // testq %rbx, %rbx
            case OPTION -> throw new IllegalStateException("option conditions are compiled away");
        };
        return v ^ cd.negated();
    }

    // ---- app code (MODEL.md §3)

    private void execApp(State n, int c, int t, int a) {
        boolean handler = Act.kind(a) == Act.HANDLER;
        List<Workload.AppOp> prog = handler ? scenario.threads.get(t).handler() : scenario.threads.get(t).program();
        if (handler && Act.pc(a) > prog.size())
            throw new Violation(Property.RETURN_MISMATCH, "the signal handler's restorer returned to it: rt_sigreturn did not resume the context the signal interrupted");
        Workload.AppOp op = handler && Act.pc(a) == prog.size() ? RESTORER : prog.get(Act.pc(a));
        int next = handler ? Act.pc(a) + 1 : (Act.pc(a) + 1) % prog.size();   // a handler runs once, then its restorer
        if (!isIdle(t)) {
            Scenario.ThreadKind k = kind(t);
            if (k == Scenario.ThreadKind.UKL && n.mode(t) != 2)
                throw new Violation(Property.MODE_MISMATCH, "app code of " + threadName(t) + " runs with mode " + n.mode(t) + " (§5.4: must be 2, UKL_APPLICATION)");
            if (n.nmiBlocked(c) && !hasVec(n, t, Vector.NMI))
                throw new Violation(Property.NMI_BLOCKED_LEAK, "app code runs on cpu" + c + " with NMIs blocked and no NMI handler active");
            // Every return to app code restores IF = 1 (iret/sysret from a user frame, popf of a flags
            // word saved with IF = 1, or 6.x's explicit sti before ret, "this would be handled by SYSRET").
            if (!n.ifl(c))
                throw new Violation(Property.APP_IRQS_OFF, "app code of " + threadName(t) + " runs on cpu" + c
                        + " with interrupts disabled (IF = 0): no tick, IPI or preemption reaches it until it enters the kernel again");
            int want = k == Scenario.ThreadKind.USER ? 3 : 0;
            if (n.cpl(c) != want)
                throw new Violation(Property.RETURN_MISMATCH, "app code of " + threadName(t) + " resumes at CPL " + n.cpl(c) + ", expected " + want);
            if (n.sp(c) != n.app(t))
                throw new Violation(Property.RETURN_MISMATCH, "app code of " + threadName(t) + " resumes on " + stackName(n, n.sp(c)) + ", not its app stack");
            n.setRedZone(t, false);   // the leaf function that used the red zone has returned
            if (isChild(t) || isExec(t)) { childFirstAppStep(n, c, t); return; }
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
                if (!scenario.has(Option.NSS_PS)) n.setAppStack(t, State.FRONTIER);   // pinned stacks are fully mapped (§5.10)
                n.setTop(t, Act.withPc(a, next));
            }
            case REDZONE -> {
                if (scenario.has(Option.APP_REDZONE)) n.setRedZone(t, true);
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

    // ---- the clone child (issue 13, item 4; proofs-notes/model-choices.md, "The clone child")

    /** A child slot that holds no task: what the initial state has and what the child's exit leaves. */
    void emptyChildSlot(State s, int t) {
        s.setStatus(t, State.DONE);
        s.setMode(t, 0); s.setAppStack(t, State.MAPPED); s.setPreempt(t, 0); s.setBypassCount(t, 0); s.setBypassRun(t, 0);
        s.setIpiWait(t, 0); s.setSysretDepth(t, -1); s.setSigArm(t, 0); s.setSigRet(t, false);
        s.setSavedSp(t, 0); s.setSavedIf(t, 0); s.setSavedCpl(t, 0); s.setSavedGs(t, 0); s.setSavedCt(t, 0);
        s.setRedZone(t, false); s.setNeedResched(t, false); s.setSigPending(t, false); s.setInBypass(t, false);
        s.setKso(t, false); s.setUbuf(t, false); s.setRcu(t, false);
        s.acts[t] = new int[]{Act.make(Act.APP, 0, 0, 0, false, false, 0)};
    }

    /**
     * copy_thread for clone(CLONE_VM, new stack), as pthread_create calls it: "*childregs =
     * *current_pt_regs()" (arch/x86/kernel/process.c), so the child's iret frame has the parent's
     * CS (__KERNEL_CS for a UKL thread: ukl_entry_SYSCALL_64 pushes it) and flags (the entry's
     * pushfq: IF = 0 in 6.x, whose entry does cli first), and SP = the new stack (`if (sp)
     * childregs->sp = sp`). For fork (no CLONE_VM, no new stack) SP stays the parent's, on the
     * child's copy of the parent's stack: what the UKL entry pushed above pt_regs->sp is copied
     * too, and the op fork_fix in ret_from_fork drops it. The child inherits the mode
     * (arch_dup_task_struct copies current->ukl_thread, 1 here) and starts in ret_from_fork with
     * interrupts on (schedule_tail -> finish_task_switch unlocks the runqueue with irq enable);
     * wake_up_new_task asks the parent to reschedule (check_preempt_curr).
     */
    void cloneChild(State n, int c, int t, int ch, boolean fork) {
        boolean user = kind(t) == Scenario.ThreadKind.USER;
        boolean ifl = true;   // entry_SYSCALL_64: pt_regs->flags is R11, the user's RFLAGS (IF = 1)
        int flagsAt = -1;     // index of that flags word on the parent's app stack, -1 elsewhere or none
        if (!user) {
            int d = n.depth(t) - 2, f = 0;   // the syscall path's activation, below the clone body
            for (int s : new int[]{n.app(t), n.task(t)})
                for (int i = 0; i < n.stack[s].length; i++) {
                    int x = n.stack[s][i];
                    if (Frame.kind(x) == Frame.FLAGS && Frame.thread(x) == t && Frame.depth(x) == d) { f = x; if (s == n.app(t)) flagsAt = i; }
                }
            if (f == 0)
                throw new Violation(Property.RETURN_MISMATCH, "copy_thread copies " + threadName(t) + "'s pt_regs, but its syscall path saved no flags word (pushf) for pt_regs->flags");
            ifl = Frame.ifl(f);
        }
        // fork: the child's stack is the copy of the parent's from pt_regs->sp up, which under the UKL
        // entry is the slot of that flags word (the return path's "movq 0x18(%rsp), %rsp" loads it);
        // what the entry pushed below it (pt_regs under NSS) is not the child's.
        int[] copy = new int[0];
        if (fork) {
            int[] p = n.stack[n.app(t)];
            copy = java.util.Arrays.copyOf(p, user ? p.length : flagsAt + 1);
            for (int i = 0; i < copy.length; i++) copy[i] = Frame.withThread(copy[i], ch);   // the child owns its copy
        }
        n.stack[n.app(ch)] = copy;
        n.stack[n.task(ch)] = new int[]{Frame.hw(ch, 1, ifl, user, n.app(ch)), Frame.regs(ch, 1, fork)};
        n.acts[ch] = new int[]{Act.make(Act.APP, 0, 0, 0, false, false, 0), Act.make(Act.PATH, forkPath, 0, 0, true, user, 0)};
        n.setMode(ch, n.mode(t));
        n.setSavedSp(ch, n.task(ch)); n.setSavedIf(ch, 1);   // the slot is empty (emptyChildSlot): the rest is 0 already
        wake(n, ch);
    }

    /**
     * kernel_init, the kernel thread that execs the UKL program (dissertation §5.7; issue 13, exec):
     * a NON_UKL_THREAD (mode 0) in kernel context with the kernel GS, in ret_from_fork's
     * kernel-thread branch with its thread function (the activation's body: exec). copy_thread
     * zeroed its pt_regs (CS 0, flags 0, si 0: Frame.regs with fork = true); start_thread fills
     * them in. initial() gives it the kernel context an idle thread has: its task stack,
     * interrupts on (schedule_tail), the kernel GS.
     */
    private void execThread(State s, int t) {
        s.setMode(t, 0);
        s.stack[s.task(t)] = new int[]{Frame.hw(t, 1, false, false, s.app(t)), Frame.regs(t, 1, true)};
        s.acts[t] = new int[]{Act.make(Act.APP, 0, 0, 0, false, false, 0), Act.make(Act.PATH, forkPath, 0, 0, true, false, bodyNames.indexOf("exec") + 1)};
    }

    /**
     * The child's first app instruction, after the app-code checks: from here on it is an ordinary
     * thread of the app, which the other threads already model, so it exits (do_exit) and frees its
     * slot for the parent's next clone. Its app stack is new: anything left on it is a piece of an
     * entry or return the child did not unwind, but for the signal frame when that first
     * instruction is a signal handler's (a signal delivered in the child's first exit work). The
     * child's stack leaves with it.
     */
    void childFirstAppStep(State n, int c, int t) {
        boolean handler = Act.kind(n.topAct(t)) == Act.HANDLER;
        for (int f : n.stack[n.app(t)])
            if (!(handler && Frame.kind(f) == Frame.SIG))
                throw new Violation(Property.RETURN_MISMATCH, isExec(t)
                        ? "the exec'd program " + threadName(t) + " starts with " + frames(n, n.app(t)) + " left on its new stack (the 16 bytes the exec fix reserves are for the fork fix to drop)"
                        : "the child " + threadName(t) + " resumes app code with " + frames(n, n.app(t))
                        + " left on its stack (clone: a new stack; fork: the copy of the parent's, whose return address and flags word the fork fix drops)");
        n.stack[n.app(t)] = new int[0];
        n.setStatus(t, State.DONE);
        schedule(n, c, t, true);
        emptyChildSlot(n, t);
    }

    /** The handler's return lands in the restorer, glibc's __restore_rt: mov $15, %eax; syscall (never bypassed). */
    public static final Workload.AppOp RESTORER = new Workload.AppOp(Workload.AppKind.SYSCALL, "rt_sigreturn", false);

    // ---- kernel bodies (MODEL.md §3)

    private void execBody(State n, int c, int t, int a, Workload.BodyOp op) {
        int mm = mmOf(t);
        switch (op.kind()) {
            case LOCK -> {
                int w = n.mmWriter(mm);
                if (w == t) throw new Violation(Property.DEADLOCK, threadName(t) + " takes mmap_lock, which it already holds");
                if (w >= 0) {
                    waitCycle(n, t, mm);
                    advanceAndBlock(n, c, t, a, State.LOCKWAIT, false);   // re-runs the lock when woken
                    return;
                }
                n.setMmWriter(mm, t);
                advance(n, t, a);
            }
            case UNLOCK -> {
                if (n.mmWriter(mm) == t) {
                    n.setMmWriter(mm, -1);
                    for (int u = 0; u < nThr; u++)
                        if (n.status(u) == State.LOCKWAIT && mmOf(u) == mm) wake(n, u);
                }
                advance(n, t, a);
            }
            case SPIN_LOCK -> { n.setPreempt(t, n.preempt(t) + 1); advance(n, t, a); }
            case SPIN_UNLOCK -> { n.setPreempt(t, Math.max(0, n.preempt(t) - 1)); advance(n, t, a); }
            case TOUCH_APP_STACK -> {
                if (!scenario.has(Option.NSS_PS)) {
                    if (n.sp(c) == n.app(t)) {
                        // Kernel frames on a shared app stack go below the app's own pages (§5.11's mmap example).
                        if (n.appStack(t) != State.DEEP) { n.setAppStack(t, State.DEEP_FRONTIER); throw new Fault(n); }
                    } else if (unmapped(n, t)) {
                        throw new Fault();
                    }
                }
                advance(n, t, a);
            }
            case SLEEP -> {
                // An interruptible sleep with a signal pending returns at once (-EINTR), as in Linux.
                if (n.sigPending(t)) advance(n, t, a);
                else advanceAndBlock(n, c, t, a, State.SLEEPING, true);
            }
            case RCU_LOCK -> {
                if (scenario.has(Option.NOHZ_FULL) && n.ct(c) == 1)
                    throw new Violation(Property.RCU_NOT_WATCHING, "rcu_read_lock() in " + threadName(t) + "'s kernel body while context tracking says USER (RCU not watching)");
                n.setRcu(t, true);
                advance(n, t, a);
            }
            case RCU_UNLOCK -> { n.setRcu(t, false); advance(n, t, a); }
            case COPY_USER -> {
                // copy_to_user on a page not faulted in yet: a #PF from kernel mode; the copy restarts after it.
                if (!n.ubuf(t)) throw new Fault(null, "copy_to_user faults on the user page");
                advance(n, t, a);
            }
            case ALLOC -> {
                // GFP_KERNEL may sleep in reclaim wherever it runs: the model takes the sleep, as for
                // exc_page_fault's page allocation.
                advance(n, t, a);
                mayScheduleFor(n, c, t, bodyNames.get(Act.body(a) - 1).equals("exec") ? " in kernel_execve (bprm_mm_init: a GFP_KERNEL allocation may sleep)"
                        : " in copy_process (a GFP_KERNEL allocation may sleep)");
            }
            case UKL_EXEC -> {
                // check_ukl_exec (fs/exec.c, RFC patch "exec"): strcmp(name, CONFIG_UKL_NAME), then
                // enter_ukl_kernel(), at the start of kernel_execve, before anything can fail.
                if (kind(t) == Scenario.ThreadKind.UKL) n.setMode(t, 1);
                advance(n, t, a);
            }
            case START_THREAD -> {
                // start_thread_common (arch/x86/kernel/process_64.c): is_ukl_thread() ? __KERNEL_CS :
                // __USER_CS, regs->sp = the new stack, regs->flags = X86_EFLAGS_IF. The return now goes
                // to the new program, at CPL 0 (UKL) or 3.
                boolean user = kind(t) == Scenario.ThreadKind.USER;
                int h = nearestHw(n, t);
                if (h < 0) throw new Violation(Property.RETURN_MISMATCH, "start_thread in " + threadName(t) + ": no pt_regs to write (not under ret_from_fork)");
                setHwFrame(n, t, h, Frame.hw(t, h, true, user, n.app(t)));
                n.setAct(t, h, Act.withFromCpl3(n.act(t, h), user));
                advance(n, t, a);
            }
            case CLONE_REGS, FORK_REGS -> {
                // CLONE_UKL under CONFIG_UKL_SAME_STACK: "clone takes parent's pt_regs from tss_sp2 which
                // is a scratch space" (entry_64.S ukl_entry_SYSCALL_64, commit e0029131): the syscall
                // path stored them there (a save_sp still pending in its activation). Without that
                // store, copy_thread reads task_pt_regs() or the app stack (§5.8), which nobody shares.
                int below = n.act(t, n.depth(t) - 2);
                if (Act.scratchPending(below) && n.scratchT(c) != t)
                    throw new Violation(Property.SCRATCH_CLOBBER, "copy_thread takes " + threadName(t) + "'s pt_regs from the per-CPU TSS_sp2 slot of cpu" + c + ", but "
                            + (n.scratchT(c) < 0 ? "it is empty" : threadName(n.scratchT(c)) + " overwrote it") + " while copy_process slept: the child starts from another context's registers");
                advance(n, t, a);
                // One child slot: a clone while the child lives fails with -EAGAIN (the model's
                // RLIMIT_NPROC, copy_process's is_rlimit_overlimit test).
                int ch = childOf[t];
                if (ch >= 0 && n.status(ch) == State.DONE) cloneChild(n, c, t, ch, op.kind() == Workload.BodyKind.FORK_REGS);
            }
            case SIGRETURN -> {
                // rt_sigreturn: "frame = regs->sp + sizeof(long)" for UKL threads (the entry's return
                // address), then restore_sigcontext loads pt_regs from it (arch/x86/kernel/signal.c).
                if (handlerIndex(n, t) < 0 || sigFrameIndex(n, t) < 0)
                    throw new Violation(Property.RETURN_MISMATCH, "rt_sigreturn by " + threadName(t) + " finds no signal frame on its app stack");
                n.setSigRet(t, true);
                advance(n, t, a);
            }
            case KSTACK_OVERFLOW -> {
                // On an app stack (NSS, a bypassed body) the deep frames grow it like touch_app_stack;
                // a task or IST stack is fixed-size, with an unmapped guard page below it.
                if (!n.isApp(n.sp(c))) throw new KernelStackFault();
                execBody(n, c, t, a, new Workload.BodyOp(Workload.BodyKind.TOUCH_APP_STACK));
            }
            case SEND_IPI -> {
                if (!Act.ipiSent(a)) {
                    for (int o = 0; o < nCpu; o++) if (o != c && n.ipiState(o) != 0) return;   // csd lock busy: spin
                    checkPush(n, n.sp(c));
                    n.push(n.sp(c), Frame.make(Frame.DATA, t, n.depth(t) - 1));
                    int mask = 0;
                    for (int o = 0; o < nCpu; o++) if (o != c) { n.setIpiState(o, 1); n.setIpiFrom(o, t + 1); n.setIpiStack(o, n.sp(c)); mask |= 1 << o; }
                    n.setIpiWait(t, mask);
                    n.setTop(t, Act.withIpiSent(a, true));
                    if (mask == 0) finishIpi(n, c, t, n.topAct(t));
                } else if (n.ipiWait(t) == 0) {
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
}
