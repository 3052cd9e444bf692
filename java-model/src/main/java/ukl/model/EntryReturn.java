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

/** The path ops of entry and return code (MODEL.md §4): stacks, frames, GS, modes, ret/iret/sysret. */
abstract class EntryReturn extends Nmi {
    EntryReturn(Scenario sc, Machine.Perturbation p) { super(sc, p); }

    // ---- path ops (MODEL.md §4)

    /**
     * Ops that reach {@code current} or other per-CPU data through %gs (PER_CPU_VAR, this_cpu_*):
     * the mode accessors (is_ukl_thread / get_in_user / enter_ukl_kernel read current->ukl_thread),
     * TSS_sp2, cpu_current_top_of_stack, and the C entry and exit code. swapgs, the CS test and
     * paranoid_entry's rdmsr MSR_GS_BASE do not: they are how the code learns which GS it has.
     */
    static boolean readsPerCpu(Instr in) {
        return switch (in.op()) {
            case SET_MODE, SAVE_SP, LOAD_SP, SYNC_REGS, CT_EXIT, CT_ENTER, EXIT_WORK, PREEMPT_CHECK -> true;
            case SWITCH_STACK -> in.arg() == 0;   // switch_stack app reads pt_regs->sp off the stack
            case CLASSIFY -> in.arg() == 1;
            default -> false;
        };
    }

