package ukl.model;

/** The properties of MODEL.md section 6. */
public enum Property {
    DOUBLE_FAULT_PANIC(Kind.SAFETY, "a fault during #DF delivery (triple fault) or the kernel panics in the #DF handler"),
    MISCLASSIFIED_DF(Kind.SAFETY, "a #DF that no app-stack push raised (a task-stack overflow) is handled as an app-stack fault and resumed; #DF is an abort"),
    STACK_CLOBBER(Kind.SAFETY, "SP is reset to the top of a stack that still holds a live frame"),
    SLEEP_ON_IST(Kind.SAFETY, "schedule or sleep while a frame of this thread lives on an IST stack"),
    RED_ZONE_CLOBBER(Kind.SAFETY, "a push on an app stack whose red zone is live"),
    MODE_MISMATCH(Kind.SAFETY, "app code runs with a UKL thread's mode != 2"),
    SCHEDULE_IN_ATOMIC(Kind.SAFETY, "schedule with preemptCount > 0 or in NMI context"),
    RCU_NOT_WATCHING(Kind.SAFETY, "with NOHZ_FULL: a kernel body or handler runs while ct = USER"),
    EARLY_GRACE_PERIOD(Kind.SAFETY, "the tick reports an RCU quiescent state from user_mode(regs) while the interrupted thread is inside an RCU read-side section (non-preemptible RCU)"),
    CONTEXT_TRACKING(Kind.SAFETY, "with NOHZ_FULL: a double context-tracking transition"),
    USER_GS_IN_KERNEL(Kind.SAFETY, "kernel code (body, handler, or an op that reads current or per-CPU data) runs with the user GS"),
    SCRATCH_CLOBBER(Kind.SAFETY, "the per-CPU scratch slot was overwritten by another thread before it was read back"),
    UNHANDLED_KERNEL_FAULT(Kind.SAFETY, "the kernel reads memory not mapped in the loaded page tables, or panics outside #DF"),
    RETURN_MISMATCH(Kind.SAFETY, "ret/iret/sysret resumes a context other than the one interrupted, or an op cannot run as written"),
    BAD_RETURN_CS(Kind.SAFETY, "iret/sysret returns with a CS whose RPL is not the privilege of the context it resumes (a fake CS 0xC3 reaching iret, sysret to CPL-0 app code)"),
    NMI_BLOCKED_LEAK(Kind.SAFETY, "app code runs with NMIs blocked and no NMI handler active"),
    APP_IRQS_OFF(Kind.SAFETY, "app code runs with interrupts disabled (IF = 0): no tick, IPI or preemption reaches it until it enters the kernel again"),
    BYPASS_BOUND(Kind.SAFETY, "more than limit-1 syscalls in a row bypass entry/exit"),
    DEADLOCK(Kind.DEADLOCK, "a thread waits on a lock it or a waits-for cycle holds, or no thread can ever run again"),
    RESCHED_STARVATION(Kind.LIVENESS, "a needResched with another thread READY is never serviced (weak fairness)"),
    SIGNAL_STARVATION(Kind.LIVENESS, "a pending signal is never delivered (weak fairness)");

    public enum Kind { SAFETY, DEADLOCK, LIVENESS }

    public final Kind kind;
    public final String description;

    Property(Kind k, String d) { kind = k; description = d; }

    public static Property byName(String n) {
        for (Property p : values()) if (p.name().equals(n)) return p;
        return null;
    }
}
