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

/** schedule(), wakeups, exit_to_user_mode_loop and periodic ticks (kernel/sched, kernel/entry/common.c). */
abstract class Scheduling extends MachineCore {
    Scheduling(Scenario sc, Machine.Perturbation p) { super(sc, p); }

    /** setup_rt_frame for thread t from the exit_work at the top of its activations (EntryReturn). */
    abstract void deliverSignal(State n, int c, int t);

    static void consume(State n, Event e) {
        if (n.budget(e.ordinal()) > 0) n.setBudget(e.ordinal(), n.budget(e.ordinal()) - 1);
    }

    /** The context the last tick interrupted makes a step (it runs at that depth or shallower). */
    void tickStep(State x, int c) {
        if (x.tick(c) != 0 && x.depth(x.running(c)) <= x.tick(c)) { x.setTick(c, 0); x.setStorm(c, false); }
    }

    void waitCycle(State n, int t, int mm) {
        int u = n.mmWriter(mm);
        for (int guard = 0; guard < nThr && u >= 0; guard++) {
            if (n.status(u) != State.LOCKWAIT) return;
            int w = n.mmWriter(mmOf(u));
            if (w == t) throw new Violation(Property.DEADLOCK, threadName(t) + " waits for mmap_lock held by " + threadName(n.mmWriter(mm)) + ", which waits for " + threadName(t));
            u = w;
        }
    }

    void advanceAndBlock(State n, int c, int t, int a, int status, boolean advancePc) {
        if (advancePc) advance(n, t, a);
        n.setStatus(t, status);
        schedule(n, c, t, true);
    }

    /** exit_to_user_mode_loop: with if = 1, schedule while needResched, deliver while sigPending; then cli and re-check. */
    void exitWork(State n, int c, int t, int a) {
        boolean resched = n.needResched(t) && !rtc(t);
        boolean work = resched || n.sigPending(t);
        if (work) {
            if (!n.ifl(c)) { n.setIfl(c, true); return; }
            // One pass of exit_to_user_mode_loop handles both; delivering the signal first keeps a
            // timer that re-sets needResched after every schedule() from starving it.
            if (n.sigPending(t)) {
                // arch_do_signal_or_restart -> handle_signal -> setup_rt_frame when the app has a
                // handler; a workload without one ignores the signal (no frame, nothing to run).
                if (!scenario.threads.get(t).handler().isEmpty()) deliverSignal(n, c, t);
                n.setSigPending(t, false);
                schedStep = true;
                return;
            }
            schedule(n, c, t, false);
            return;
        }
        if (n.ifl(c)) { n.setIfl(c, false); return; }
        advance(n, t, a);
    }

    // ---- scheduling

    int pickNext(State n, int c, int t) {
        for (int i = 1; i <= nThr; i++) {
            int u = (t + i) % nThr;
            if (u != t && !isIdle(u) && cpuOf(u) == c && n.status(u) == State.READY) return u;
        }
        return -1;
    }

    /** schedule() called by thread t on CPU c; {@code blocking} when t has just gone to sleep. */
    /** Where a schedule() that is not the thread's own choice comes from, for the violation text. */
    String sleepWhy = "";

    /** A step that may sleep (a GFP_KERNEL allocation in reclaim): the model takes the sleep; why names it in a SLEEP_ON_IST. */
    void mayScheduleFor(State n, int c, int t, String why) {
        sleepWhy = why;
        try { schedule(n, c, t, false); } finally { sleepWhy = ""; }
    }

    void schedule(State n, int c, int t, boolean blocking) {
        if (n.preempt(t) > 0)
            throw new Violation(Property.SCHEDULE_IN_ATOMIC, threadName(t) + " calls schedule() with preemptCount " + n.preempt(t));
        if (hasVec(n, t, Vector.NMI))
            throw new Violation(Property.SCHEDULE_IN_ATOMIC, threadName(t) + " calls schedule() in NMI context");
        if (n.isIst(n.sp(c)))
            throw new Violation(Property.SLEEP_ON_IST, threadName(t) + " " + (blocking ? "sleeps" : "schedules") + sleepWhy + " while running on " + stackName(n, n.sp(c)));
        for (int s = 2 * nThr; s < n.nStacks; s++)
            for (int f : n.stack[s])
                if (Frame.thread(f) == t)
                    throw new Violation(Property.SLEEP_ON_IST, threadName(t) + " " + (blocking ? "sleeps" : "schedules") + " with a live frame on " + stackName(n, s));
        schedStep = true;
        n.setNeedResched(t, false);
        int u = pickNext(n, c, t);
        if (u < 0) {
            if (!blocking) return;
            u = idleOf(c);
        }
        switchTo(n, c, t, u, blocking ? n.status(t) : State.READY);
    }

    void switchTo(State n, int c, int from, int to, int fromStatus) {
        n.setSavedSp(from, n.sp(c)); n.setSavedIf(from, n.ifl(c) ? 1 : 0); n.setSavedCpl(from, n.cpl(c));
        n.setSavedGs(from, n.gs(c)); n.setSavedCt(from, n.ct(c));
        n.setStatus(from, fromStatus);
        n.setRunning(c, to);
        n.setTick(c, 0); n.setStorm(c, false);   // another context runs: the CPU made progress
        restore(n, c, to);
        if (mmOf(to) >= 0) n.setPt(c, mmOf(to));   // kernel threads keep the previous mm (lazy TLB)
    }

    void wake(State n, int u) {
        n.setStatus(u, State.READY);
        int r = n.running(cpuOf(u));
        if (!isIdle(r) && r != u) n.setNeedResched(r, true);   // wakeup preemption (check_preempt_curr)
    }

    /** DEADLOCK by MODEL.md's second clause: no thread can ever run again while some are not DONE. */
    public String stuck(State s) {
        boolean any = false;
        for (int t = 0; t < nThr; t++) {
            if (isIdle(t) || s.status(t) == State.DONE) continue;
            any = true;
            if (s.status(t) == State.RUNNING || s.status(t) == State.READY) return null;
            if (s.status(t) == State.SLEEPING) {
                if (s.budget(Event.WAKEUP.ordinal()) != 0) return null;
                if (s.budget(Event.SIGNAL.ordinal()) != 0 && !s.sigPending(t)) return null;
            }
        }
        if (!any) return null;
        StringBuilder sb = new StringBuilder("no thread can ever run again:");
        for (int t = 0; t < nThr; t++) {
            if (isIdle(t)) continue;
            sb.append(' ').append(threadName(t)).append(s.status(t) == State.SLEEPING ? " sleeps with no wakeup left;" : " waits for mmap_lock;");
        }
        return sb.toString();
    }
}
