package ukl.model.lang;

import java.util.List;

/** The ops of the path language (MODEL.md section 4). Each runs as one atomic step. */
public enum Op {
    SYSCALL("syscall", List.of(), "hardware SYSCALL: cpl := 0, if := 0; SP unchanged"),
    CALL("call", List.of(), "push a return address on the current stack"),
    CLI("cli", List.of(), "if := 0"),
    STI("sti", List.of(), "if := 1 with a one-op interrupt shadow"),
    PUSHF("pushf", List.of(), "push the flags word"),
    POPF("popf", List.of(), "restore if from the popped flags word"),
    SWAPGS("swapgs", List.of(), "toggle gs"),
    SET_MODE("set_mode", List.of("kernel", "app"), "UKL flag := 1 / 2 (no effect on non-UKL threads)"),
    SAVE_SP("save_sp", List.of(), "per-CPU scratch := (this thread, SP)"),
    LOAD_SP("load_sp", List.of(), "SP := scratch (SCRATCH_CLOBBER if another thread wrote it since)"),
    SWITCH_STACK("switch_stack", List.of("task", "app"), "SP := top of this thread's task stack / back to the app stack"),
    PUSH_REGS("push_regs", List.of(), "push the pt_regs frame on the current stack"),
    POP_REGS("pop_regs", List.of(), "pop the pt_regs frame"),
    SYNC_REGS("sync_regs", List.of(), "move the frame on the current stack to the top of the task stack"),
    CLASSIFY("classify", List.of("cs", "mode", "paranoid"), "from_user := CS RPL 3 / mode = 2 / GS says user"),
    CT_EXIT("ct_exit", List.of(), "context tracking user -> kernel"),
    CT_ENTER("ct_enter", List.of(), "context tracking kernel -> user"),
    BODY("body", List.of(), "run the kernel body of the current syscall or shortcut"),
    HANDLE("handle", List.of(), "run the vector's handler"),
    EXIT_WORK("exit_work", List.of(), "exit_to_user_mode_loop: schedule / deliver signals with if = 1, then cli"),
    PREEMPT_CHECK("preempt_check", List.of(), "kernel-mode irq exit: with PREEMPT=full, schedule if needed"),
    DF_TO_PF("df_to_pf", List.of(), "UKL: run exc_pf for this #DF on the current (DF IST) stack"),
    BYPASS_CHECK("bypass_check", List.of(), "the UKL_BYP counter rule"),
    SET_BYPASS("set_bypass", List.of(), "set the bypass condition without consulting the counter"),
    RUN("run", List.of("<path>"), "run another named path as a subroutine"),
    RET("ret", List.of(), "pop the return address; resume the app code that called or was interrupted"),
    IRET("iret", List.of(), "atomically restore SP, if, cpl from the frame; clears nmiBlocked"),
    SYSRET("sysret", List.of(), "cpl := 3, if := 1, SP := user stack"),
    PANIC("panic", List.of(), "the kernel panics here");

    public final String word;
    /** The allowed argument words; empty if the op takes none; {@code <path>} for a path name. */
    public final List<String> args;
    public final String summary;

    Op(String word, List<String> args, String summary) {
        this.word = word;
        this.args = args;
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