    void execOp(State n, int c, int t, int d, int a, Instr in) {
        // Issue 13: with the user's GS base a %gs-relative read is of user memory, not this CPU's data.
        if (n.gs(c) == 1 && readsPerCpu(in) && perturbation != Perturbation.PERCPU_IGNORES_GS)
            throw new Violation(Property.USER_GS_IN_KERNEL, in.op().word + (in.op() == Op.CLASSIFY ? " mode" : "") + " on cpu" + c
                    + " reads " + (in.op() == Op.CLASSIFY || in.op() == Op.SET_MODE ? "the mode from current (get_in_user / is_ukl_thread)" : "per-CPU data")
                    + " through %gs while the GS base is still the user's");
        switch (in.op()) {
            case SYSCALL -> {
                n.setCpl(c, 0); n.setIfl(c, false); n.setSysretDepth(t, d);   // RCX holds the return point
                advance(n, t, a);
            }
            case CALL -> {
                checkPush(n, n.sp(c));
                n.push(n.sp(c), Frame.make(Frame.RET, t, d));
                advance(n, t, a);
            }
            case CLI -> { n.setIfl(c, false); advance(n, t, a); }
            case STI -> { n.setIfl(c, true); n.setShadow(c, true); advance(n, t, a); }
            case PUSHF -> {
                checkPush(n, n.sp(c));
                n.push(n.sp(c), Frame.flags(t, d, n.ifl(c)));
                advance(n, t, a);
            }
            case POPF -> {
                int f = n.top(n.sp(c));
                if (n.stack[n.sp(c)].length == 0 || Frame.kind(f) != Frame.FLAGS || Frame.thread(f) != t)
                    throw new Violation(Property.RETURN_MISMATCH, "popf on " + stackName(n, n.sp(c)) + " finds " + topDesc(n, n.sp(c)) + ", not a flags word");
                n.pop(n.sp(c));
                if (perturbation != Perturbation.POPF_KEEPS_IF) n.setIfl(c, Frame.ifl(f));
                advance(n, t, a);
            }
            case SWAPGS -> { n.setGs(c, n.gs(c) ^ 1); advance(n, t, a); }
            case SET_MODE -> {
                if (kind(t) == Scenario.ThreadKind.UKL && perturbation != Perturbation.SET_MODE_NOOP) n.setMode(t, in.arg() == 0 ? 1 : 2);
                advance(n, t, a);
            }
            case SAVE_SP -> {
                n.setScratchT(c, t); n.setScratchSp(c, n.sp(c));
                n.setTop(t, Act.withPc(Act.withScratchPending(a, true), Act.pc(a) + 1));
            }
            case LOAD_SP -> {
                if (n.scratchT(c) != t)
                    throw new Violation(Property.SCRATCH_CLOBBER, "load_sp on cpu" + c + ": the scratch slot (TSS_sp2) holds "
                            + (n.scratchT(c) < 0 ? "nothing" : threadName(n.scratchT(c)) + "'s SP") + ", not " + threadName(t) + "'s");
                n.setSp(c, n.scratchSp(c));
                n.setTop(t, Act.withPc(Act.withScratchPending(a, false), Act.pc(a) + 1));
            }
            case SWITCH_STACK -> {
                if (in.arg() == 0) {
                    int task = n.task(t);
                    if (n.stack[task].length > 0)
                        throw new Violation(Property.STACK_CLOBBER, "switch_stack task resets SP to the top of " + stackName(n, task)
                                + ", which still holds " + frames(n, task));
                    n.setSp(c, task);
                } else {
                    switchToApp(n, c, t, in.arg() == 1);
                }
                advance(n, t, a);
            }
            case PUSH_REGS -> {
                if (Act.scratchPending(a) && n.scratchT(c) != t)
                    throw new Violation(Property.SCRATCH_CLOBBER, "push_regs takes pt_regs->sp from the scratch slot (TSS_sp2) on cpu" + c
                            + ", but " + (n.scratchT(c) < 0 ? "it is empty" : threadName(n.scratchT(c)) + " overwrote it") + " since " + threadName(t) + "'s save_sp");
                checkPush(n, n.sp(c));
                n.push(n.sp(c), Frame.make(Frame.REGS, t, d));
                n.setTop(t, Act.withPc(Act.withScratchPending(a, false), Act.pc(a) + 1));
            }
            case POP_REGS -> {
                int f = n.top(n.sp(c));
                if (n.stack[n.sp(c)].length == 0 || Frame.kind(f) != Frame.REGS || Frame.thread(f) != t)
                    throw new Violation(Property.RETURN_MISMATCH, "pop_regs on " + stackName(n, n.sp(c)) + " finds " + topDesc(n, n.sp(c)) + ", not pt_regs");
                n.pop(n.sp(c));
                advance(n, t, a);
            }
            case SYNC_REGS -> { syncRegs(n, c, t); advance(n, t, a); }
            case CLASSIFY -> {
                boolean fu = switch (in.arg()) {
                    // testb $3, CS(%rsp): the RPL of the frame's CS (a fake 0xC3 counts as user).
                    case 0 -> { int h = nearestHw(n, t); yield h >= 0 && Frame.rpl3(hwFrame(n, t, h)); }
                    case 1 -> kind(t) == Scenario.ThreadKind.UKL && n.mode(t) == 2;
                    default -> n.gs(c) == 1;
                };
                n.setTop(t, Act.withPc(Act.withFromUser(a, fu), Act.pc(a) + 1));
            }
            case FAKE_CS, FIX_CS -> {
                // error_entry's movq $0xC3, CS+8(%rsp) / error_return's cmpq $0xC3; movq $0x10 (entry_64.S,
                // UKL CODE START blocks): one store each, to the frame of the interrupt being handled.
                int h = nearestHw(n, t);
                if (h < 0) throw new Violation(Property.RETURN_MISMATCH, in.op().word + " outside any interrupt or exception");
                if (in.op() == Op.FAKE_CS || perturbation != Perturbation.FIX_CS_NOOP)
                    setHwFrame(n, t, h, Frame.withFakeCs(hwFrame(n, t, h), in.op() == Op.FAKE_CS));
                advance(n, t, a);
            }
            case CT_EXIT, CT_ENTER -> {
                if (scenario.has(Option.NOHZ_FULL)) {
                    int want = in.op() == Op.CT_EXIT ? 1 : 0;
                    if (n.ct(c) != want)
                        throw new Violation(Property.CONTEXT_TRACKING, in.op().word + " on cpu" + c + " while context tracking is already "
                                + (want == 1 ? "KERNEL" : "USER"));
                    n.setCt(c, 1 - want);
                }
                advance(n, t, a);
            }
            case BODY -> {
                int body = Act.body(a);
                if (body == 0) throw new Violation(Property.RETURN_MISMATCH, "body in " + codeNames[Act.code(a)] + ": no syscall or shortcut body here");
                if (n.gs(c) == 1) throw new Violation(Property.USER_GS_IN_KERNEL, "kernel body " + bodyNames.get(body - 1) + " runs with the user GS base");
                boolean byp = n.inBypass(t);
                if (byp) {
                    n.setBypassRun(t, n.bypassRun(t) + 1);
                    if (n.bypassRun(t) > scenario.bypassLimit - 1)
                        throw new Violation(Property.BYPASS_BOUND, n.bypassRun(t) + " syscalls in a row bypass entry/exit; the limit " + scenario.bypassLimit + " allows " + (scenario.bypassLimit - 1));
                }
                advance(n, t, a);
                enter(n, t, Act.withBypassed(Act.make(Act.BODY, 0, 0, 0, false, false, body), byp));
            }
            case HANDLE -> { handle(n, c, t, a); }
            case EXIT_WORK -> exitWork(n, c, t, a);
            case PREEMPT_CHECK -> {
                advance(n, t, a);
                if (scenario.preemptFull && n.needResched(t) && n.preempt(t) == 0 && !rtc(t)) schedule(n, c, t, false);
            }
            case DF_TO_PF -> {
                if (n.kso(t))
                    throw new Violation(Property.MISCLASSIFIED_DF, "df_to_pf hands a #DF raised by " + threadName(t) + "'s task-stack overflow to the #PF entry as an app-stack fault"
                            + " (\"any double fault is a user stack page fault\"); #DF is an abort, its frame cannot be resumed");
                advance(n, t, a);
                enter(n, t, Act.make(Act.PATH, vecPath[Vector.PF.ordinal()], 0, Vector.PF.ordinal() + 1, false, false, 0));
            }
            case NMI_ENTER -> nmiEnter(n, c, t, a);
            case NMI_EXIT -> {
                // nmi_restore: "Set DF first so that we can easily distinguish the remaining code between
                // here and IRET", then clear "NMI executing".
                n.setNmi(c, (n.nmi(c) | State.NMI_DF) & ~State.NMI_EXEC);
                advance(n, t, a);
            }
            case BYPASS_CHECK -> {
                // The code's rule (UKL-CODE-NOTES "Bypass"): not enabled or a signal pending -> full path;
                // else ++count, and at the limit reset to 0 and take the full path.
                boolean byp = false;
                int body = Act.body(a);
                boolean wrapperBypasses = body == 0 || !Workload.FULL_PATH_ONLY.contains(bodyNames.get(body - 1));
                if (scenario.has(Option.BYP) && !n.sigPending(t) && wrapperBypasses) {
                    n.setBypassCount(t, n.bypassCount(t) + 1);
                    if (n.bypassCount(t) >= scenario.bypassLimit && perturbation != Perturbation.BYPASS_COUNTER_NEVER_RESETS) n.setBypassCount(t, 0);
                    else byp = true;
                }
                n.setInBypass(t, byp);
                advance(n, t, a);
            }
            case SET_BYPASS -> { n.setInBypass(t, true); advance(n, t, a); }
            case NOP -> advance(n, t, a);
            case FORK_FIX -> {
                // 5.14 ret_from_fork (entry_64.S e0029131): "testb $3, CS(%rsp); jnz 3f" (a real user),
                // "cmpq $0, RSI(%rsp); jne 3f" (clone got a new stack), then RSP(%rsp) += 0x10,
                // unconditionally; 6.x does the same in copy_thread (process.c ba2d5d12). The 16 bytes
                // are meant to be the return address and flags word the parent's UKL entry left above
                // pt_regs->sp; if anything else is there (a signal frame exit work wrote), the add
                // moves pt_regs->sp into it.
                int top = n.top(n.sp(c));   // 0 on an empty stack, which is no REGS frame
                int h = nearestHw(n, t);
                if (Frame.forkRegs(top) && Frame.thread(top) == t && h >= 0 && !Frame.rpl3(hwFrame(n, t, h))) {
                    int[] st = n.stack[n.app(t)];
                    if (!endsWith(st, Frame.RET, Frame.FLAGS) && !endsWith(st, Frame.GAP, Frame.GAP))
                        throw new Violation(Property.RETURN_MISMATCH, "the fork fix moves " + threadName(t) + "'s pt_regs->sp 16 bytes up, but "
                                + stackName(n, n.app(t)) + (st.length == 0 ? " is empty" : " ends " + frames(n, n.app(t)))
                                + ", not with the parent's return address and flags word (fork) or the 16 bytes the exec fix reserved (exec)");
                    n.stack[n.app(t)] = java.util.Arrays.copyOf(st, st.length - 2);
                }
                advance(n, t, a);
            }
            case EXEC_FIX -> {
                // 5.14 ret_from_fork, kernel-thread branch, after the thread function returned from a
                // successful kernel_execve (entry_64.S e0029131): "testb $3, CS(%rsp); jnz 4f" (a real
                // user), then RSP+0x8(%rsp) -= 0x10. exec's pt_regs have CS RPL 0 and si = 0, as a fork
                // child's, so the fork fix after "jmp 2b" adds the 0x10 back. The two words below the
                // new stack's top hold nothing of the program (GAP).
                int h = nearestHw(n, t);
                if (h >= 0 && !Frame.rpl3(hwFrame(n, t, h))) {
                    n.push(n.app(t), Frame.make(Frame.GAP, t, h));
                    n.push(n.app(t), Frame.make(Frame.GAP, t, h));
                }
                advance(n, t, a);
            }
            case RAISE -> {
                // A trap: its frame resumes the next op. When the delivery itself faults (its frame
                // would go on an unmapped app-stack page), #PF comes first and the op runs again
                // after it, as a faulting instruction restarts (issue 14, declared vectors).
                advance(n, t, a);
                int got = deliver(n, c, in.arg());
                if (got != in.arg()) n.setAct(t, d, a);
            }
            case RUN -> {
                if (codeNames[in.arg()].endsWith("syscall") && !codeNames[in.arg()].endsWith("libc_syscall")) n.setBypassRun(t, 0);
                advance(n, t, a);
                enter(n, t, Act.withFromUser(Act.make(Act.PATH, in.arg(), 0, 0, false, false, Act.body(a)), Act.fromUser(a)));
            }
            case RET -> {
                int sp = n.sp(c);
                int f = n.top(sp);
                if (n.stack[sp].length == 0 || Frame.kind(f) != Frame.RET || Frame.thread(f) != t || Frame.depth(f) >= d)
                    throw new Violation(Property.RETURN_MISMATCH, "ret on " + stackName(n, sp) + " pops " + topDesc(n, sp) + ", not a return address of " + threadName(t));
                int r = Frame.depth(f);
                checkUnwound(n, t, r, d, "ret");
                n.pop(sp);
                n.truncate(t, r + 1);
                startHandler(n, c, t);
            }
            case IRET -> {
                int root = entryRoot(n, t);
                if (root >= 0 && !Act.hw(n.act(t, root)) && (n.sigArm(t) != 0 || n.sigRet(t))) { syscallIret(n, c, t, d, root); return; }
                int h = nearestHw(n, t);
                int sp = n.sp(c);
                int f = n.top(sp);
                if (h < 0 || n.stack[sp].length == 0 || Frame.kind(f) != Frame.HW || Frame.thread(f) != t || Frame.depth(f) != h)
                    throw new Violation(Property.RETURN_MISMATCH, "iret on " + stackName(n, sp) + " pops " + topDesc(n, sp)
                            + (h < 0 ? ", outside any interrupt" : ", not the hardware frame of the interrupt at depth " + h));
                if (n.kso(t) && Act.vec(n.act(t, h)) == Vector.DF.ordinal() + 1)
                    throw new Violation(Property.MISCLASSIFIED_DF, "iret resumes the frame of the #DF that " + threadName(t) + "'s task-stack overflow raised; #DF is an abort, its frame cannot be resumed");
                // iretq loads CS from the frame: its RPL becomes the CPL (SDM IRET). A fake 0xC3 left in
                // the frame returns to CPL 3 with app code linked into the kernel half.
                if (Frame.rpl3(f) != Act.fromCpl3(n.act(t, h)))
                    throw new Violation(Property.BAD_RETURN_CS, "iret with CS " + Frame.cs(f) + " (RPL " + (Frame.rpl3(f) ? 3 : 0) + ") resumes code the "
                            + actVecName(n.act(t, h)) + " interrupted at CPL " + (Act.fromCpl3(n.act(t, h)) ? 3 : 0)
                            + (Frame.fakeCs(f) ? ": error_entry's fake CS was not put back to 0x10 (error_return)" : ""));
                n.setNmiBlocked(c, false);   // any iret ends NMI blocking (SDM 6.7.1)
                if (nmiIret(n, c, t, h)) return;
                n.pop(sp);
                n.setSp(c, Frame.sp(f));
                n.setIfl(c, Frame.ifl(f));
                n.setCpl(c, Frame.cpl3(f) ? 3 : 0);
                n.truncate(t, h);
                startHandler(n, c, t);
            }
            case SYSRET -> {
                int r = n.sysretDepth(t);
                if (r < 0 || r >= d)
                    throw new Violation(Property.RETURN_MISMATCH, "sysret with no SYSCALL return point (RCX) for " + threadName(t));
                if (kind(t) == Scenario.ThreadKind.UKL)
                    throw new Violation(Property.BAD_RETURN_CS, "sysret loads __USER_CS (RPL 3), but " + threadName(t) + "'s app code is linked into the kernel and runs at CPL 0");
                n.setSysretDepth(t, -1);
                if (n.sigRet(t)) { sigreturnResume(n, c, t, d, "sysret"); return; }   // Linux returns through iret from the restored pt_regs
                checkUnwound(n, t, r, d, "sysret");
                n.setCpl(c, 3); n.setIfl(c, true); n.setSp(c, n.app(t));
                n.truncate(t, r + 1);
                startHandler(n, c, t);
            }
            case PANIC -> {
                if (hasVec(n, t, Vector.DF))
                    throw new Violation(Property.DOUBLE_FAULT_PANIC, "the #DF handler panics (§5.11: the double fault prints a panic message and the system panics)");
                throw new Violation(Property.UNHANDLED_KERNEL_FAULT, "the kernel panics in " + codeNames[Act.code(a)]);
            }
        }
    }

