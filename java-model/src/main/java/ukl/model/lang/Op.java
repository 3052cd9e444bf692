package ukl.model.lang;

import java.util.List;

/**
 * The ops of the path language (MODEL.md section 4). Each runs as one atomic step. An op that
 * stands for C code ({@link #cCode}) is entered by a call, a first instruction of its own: an STI
 * shadow covers that instruction and nothing of the function (proofs-notes/model-choices.md, "Op
 * granularity", lists every op and why the others are one step).
 */
public enum Op {
    SYSCALL("syscall", List.of(), false, "hardware SYSCALL: cpl := 0, if := 0; SP unchanged"),
    CALL("call", List.of(), false, "push a return address on the current stack"),
    CLI("cli", List.of(), false, "if := 0"),
    STI("sti", List.of(), false, "if := 1; the interrupt shadow covers the next instruction only"),
    PUSHF("pushf", List.of(), false, "push the flags word"),
    POPF("popf", List.of(), false, "restore if from the popped flags word"),
    SWAPGS("swapgs", List.of(), false, "toggle gs"),
    SET_MODE("set_mode", List.of("kernel", "app"), true, "UKL flag := 1 / 2 (no effect on non-UKL threads)"),
    SAVE_SP("save_sp", List.of(), false, "per-CPU scratch := (this thread, SP)"),
    LOAD_SP("load_sp", List.of(), false, "SP := scratch (SCRATCH_CLOBBER if another thread wrote it since)"),
    SWITCH_STACK("switch_stack", List.of("task", "app", "app_ret"), false, "SP := top of this thread's task stack / back to the app stack (an interrupt's frame becomes a return address and flags word below the interrupted SP; app_ret: a return address only, for sti; ret without popf)"),
    PUSH_REGS("push_regs", List.of(), false, "push the pt_regs frame on the current stack"),
    POP_REGS("pop_regs", List.of(), false, "pop the pt_regs frame"),
    SYNC_REGS("sync_regs", List.of(), true, "move the frame on the current stack to the top of the task stack"),
    CLASSIFY("classify", List.of("cs", "mode", "paranoid"), false, "from_user := CS RPL 3 / mode = 2 / GS says user"),
    FAKE_CS("fake_cs", List.of(), false, "UKL error_entry: movq $0xC3, CS+8(%rsp): the frame's CS reads as user (RPL 3) to C code"),
    FIX_CS("fix_cs", List.of(), false, "UKL error_return: a CS of 0xC3 in the frame becomes 0x10 again before the return"),
    CT_EXIT("ct_exit", List.of(), true, "context tracking user -> kernel"),
    CT_ENTER("ct_enter", List.of(), true, "context tracking kernel -> user"),
    BODY("body", List.of(), true, "run the kernel body of the current syscall or shortcut"),
    HANDLE("handle", List.of(), true, "run the vector's handler"),
    EXIT_WORK("exit_work", List.of(), true, "exit_to_user_mode_loop: schedule / deliver signals with if = 1, then cli"),
    PREEMPT_CHECK("preempt_check", List.of(), true, "kernel-mode irq exit: with PREEMPT=full, schedule if needed"),
    DF_TO_PF("df_to_pf", List.of(), false, "UKL: run exc_pf for this #DF on the current (DF IST) stack"),
    NMI_ENTER("nmi_enter", List.of(), false, "asm_exc_nmi from kernel: a nested NMI redirects the outer one's iret frame to repeat_nmi and returns; else first_nmi/repeat_nmi set \"NMI executing\""),
    NMI_EXIT("nmi_exit", List.of(), false, "nmi_restore: std; clear \"NMI executing\" (the iret that follows may go to repeat_nmi)"),
    BYPASS_CHECK("bypass_check", List.of(), true, "the UKL_BYP counter rule"),
    SET_BYPASS("set_bypass", List.of(), true, "set the bypass condition without consulting the counter"),
    RUN("run", List.of("<path>"), false, "run another named path as a subroutine"),
    RET("ret", List.of(), false, "pop the return address; resume the app code that called or was interrupted"),
    IRET("iret", List.of(), false, "atomically restore SP, if, cpl from the frame; clears nmiBlocked"),
    SYSRET("sysret", List.of(), false, "cpl := 3, if := 1, SP := user stack"),
    FORK_FIX("fork_fix", List.of(), false, "the fork fix: when the child's pt_regs CS is not a real user's and its stack is the copy of the parent's, pt_regs->sp += 0x10 drops the return address and flags word the parent's UKL entry pushed"),
    EXEC_FIX("exec_fix", List.of(), false, "the exec fix: when a kernel thread's exec gave its pt_regs a CS that is not a real user's, pt_regs->sp -= 0x10, for the fork fix after it to add back"),
    RAISE("raise", List.of("<vector>"), false, "a synchronous exception (ud2, int $n, or the instruction that faults) of a vector the path file declares: the CPU delivers it here, on its IST stack or the current one, and its iret resumes the next op"),
    PANIC("panic", List.of(), true, "the kernel panics here"),
    NOP("nop", List.of(), false, "one instruction that changes nothing (a placeholder, or one more instruction boundary in a window)");

    public final String word;
    /** The allowed argument words; empty if the op takes none; {@code <path>} for a path name, {@code <vector>} for a declared vector's. */
    public final List<String> args;
    public final String summary;
    /** True when the op stands for a C function (or glibc C code): more than one instruction. */
    public final boolean cCode;

    Op(String word, List<String> args, boolean cCode, String summary) {
        this.word = word;
        this.args = args;
        this.cCode = cCode;
        this.summary = summary;
    }

    public boolean takesArg() { return !args.isEmpty(); }

    public static Op byWord(String w) {
        for (Op o : values()) if (o.word.equals(w)) return o;
        return null;
    }

    public static String allWords() {
        StringBuilder sb = new StringBuilder();
        for (Op o : values()) { if (sb.length() > 0) sb.append(", "); sb.append(o.word); }
        return sb.toString();
    }
}
