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
 * Hardware delivery of interrupts and exceptions (MODEL.md §2), the handlers (exc_page_fault as
 * arch/x86/mm/fault.c has it, exc_nmi, the timer and IPI handlers) and kernel-stack overflows.
 */
abstract class Faults extends Scheduling {
    Faults(Scenario sc, Machine.Perturbation p) { super(sc, p); }

    /**
     * The task stack overflowed into its guard page (issue 12). The #PF this raises is pushed on
     * the same overflowed stack unless #PF has an IST stack, so the push faults and the CPU
     * delivers #DF, on its IST stack; with no IST for #DF either, that push faults too: a triple
     * fault. The thread's task stack stays marked overflowed: whatever handles this fault must
     * not treat it as an app-stack fault (MISCLASSIFIED_DF) and cannot resume it.
     */
    void kernelStackFault(State s, int c, int t, Label l, Sink sink) {
        State m = s.copy();
        m.setShadow(c, false);
        tickStep(m, c);
        m.setKso(t, true);
        Vector v = scenario.ist[Vector.PF.ordinal()] > 0 ? Vector.PF : Vector.DF;
        String what = v == Vector.PF ? "#PF on its IST stack" : "#PF, whose push on the overflowed stack faults: #DF";
        Label lf = new Label(l.type(), l.cpu(), l.thread(), l.code(), l.pc(), l.appPc(), l.body(), null, v,
                "the call chain runs into the guard page below " + stackName(s, s.sp(c)) + ": " + what);
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
    Vector deliver(State n, int c, Vector v) { return Vector.builtIn(deliver(n, c, v.ordinal())); }   // a built-in delivery falls back to #PF/#DF only

    /** Delivers vector vi (a built-in ordinal, or a declared vector's, issue 14) on CPU c; returns the one delivered. */
    int deliver(State n, int c, int vi) {
        final int NMI = Vector.NMI.ordinal(), PF = Vector.PF.ordinal(), DF = Vector.DF.ordinal();
        String v = vecNames[vi];
        int t = n.running(c);
        if (n.depth(t) >= scenario.maxNesting)
            throw new BoundHit("nesting depth " + scenario.maxNesting + " reached delivering " + v + " (raise --max-nesting)");
        int k = scenario.ist[vi];
        int target;
        boolean nested = false;
        if (k > 0) {
            target = n.ist(c, k);
            if (n.stack[target].length > 0) {
                // A nested NMI writes its frame into the "original" slot at the top of the NMI stack;
                // that is harmless once the outer NMI's first_nmi has copied it, and only then
                // (entry_64.S asm_exc_nmi: "Everything up to here is safe from nested NMIs").
                nested = vi == NMI && (n.nmi(c) & (State.NMI_COPIED | State.NMI_NEST)) == State.NMI_COPIED;
                if (!nested)
                    throw new Violation(Property.STACK_CLOBBER, "delivery of " + v + " resets SP to the top of " + stackName(n, target)
                            + ", which still holds " + frames(n, target)
                            + (vi == NMI ? ((n.nmi(c) & State.NMI_NEST) != 0
                                    ? ": the nested NMI's frame in the original slot has not been consumed yet"
                                    : ": the outer NMI has not copied its frame yet (first_nmi), and an iret since its delivery unmasked NMIs") : ""));
            }
        } else if (n.cpl(c) == 3) {
            target = n.task(t);   // TSS.RSP0
            if (n.stack[target].length > 0)
                throw new Violation(Property.STACK_CLOBBER, "delivery of " + v + " from CPL 3 resets SP to the top of "
                        + stackName(n, target) + ", which still holds " + frames(n, target));
        } else {
            target = n.sp(c);     // CPL 0 -> CPL 0: no stack switch (the UKL case)
        }
        if (n.isApp(target)) {
            int u = target;
            if (unmapped(n, u)) {
                if (vi == DF)
                    throw new Violation(Property.DOUBLE_FAULT_PANIC, "delivery of #DF pushes onto the unmapped page of "
                            + stackName(n, target) + ": triple fault, the machine resets");
                if (vi == PF) return deliver(n, c, DF);   // a fault while delivering #PF is a #DF
                return deliver(n, c, PF);                 // the interrupt (or the raising op) stays pending
            }
            if (n.redZone(u))
                throw new Violation(Property.RED_ZONE_CLOBBER, "delivery of " + v + " pushes its frame on " + stackName(n, target)
                        + " over the live red zone of " + threadName(u) + "'s leaf function (§5.2)");
        }
        boolean cpl3 = n.cpl(c) == 3;
        n.push(target, Frame.hw(t, n.depth(t), n.ifl(c), cpl3, n.sp(c)));
        n.setSp(c, target);
        n.setCpl(c, 0);
        n.setIfl(c, false);
        n.setShadow(c, false);
        if (vi == NMI) n.setNmiBlocked(c, true);
        if (nested) n.setNmi(c, n.nmi(c) | State.NMI_NEST);
        n.pushAct(t, Act.make(Act.PATH, vecPath[vi], 0, vi + 1, true, cpl3, 0));
        return vi;
    }

    boolean unmapped(State n, int u) {
        return n.appStack(u) == State.FRONTIER || n.appStack(u) == State.DEEP_FRONTIER;
    }

    /** A push by an op: faults on an unmapped app-stack page, clobbers a live red zone. Checked before any change. */
    void checkPush(State n, int stackId) {
        if (!n.isApp(stackId)) return;
        if (unmapped(n, stackId)) throw new Fault();
        if (n.redZone(stackId))
            throw new Violation(Property.RED_ZONE_CLOBBER, "a push on " + stackName(n, stackId) + " overwrites the live red zone of "
                    + threadName(stackId) + " (§5.2)");
    }

    void handle(State n, int c, int t, int a) {
        int vi = nearestVec(n, t);
        if (vi < 0) throw new Violation(Property.RETURN_MISMATCH, "handle in " + codeNames[Act.code(a)] + ": no interrupt or exception to handle");
        // A declared vector (issue 14) has a generic handler: C code entered like an ordinary
        // exception (irqentry_enter, so RCU must watch), which changes nothing the model tracks.
        Vector v = Vector.builtIn(vi);
        String vn = vecNames[vi];
        if (n.gs(c) == 1) throw new Violation(Property.USER_GS_IN_KERNEL, "the " + vn + " handler runs with the user GS base");
        // NMI, #MC and #DB enter RCU through ct_nmi_enter/irqentry_nmi_enter, which is nesting-safe;
        // RCU then watches for anything nested inside them too (a #PF in perf's NMI handler).
        if (scenario.has(Option.NOHZ_FULL) && n.ct(c) == 1 && v != Vector.NMI && v != Vector.MC && v != Vector.DB
                && !hasVec(n, t, Vector.NMI) && !hasVec(n, t, Vector.MC) && !hasVec(n, t, Vector.DB))
            throw new Violation(Property.RCU_NOT_WATCHING, "the " + vn + " handler runs on cpu" + c + " while context tracking says USER (RCU not watching)");
        if (v == null) { advance(n, t, a); return; }
        switch (v) {
            case TIMER -> {
                // tick_sched_handle -> update_process_times(user_mode(regs)) -> rcu_sched_clock_irq(user):
                // with non-preemptible RCU (PREEMPT=none, kernel/rcu/tree_plugin.h), user -> rcu_qs()
                // unconditionally. UKL's fake CS makes a tick in mode-2 kernel code "user"; a spinlock
                // (preemption off) is a read-side section too since the RCU flavours were merged.
                int f = hwFrame(n, t, nearestHw(n, t));
                if (Frame.rpl3(f) && !scenario.preemptFull && (n.rcu(t) || n.preempt(t) > 0))
                    throw new Violation(Property.EARLY_GRACE_PERIOD, "the tick on cpu" + c + " sees user_mode(regs) (CS " + Frame.cs(f) + ") and reports an RCU quiescent state while "
                            + threadName(t) + " is inside " + (n.rcu(t) ? "rcu_read_lock()" : "a spinlock (preemption off)") + ": a grace period can end under it");
                n.setNeedResched(t, true);
                advance(n, t, a);
            }
            case IPI -> {
                int s = n.ipiStack(c);
                // The kernel's page tables (pt -1: idle and kernel threads) map the UKL process's user
                // half: "UKL shares the kernel's page tables" (§5.10). Only another mm's do not.
                if (n.isApp(s) && !scenario.has(Option.NSS_PS) && n.pt(c) != mmOf(s) && !(n.pt(c) < 0 && kind(s) == Scenario.ThreadKind.UKL))
                    throw new Violation(Property.UNHANDLED_KERNEL_FAULT, "the IPI handler on cpu" + c + " reads the data " + threadName(n.ipiFrom(c) - 1)
                            + " left on " + stackName(n, s) + ", which the loaded page tables (" + (n.pt(c) < 0 ? "kernel only" : "mm" + n.pt(c)) + ") do not map (§5.10)");
                int from = n.ipiFrom(c) - 1;
                n.setIpiWait(from, n.ipiWait(from) & ~(1 << c));
                n.setIpiState(c, 0); n.setIpiFrom(c, 0); n.setIpiStack(c, 0);
                advance(n, t, a);
            }
            case PF -> pageFault(n, c, t, a);
            case NMI -> {
                // perf's NMI handler reads the interrupted thread's user stack (copy_from_user_nmi); a
                // page not faulted in raises #PF inside the NMI handler, fixed up, and the walk ends.
                if (scenario.workload.nmiReadsUser() && Act.phase(a) == 0 && !n.ubuf(t)) {
                    n.setTop(t, Act.withPhase(a, 1));
                    throw new Fault(n, "copy_from_user_nmi faults on the user page");
                }
                n.setTop(t, Act.withPc(Act.withPhase(a, 0), Act.pc(a) + 1));
            }
            default -> advance(n, t, a);
        }
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
    void pageFault(State n, int c, int t, int a) {
        if (n.kso(t))
            throw new Violation(Property.UNHANDLED_KERNEL_FAULT, "the #PF is on the guard page below " + threadName(t) + "'s task stack: page_fault_oops reports a kernel stack overflow and the kernel dies");
        boolean stackFault = n.appStack(t) == State.FRONTIER || n.appStack(t) == State.DEEP_FRONTIER;
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
        if (Act.phase(a) == 0 && !stackFault && n.ubuf(t)) { advance(n, t, a); return; }
        switch (Act.phase(a)) {
            case 0 -> {
                int h = nearestHw(n, t);
                if (h >= 0 && Frame.ifl(hwFrame(n, t, h))) n.setIfl(c, true);
                n.setTop(t, Act.withPhase(a, 1));
            }
            case 1 -> {
                if (!(stackFault && scenario.has(Option.STACK_VMA_CHECK))) {   // §5.11's fast path skips mmap_lock for stack faults
                    int mm = mmOf(t);
                    int w = n.mmWriter(mm);
                    if (w == t) throw new Violation(Property.DEADLOCK, "the page fault handler takes mmap_lock for read, but " + threadName(t) + " holds it for write (§5.11)");
                    if (w >= 0) { waitCycle(n, t, mm); advanceAndBlock(n, c, t, a, State.LOCKWAIT, false); return; }   // re-runs when woken
                }
                if (stackFault) n.setAppStack(t, n.appStack(t) == State.DEEP_FRONTIER ? State.DEEP : State.MAPPED);
                else n.setUbuf(t, true);
                n.setTop(t, Act.withPhase(a, 2));
                mayScheduleFor(n, c, t, " in exc_page_fault (handle_mm_fault's page allocation may sleep)");   // GFP_KERNEL reclaim sleeps
            }
            default -> {
                n.setIfl(c, false);
                n.setTop(t, Act.withPc(Act.withPhase(a, 0), Act.pc(a) + 1));
            }
        }
    }
}