    // ---- signals (issue 13): arch/x86/kernel/signal.c with the UKL changes

    /**
     * setup_rt_frame from exit_work: get_sigframe puts the frame at regs->sp - 128 (the red zone is
     * skipped) on the stack regs->sp points into; the handler then runs when the return that exit
     * work precedes has completed (regs->ip = the handler, regs->sp = the frame; for UKL threads
     * regs->cs = 0xC3, which error_return and the syscall return turn into an iret or ret to CPL 0).
     * regs->sp is the interrupted SP: the hardware frame's for an interrupt, the app's for a syscall.
     */
    @Override
    void deliverSignal(State n, int c, int t) {
        if (n.sigRet(t) || n.sigArm(t) != 0)
            throw new BoundHit("a second signal delivered before the first one's frame is set up or torn down is not modeled (use SIGNAL:1)");
        int root = entryRoot(n, t);
        if (root < 0) throw new Violation(Property.RETURN_MISMATCH, "exit_work delivers a signal to " + threadName(t) + " but finds no pt_regs of a return to the app");
        int hw = Act.hw(n.act(t, root)) ? hwFrame(n, t, root) : 0;
        int target = hw != 0 ? Frame.sp(hw) : n.app(t);
        // sc.cs: what restore_sigcontext puts back (UKL keeps it as saved): an interrupt's frame CS
        // (0xC3 after error_entry in mode 2), or a UKL syscall's __KERNEL_CS.
        boolean fakeCs = hw != 0 && Frame.fakeCs(hw);
        if (n.isApp(target) && unmapped(n, target)) throw new Fault(null, "setup_rt_frame's write of the signal frame faults on the app stack");
        // Frames of the kernel's own activations on that stack lie below regs->sp: under stack
        // sharing, pt_regs and exit_work's C frames are where the signal frame goes.
        for (int f : n.stack[target])
            if (Frame.thread(f) == t && Frame.depth(f) >= root && (Frame.kind(f) == Frame.REGS || Frame.kind(f) == Frame.DATA || Frame.kind(f) == Frame.HW))
                throw new Violation(Property.STACK_CLOBBER, "setup_rt_frame writes " + threadName(t) + "'s signal frame at regs->sp - 128 on " + stackName(n, target)
                        + ", over the live " + Frame.render(f, (Machine) this, n) + " below regs->sp (get_sigframe, arch/x86/kernel/signal.c)");
        if (n.redZone(t) && perturbation == Perturbation.SIGFRAME_IGNORES_REDZONE)
            throw new Violation(Property.RED_ZONE_CLOBBER, "setup_rt_frame writes the signal frame at regs->sp, over the live red zone of " + threadName(t) + "'s leaf function (§5.2)");
        n.push(target, Frame.withFakeCs(Frame.sig(t, root, n.redZone(t)), fakeCs));
        n.setRedZone(t, false);   // kept in the frame: the handler's frames go below it
        n.setSigArm(t, n.depth(t));
    }

