package ukl.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundled workloads (MODEL.md section 3): what app threads do, the kernel bodies their
 * syscalls and shortcuts run, and default bounds. Programs loop forever; bounds come from event
 * budgets and the finite machine.
 */
public record Workload(String name, String description, List<AppOp> app, Map<String, List<BodyOp>> bodies,
                       int cpus, int threads, boolean coRunner, Map<Event, Integer> events, List<AppOp> coApp,
                       boolean nmiReadsUser, List<AppOp> handler, boolean exec) {

    public enum AppKind { SYSCALL, SHORTCUT, GROW_STACK, REDZONE, COMPUTE, IDLE }

    public record AppOp(AppKind kind, String body, boolean wrapped) {
        public String render() {
            return switch (kind) {
                case SYSCALL -> "syscall " + body;
                case SHORTCUT -> "shortcut " + body + (wrapped ? " wrapped" : " bare");
                case GROW_STACK -> "grow_stack";
                case REDZONE -> "redzone";
                case COMPUTE -> "compute";
                case IDLE -> "idle";
            };
        }
    }

    /**
     * COPY_USER: copy_to_user() into the thread's user buffer, which faults the first time (a #PF
     * from kernel mode on a user page, fault.c do_user_addr_fault). KSTACK_OVERFLOW: a call chain
     * deeper than the task stack; on a task or IST stack it runs into the guard page below it.
     * ALLOC: a GFP_KERNEL allocation, which may sleep in reclaim: schedule(). CLONE_REGS:
     * copy_thread copies the parent's pt_regs into the child (issue 13; see Machine.execBody).
     * FORK_REGS: the same for fork (no CLONE_VM, no new stack): the child's stack is the copy of
     * the parent's, and pt_regs->sp points into it.
     * SIGRETURN: rt_sigreturn's restore_sigcontext, which loads pt_regs from the signal frame on
     * the app stack (arch/x86/kernel/signal.c), so the syscall's return resumes the interrupted context.
     * UKL_EXEC: kernel_execve's check_ukl_exec, for the configured UKL program enter_ukl_kernel()
     * (mode 1; the RFC patch to fs/exec.c). START_THREAD: start_thread_common
     * (arch/x86/kernel/process_64.c): for a UKL thread regs->cs = __KERNEL_CS, else __USER_CS;
     * regs->sp = the new stack, regs->flags = X86_EFLAGS_IF (issue 13, exec).
     */
    public enum BodyKind { LOCK, UNLOCK, SPIN_LOCK, SPIN_UNLOCK, TOUCH_APP_STACK, SLEEP, RCU_LOCK, RCU_UNLOCK, SEND_IPI, COPY_USER, KSTACK_OVERFLOW, ALLOC, CLONE_REGS, FORK_REGS, SIGRETURN, UKL_EXEC, START_THREAD }

    public record BodyOp(BodyKind kind) {
        public String render() {
            return switch (kind) {
                case LOCK -> "lock mmap_lock";
                case UNLOCK -> "unlock mmap_lock";
                default -> kind.name().toLowerCase();
            };
        }
    }

    public static final int UNBOUNDED = -1;

    private static AppOp sys(String b) { return new AppOp(AppKind.SYSCALL, b, false); }
    private static AppOp op(AppKind k) { return new AppOp(k, null, false); }
    private static BodyOp b(BodyKind k) { return new BodyOp(k); }

    /** Every body a workload may name. getppid reads current->real_parent under rcu_read_lock (kernel/sys.c); tcp_sendmsg holds the socket spinlock and an RCU read-side section. */
    public static final Map<String, List<BodyOp>> BODIES = Map.ofEntries(
            Map.entry("getppid", List.of(b(BodyKind.RCU_LOCK), b(BodyKind.RCU_UNLOCK))),
            Map.entry("mmap", List.of(b(BodyKind.LOCK), b(BodyKind.TOUCH_APP_STACK), b(BodyKind.UNLOCK))),
            Map.entry("read", List.of(b(BodyKind.SLEEP))),
            Map.entry("spin", List.of(b(BodyKind.SPIN_LOCK), b(BodyKind.SPIN_UNLOCK))),
            Map.entry("tcp_sendmsg", List.of(b(BodyKind.SPIN_LOCK), b(BodyKind.RCU_LOCK), b(BodyKind.RCU_UNLOCK), b(BodyKind.SPIN_UNLOCK))),
            Map.entry("munmap", List.of(b(BodyKind.SEND_IPI))),
            // A syscall with a deep kernel call chain: its frames need a fresh stack page (§5.11).
            Map.entry("deep", List.of(b(BodyKind.TOUCH_APP_STACK))),
            // read() into a buffer the app has not touched yet: copy_to_user faults in the kernel.
            Map.entry("read_user", List.of(b(BodyKind.COPY_USER))),
            // A kernel bug or a too-deep call chain: the task stack overflows into its guard page.
            Map.entry("overflow", List.of(b(BodyKind.KSTACK_OVERFLOW))),
            // clone(CLONE_UKL) for pthread_create: copy_process allocates the child (dup_task_struct,
            // GFP_KERNEL: may sleep), then copy_thread copies the parent's pt_regs.
            Map.entry("clone", List.of(b(BodyKind.ALLOC), b(BodyKind.CLONE_REGS))),
            // fork() (glibc _Fork: the clone syscall with SIGCHLD, no CLONE_VM, no new stack): the
            // child's mm is a copy of the parent's, so its stack holds what the parent's had,
            // including what the UKL entry pushed there (issue 13, item 4).
            Map.entry("fork", List.of(b(BodyKind.ALLOC), b(BodyKind.FORK_REGS))),
            // kernel_execve of the UKL program from kernel_init (dissertation §5.7: "The UKL process is
            // started by invoking exec with a program name specified by a configuration option"):
            // check_ukl_exec sets mode 1 first, bprm_mm_init's allocations may sleep, start_thread
            // writes the new pt_regs last.
            Map.entry("exec", List.of(b(BodyKind.UKL_EXEC), b(BodyKind.ALLOC), b(BodyKind.START_THREAD))),
            // The signal restorer's syscall (glibc __restore_rt: mov $15, %eax; syscall).
            Map.entry("rt_sigreturn", List.of(b(BodyKind.SIGRETURN))));

    /** Bodies whose glibc wrapper never bypasses (UKL-CODE-NOTES "Bypass": syscall(), clone, vfork, the signal restorer). */
    public static final java.util.Set<String> FULL_PATH_ONLY = java.util.Set.of("clone", "fork", "rt_sigreturn", "exec");

    /** What a co-running ordinary process does: computes and makes an ordinary syscall. */
    public static final List<AppOp> CO_RUNNER = List.of(op(AppKind.COMPUTE), sys("getppid"));

    public static final Map<String, Workload> ALL;

    static {
        Map<String, Workload> m = new LinkedHashMap<>();
        add(m, "getppid", "a loop of getppid() syscalls (body: rcu_read_lock, read current->real_parent, rcu_read_unlock)", List.of(sys("getppid")),
                1, 1, false, Map.of(Event.TIMER, 1, Event.NMI, 1, Event.SIGNAL, 1));
        add(m, "stack-grow", "the app stack grows into an unmapped page, then a syscall",
                List.of(op(AppKind.GROW_STACK), op(AppKind.COMPUTE), sys("getppid")),
                1, 1, false, Map.of(Event.TIMER, 1, Event.NMI, 1));
        add(m, "mmap", "mmap(): body takes mmap_lock for write, touches the app stack, unlocks",
                List.of(sys("mmap")), 1, 1, false, Map.of(Event.TIMER, 1, Event.NMI, 1));
        add(m, "blocking-read", "read() that sleeps until a WAKEUP", List.of(sys("read")),
                1, 1, false, Map.of(Event.TIMER, 1, Event.WAKEUP, UNBOUNDED, Event.SIGNAL, 1));
        add(m, "spinlock-syscall", "a syscall whose body holds a spinlock across a window", List.of(sys("spin")),
                1, 1, false, Map.of(Event.TIMER, 1, Event.NMI, 1));
        add(m, "shortcut-wrapped", "§5.13 direct call of tcp_sendmsg between exit_user()/enter_user()",
                List.of(new AppOp(AppKind.SHORTCUT, "tcp_sendmsg", true)), 1, 1, false, Map.of(Event.TIMER, 1, Event.NMI, 1));
        add(m, "shortcut-bare", "§5.13 direct call of tcp_sendmsg without exit_user()/enter_user()",
                List.of(new AppOp(AppKind.SHORTCUT, "tcp_sendmsg", false)), 1, 1, false, Map.of(Event.TIMER, 1, Event.NMI, 1));
        add(m, "compute", "app computation only (uses the red zone when built with APP_REDZONE)",
                List.of(op(AppKind.COMPUTE), op(AppKind.REDZONE)), 1, 1, false, Map.of(Event.TIMER, UNBOUNDED, Event.NMI, 1));
        add(m, "tlb-shootdown", "munmap(): body sends a TLB-shootdown IPI to every other CPU and waits",
                List.of(sys("munmap")), 2, 1, true, Map.of(Event.TIMER, 1));
        // Two threads of one process (one mm, one mmap_lock), one per CPU. Each first makes a syscall
        // with a deep kernel call chain, then mmap. Under NSS the deep chain's frames reach below the
        // app's mapped stack pages: a kernel-mode stack fault whose handler needs mmap_lock (§5.11),
        // which the other thread may hold. Which stack the handler then sleeps on is what PF_SS and
        // PF_DF decide.
        add(m, "deep-mmap", "two threads of one process on two CPUs: a deep-stack syscall, then mmap()",
                List.of(sys("deep"), sys("mmap")), 2, 2, false, new java.util.EnumMap<>(Event.class));   // no events: two CPUs interleave enough
        // issue 12: a kernel-mode #PF on a user page, for the UKL thread and for a co-running
        // ordinary process that does the same read().
        add(m, "read-user", "read() whose body copies to an unfaulted user buffer (copy_to_user faults in the kernel)",
                List.of(sys("read_user")), 1, 1, false, Map.of(Event.TIMER, 1), List.of(op(AppKind.COMPUTE), sys("read_user")));
        // issue 12: perf sampling. The NMI handler walks the interrupted thread's user stack with
        // copy_from_user_nmi (arch/x86/events/core.c perf_callchain_user), here a page not faulted
        // in: a #PF inside the NMI handler, whose iret unmasks NMIs (the case entry_64.S's
        // nested-NMI logic exists for).
        m.put("perf-getppid", withNmiRead(add(m, "perf-getppid", "computation and getppid() sampled by perf: the NMI handler reads an unfaulted user page (copy_from_user_nmi)",
                List.of(op(AppKind.COMPUTE), sys("getppid")), 1, 1, false, Map.of(Event.NMI, 2))));
        // issue 13: pthread_create's clone on a CPU shared with an ordinary process. Under
        // CONFIG_UKL_SAME_STACK the parent's pt_regs reach copy_thread through the per-CPU TSS_sp2
        // slot (entry_64.S ukl_entry_SYSCALL_64); copy_process may sleep before it reads them.
        add(m, "clone", "clone() of a UKL thread (pthread_create): copy_process may sleep, then copy_thread takes the parent's pt_regs; a co-running process shares the CPU",
                List.of(sys("clone")), 1, 1, true, Map.of(Event.TIMER, 1));
        // issue 13, item 4: fork of the UKL process. Its child starts from a copy of the parent's
        // stack, where the UKL entry's call and pushf left a return address and a flags word above
        // pt_regs->sp; 5.14's ret_from_fork and 6.x's copy_thread drop them (the "fork fix").
        add(m, "fork", "fork() of a UKL process: the child's stack is a copy of the parent's, with the return address and flags the UKL entry pushed; its first return must drop them",
                List.of(sys("fork")), 1, 1, false, Map.of(Event.TIMER, 1));
        // issue 13, item 4: a signal with a handler in the fork child's first exit work. On 5.14
        // the fork fix comes after exit work, so it moves pt_regs->sp 16 bytes into the signal
        // frame setup_rt_frame wrote there; 6.x fixes childregs->sp in copy_thread, before.
        add(m, "fork-signal", "fork() as in workload fork, with a signal whose handler calls getppid(): delivered in the child's first exit work, before (6.x) or after (5.14) the fork fix",
                List.of(sys("fork")), 1, 1, false, Map.of(Event.SIGNAL, 1), CO_RUNNER, List.of(sys("getppid")));
        // issue 13: signals with a handler. exit_work delivers the signal by writing a frame on the
        // app stack (get_sigframe: regs->sp - 128, below the red zone) and returning to the handler;
        // the handler's restorer calls rt_sigreturn, always through the full path. The timer lands in
        // the mmap body; in ukl-5.14 a bypassed body still holds mmap_lock when the handler runs.
        // The deep-stack syscall first maps the page below the app's own (§5.11), in the app and in
        // the handler, so a bypassed mmap body's stack use does not fault while it holds mmap_lock
        // (that is workload mmap's hazard, not the signal's).
        add(m, "signal-mmap", "a deep-stack syscall, then mmap(), with a signal whose handler does the same: delivered from a timer inside the mmap body, the handler needs the mmap_lock the body holds",
                List.of(sys("deep"), sys("mmap")), 1, 1, false, Map.of(Event.TIMER, 1, Event.SIGNAL, 1), CO_RUNNER, List.of(sys("deep"), sys("mmap")));
        add(m, "signal-getppid", "computation (red zone in use under APP_REDZONE) and getppid() with a signal whose handler calls getppid(): the signal frame goes on the app stack below the red zone",
                List.of(op(AppKind.COMPUTE), op(AppKind.REDZONE), sys("getppid")), 1, 1, false, Map.of(Event.TIMER, 1, Event.SIGNAL, 1), CO_RUNNER, List.of(sys("getppid")));
        // issue 13, item 4: exec of the UKL program. The app thread starts as the kernel thread
        // (kernel_init) in ret_from_fork's kernel-thread branch, whose thread function execs the
        // program; the branch then takes ret_from_fork's return to the app. 5.14 subtracts 0x10
        // from pt_regs->sp there because the fork fix that follows adds it back (exec's pt_regs
        // have CS RPL 0 and si = 0, as a fork child's). Exec resets the signal actions, so a
        // signal in this first exit work has no handler to run.
        m.put("exec", withExec(add(m, "exec", "kernel_init execs the UKL program (kernel_execve): mode 0, then 1 (check_ukl_exec), then 2 at the first return through ret_from_fork's kernel-thread branch",
                List.of(op(AppKind.COMPUTE)), 1, 1, false, Map.of(Event.TIMER, 1, Event.NMI, 1, Event.SIGNAL, 1))));
        add(m, "kstack-overflow", "a syscall whose kernel call chain overflows the task stack into its guard page",
                List.of(sys("overflow")), 1, 1, false, new java.util.EnumMap<>(Event.class));
        ALL = java.util.Collections.unmodifiableMap(m);
    }

    private static Workload add(Map<String, Workload> m, String n, String d, List<AppOp> app, int cpus, int threads,
                            boolean co, Map<Event, Integer> ev) {
        return add(m, n, d, app, cpus, threads, co, ev, CO_RUNNER);
    }

    private static Workload add(Map<String, Workload> m, String n, String d, List<AppOp> app, int cpus, int threads,
                            boolean co, Map<Event, Integer> ev, List<AppOp> coApp) {
        return add(m, n, d, app, cpus, threads, co, ev, coApp, List.of());
    }

    /** The app's signal handler program, empty when the signal's action is to be ignored (no frame). */
    public boolean hasHandler() { return !handler.isEmpty(); }

    private static Workload withNmiRead(Workload w) {
        return new Workload(w.name, w.description, w.app, w.bodies, w.cpus, w.threads, w.coRunner, w.events, w.coApp, true, w.handler, w.exec);
    }

    /** Its app threads start as the kernel thread that execs the program (body exec, run by ret_from_fork). */
    private static Workload withExec(Workload w) {
        Map<String, List<BodyOp>> bodies = new LinkedHashMap<>(w.bodies);
        bodies.put("exec", BODIES.get("exec"));
        return new Workload(w.name, w.description, w.app, bodies, w.cpus, w.threads, w.coRunner, w.events, w.coApp, w.nmiReadsUser, w.handler, true);
    }

    private static Workload add(Map<String, Workload> m, String n, String d, List<AppOp> app, int cpus, int threads,
                            boolean co, Map<Event, Integer> ev, List<AppOp> coApp, List<AppOp> handler) {
        Map<String, List<BodyOp>> bodies = new LinkedHashMap<>();
        for (AppOp o : handler) if (o.body() != null) bodies.put(o.body(), BODIES.get(o.body()));
        if (!handler.isEmpty()) bodies.put("rt_sigreturn", BODIES.get("rt_sigreturn"));
        for (AppOp o : app) if (o.body() != null) bodies.put(o.body(), BODIES.get(o.body()));
        for (AppOp o : coApp) if (o.body() != null) bodies.put(o.body(), BODIES.get(o.body()));
        java.util.EnumMap<Event, Integer> events = new java.util.EnumMap<>(Event.class);
        events.putAll(ev);
        Workload w = new Workload(n, d, app, bodies, cpus, threads, co, events, coApp, false, handler, false);
        m.put(n, w);
        return w;
    }
}