    /** After a return op: if it ended the activation whose exit_work delivered a signal, the handler starts. */
    void startHandler(State n, int c, int t) {
        if (n.sigArm(t) == 0 || n.depth(t) >= n.sigArm(t)) return;
        n.setSigArm(t, 0);
        int sp = n.sp(c);
        int f = n.top(sp);
        if (n.stack[sp].length == 0 || Frame.kind(f) != Frame.SIG || Frame.thread(f) != t)
            throw new Violation(Property.RETURN_MISMATCH, "the return to " + threadName(t) + "'s signal handler lands on " + stackName(n, sp)
                    + ", whose top is " + topDesc(n, sp) + ", not the signal frame");
        n.pop(sp);   // the frame records the IF the return restored, for rt_sigreturn
        n.push(sp, Frame.withIfl(f, n.ifl(c)));
        enter(n, t, Act.make(Act.HANDLER, 0, 0, 0, false, false, 0));
    }

    /**
     * The activation whose return resumes the app context: the nearest interrupt activation, or
     * the path entered from app code (libc_syscall, a shortcut). -1 when there is none.
     */
    int entryRoot(State n, int t) {
        for (int k = n.depth(t) - 1; k >= 1; k--) {
            if (Act.hw(n.act(t, k))) return k;
            if (Act.appCode(n.act(t, k - 1))) return k;
        }
        return -1;
    }

    /** The sig_frame condition: pt_regs' CS is 0xC3 because of a signal (setup_rt_frame, or restored by rt_sigreturn). */
    boolean sigFrameCs(State n, int t) {
        if (kind(t) != Scenario.ThreadKind.UKL) return false;
        if (n.sigArm(t) != 0) return true;
        int i = sigFrameIndex(n, t);
        return n.sigRet(t) && i >= 0 && Frame.fakeCs(n.stack[n.app(t)][i]);
    }

    /**
     * iret through the pt_regs a syscall entry built (5.14 ukl_entry_SYSCALL_64, "Special Signal
     * handler case. Always do iret": cmpq $0xC3, CS; movq $0x10, CS; INTERRUPT_RETURN). To the
     * handler: RSP is the signal frame, RFLAGS the entry's saved flags word (still below it, with
     * the return address: the final popf; ret after rt_sigreturn takes them). After rt_sigreturn:
     * the restored context.
     */
    void syscallIret(State n, int c, int t, int d, int root) {
        if (n.sigRet(t)) { sigreturnResume(n, c, t, d, "iret"); return; }
        int app = n.app(t);
        int i = sigFrameIndex(n, t);
        if (i < 1 || i != n.stack[app].length - 1 || Frame.kind(n.stack[app][i - 1]) != Frame.FLAGS || Frame.thread(n.stack[app][i - 1]) != t)
            throw new Violation(Property.RETURN_MISMATCH, "iret to " + threadName(t) + "'s signal handler finds no signal frame above the entry's flags word on " + stackName(n, app));
        checkUnwound(n, t, root, d, "iret");
        n.setSp(c, app);
        n.setIfl(c, Frame.ifl(n.stack[app][i - 1]));
        n.setCpl(c, 0);
        n.truncate(t, root + 1);
        startHandler(n, c, t);
    }

    int handlerIndex(State n, int t) {
        for (int k = n.depth(t) - 1; k >= 1; k--) if (Act.kind(n.act(t, k)) == Act.HANDLER) return k;
        return -1;
    }

    /** Index of thread t's newest signal frame on its app stack, or -1. */
    int sigFrameIndex(State n, int t) {
        int[] fr = n.stack[n.app(t)];
        for (int i = fr.length - 1; i >= 0; i--) if (Frame.kind(fr[i]) == Frame.SIG && Frame.thread(fr[i]) == t) return i;
        return -1;
    }

    /**
     * The return of rt_sigreturn's syscall path: pt_regs now hold the interrupted context (5.14's
     * ukl_entry_SYSCALL_64 irets when CS is 0xC3, else pops flags and ret from the restored SP), so
     * the handler's activations and everything from the signal frame up are gone.
     */
    void sigreturnResume(State n, int c, int t, int d, String what) {
        int k = handlerIndex(n, t), i = sigFrameIndex(n, t);
        if (k < 0 || i < 0) throw new Violation(Property.RETURN_MISMATCH, what + " after rt_sigreturn finds no signal frame of " + threadName(t));
        checkUnwound(n, t, k - 1, d, what + " after rt_sigreturn");
        int sig = leaveSigFrame(n, c, t, i);
        n.setIfl(c, Frame.ifl(sig));
        n.setCpl(c, kind(t) == Scenario.ThreadKind.USER ? 3 : 0);
        n.truncate(t, k);
    }

    /**
     * SP := the app stack below the signal frame at index i: the frame and the handler's frames
     * above it are gone, the interrupted leaf's red zone is live again, pt_regs are no longer the
     * restored ones. Returns the signal frame.
     */
    int leaveSigFrame(State n, int c, int t, int i) {
        int app = n.app(t);
        int sig = n.stack[app][i];
        n.stack[app] = java.util.Arrays.copyOf(n.stack[app], i);
        n.setSp(c, app);
        n.setRedZone(t, Frame.redZone(sig));
        n.setSigRet(t, false);
        return sig;
    }

    /** ret/sysret must not jump over an interrupt whose hardware frame is still live. */
    void checkUnwound(State n, int t, int r, int d, String what) {
        for (int k = r + 1; k <= d; k++) {
            if (!Act.hw(n.act(t, k))) continue;
            for (int s = 0; s < n.nStacks; s++)
                for (int f : n.stack[s])
                    if (Frame.kind(f) == Frame.HW && Frame.thread(f) == t && Frame.depth(f) == k)
                        throw new Violation(Property.RETURN_MISMATCH, what + " resumes depth " + r + " but skips the live hardware frame of the "
                                + actVecName(n.act(t, k)) + " at depth " + k + " on " + stackName(n, s));
        }
    }

    /** UKL_RET's return (§5.9): leaving for the app stack turns the interrupt's hardware frame into a
     *  return address and flags word written below the interrupted SP. */
    void switchToApp(State n, int c, int t, boolean flagsWord) {
        int app = n.app(t);
        int root = entryRoot(n, t);
        if (n.sigRet(t) && root >= 0 && !Act.hw(n.act(t, root))) {
            // ukl_entry_SYSCALL_64's "movq 0x18(%rsp), %rsp" loads the SP rt_sigreturn restored: the
            // signal frame and the handler's frames above it are left behind; popf and ret then take
            // whatever the interrupted context has at that SP.
            int i = sigFrameIndex(n, t);
            if (i < 0) throw new Violation(Property.RETURN_MISMATCH, "switch_stack app after rt_sigreturn finds no signal frame of " + threadName(t));
            leaveSigFrame(n, c, t, i);
            return;
        }
        int h = nearestHw(n, t);
        int sp = n.sp(c);
        int f = n.top(sp);
        if (h >= 0 && sp != app && n.stack[sp].length > 0 && Frame.kind(f) == Frame.HW && Frame.thread(f) == t && Frame.depth(f) == h) {
            if (Frame.sp(f) != app || Frame.cpl3(f))
                throw new Violation(Property.RETURN_MISMATCH, "switch_stack app returns from the " + actVecName(n.act(t, h))
                        + " to the app stack, but it interrupted " + (Frame.cpl3(f) ? "CPL 3 code" : "code on " + stackName(n, Frame.sp(f))));
            checkPush(n, app);
            n.pop(sp);
            n.push(app, Frame.make(Frame.RET, t, h - 1));
            // app_ret writes the return address only: the path restores IF itself (sti; ret).
            if (flagsWord) n.push(app, Frame.flags(t, h - 1, Frame.ifl(f)));
        }
        n.setSp(c, app);
    }

    void syncRegs(State n, int c, int t) {
        int h = nearestHw(n, t);
        if (h < 0) throw new Violation(Property.RETURN_MISMATCH, "sync_regs outside an interrupt or exception");
        int sp = n.sp(c);
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
        n.setSp(c, task);
    }

    /** Whether stack st ends with a frame of kind below under one of kind top. */
    private static boolean endsWith(int[] st, int below, int top) {
        return st.length >= 2 && Frame.kind(st[st.length - 2]) == below && Frame.kind(st[st.length - 1]) == top;
    }
}
