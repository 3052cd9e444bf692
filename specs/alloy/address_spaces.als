module address_spaces

/*
 * Model 1 (issue 5): which stacks live in which half of the address space, and which page tables
 * map them on which CPU. The sequential twin is Machine's IPI handler check (specs/Kernel.tla's
 * HandleIpi): UNHANDLED_KERNEL_FAULT when the IPI data sits on a stack the loaded page tables do
 * not map.
 *
 * Sources: dissertation §5.10 (UKL_NSS: the kernel runs syscalls on the app stack, which lives in
 * the app's user half; a TLB-shootdown IPI's data is left on that stack; UKL_NSS_PS: app stacks
 * are pinned in the kernel half, mapped everywhere), §4.2 (one UKL process; ordinary processes may
 * co-run). Linux: every mm's page tables share the kernel half; the user half is the mm's own.
 */

// ---------------------------------------------------------------- configuration

abstract sig Option {}
/** §5.10 stack sharing: NSS (app stack in the user half), NSS_PS (pinned shared stacks). */
one sig NSS, NSS_PS extends Option {}

one sig Config {
  options: set Option
}

// The two stack-sharing options are two ways to do one thing (MODEL.md §5: a contradiction).
fact one_stack_sharing_option {
  not (NSS + NSS_PS in Config.options)
}

// ---------------------------------------------------------------- static structure

sig Cpu {
  var running: lone Thread,    -- the thread on the CPU now; none = idle
  var loaded: lone Mm          -- the page tables in CR3
}

sig Mm {}                      -- an address space: its page tables map its user half + the kernel half

abstract sig Half {}
one sig UserHalf, KernelHalf extends Half {}

abstract sig Thread {
  mm: lone Mm,                 -- none for kernel threads
  may_run_on: some Cpu         -- its CPU affinity: where the scheduler may put it
}
sig UklThread extends Thread {}        -- a thread of the one app linked into the kernel
sig OrdinaryThread extends Thread {}   -- a thread of an ordinary ring-3 process
sig KernelThread extends Thread {}

abstract sig Stack {
  half: one Half,
  space: lone Mm               -- the mm whose user half holds it (user-half stacks only)
}
/** A thread's user stack; for a UKL thread, the app stack. */
sig AppStack extends Stack { app_of: one Thread }
/** The per-thread kernel stack (task stack). */
sig TaskStack extends Stack { task_of: one Thread }
/** §5.10 UKL_NSS_PS: a UKL thread's stack, pinned in the kernel half. */
sig PinnedStack extends Stack { pinned_of: one UklThread }

// Every kernel-entered thread has exactly one task stack; user threads one user stack.
fact stacks_per_thread {
  all t: Thread | one task_of.t
  all t: UklThread + OrdinaryThread | one app_of.t
  no app_of.KernelThread
  all t: UklThread | (NSS_PS in Config.options) iff one pinned_of.t
}

// App stacks live in the owner's user half; task and pinned stacks in the kernel half (§5.10).
fact stack_halves {
  all s: AppStack | s.half = UserHalf and s.space = s.app_of.mm
  all s: TaskStack + PinnedStack | s.half = KernelHalf and no s.space
}

// The app is one process (§4.2): its threads share one mm. Ordinary processes have their own mm;
// kernel threads have none.
fact address_spaces {
  all t: UklThread + OrdinaryThread | one t.mm
  no KernelThread.mm
  lone UklThread.mm
  no UklThread.mm & OrdinaryThread.mm
}

// ---------------------------------------------------------------- derived

/** Whether the page tables loaded on c map stack s: the kernel half always, a user half only
 *  when it is the loaded mm's. */
pred mapped[s: Stack, c: Cpu] {
  s.half = KernelHalf or s.space in c.loaded
}

/** The stack a thread's syscall body runs on, where a TLB shootdown leaves its IPI data (§5.10). */
fun body_stack[t: Thread]: one Stack {
  (t in UklThread and NSS in Config.options) => app_of.t
  else (t in UklThread and NSS_PS in Config.options) => pinned_of.t
  else task_of.t
}

/** The stack a UKL thread's app code runs on. */
fun app_stack[t: UklThread]: one Stack {
  (NSS_PS in Config.options) => pinned_of.t else app_of.t
}

// ---------------------------------------------------------------- behaviour

// No thread runs on two CPUs, and only where its affinity allows.
fact running_well_formed {
  always all t: Thread | lone running.t
  always all c: Cpu | c.running in may_run_on.c
}

// At boot every CPU runs on the kernel's page tables, which the UKL process shares (§5.10: "UKL
// shares the kernel's page tables").
fact boot_page_tables {
  all c: Cpu | c.loaded = UklThread.mm
}

/** The scheduler puts t on c (t may have migrated from elsewhere). switch_mm loads t's page
 *  tables; a kernel thread keeps the previous ones (Linux's lazy TLB; Machine.switchTo does the
 *  same). */
pred switch_to[c: Cpu, t: Thread] {
  // guard
  c in t.may_run_on
  no running.t
  // effect
  c.running' = t
  c.loaded' = (some t.mm => t.mm else c.loaded)
  // frame
  all d: Cpu - c | d.running' = d.running and d.loaded' = d.loaded
}

/** c goes idle: the idle task is a kernel thread, so the page tables stay (lazy TLB). */
pred go_idle[c: Cpu] {
  // guard
  some c.running
  // effect
  no c.running'
  // frame
  loaded' = loaded
  all d: Cpu - c | d.running' = d.running
}

pred stutter {
  running' = running
  loaded' = loaded
}

fact traces {
  always (stutter or some c: Cpu, t: Thread | switch_to[c, t] or some c: Cpu | go_idle[c])
}

// ---------------------------------------------------------------- claims

/** A TLB-shootdown IPI sent by the thread on c is handled on every other CPU, whose handler reads
 *  the data left on the sender's body stack: it must be mapped there (§5.10). */
pred ipi_data_mapped {
  always all c: Cpu, t: c.running, d: Cpu - c | mapped[body_stack[t], d]
}

/** A UKL thread's app stack is mapped on every CPU it may migrate to, whenever it runs there. */
pred app_stack_reachable {
  always all t: UklThread, c: t.may_run_on | c.running = t implies mapped[app_stack[t], c]
}

/** With NSS_PS, a UKL thread's stack is mapped on every CPU at every moment, whoever runs there. */
pred pinned_stacks_mapped_everywhere {
  NSS_PS in Config.options implies always all t: UklThread, c: Cpu | mapped[app_stack[t], c]
}

/** NSS with an ordinary process co-running: the IPI data is not mapped (fails; §5.10). */
check nss_ipi_data_with_corunner {
  (Config.options = NSS and some OrdinaryThread) implies ipi_data_mapped
} for 3 but 2 Cpu, 3 Thread, 4 Stack, 4 steps expect 1

/** NSS with no ordinary process anywhere: every mm loaded is the app's (holds). */
check nss_ipi_data_without_corunner {
  (Config.options = NSS and no OrdinaryThread) implies ipi_data_mapped
} for 3 but 2 Cpu, 3 Thread, 4 Stack, 4 steps expect 0

/** NSS_PS with an ordinary process co-running: pinned stacks are in the kernel half (holds). */
check nss_ps_ipi_data_with_corunner {
  (Config.options = NSS_PS) implies ipi_data_mapped
} for 3 but 2 Cpu, 3 Thread, 5 Stack, 4 steps expect 0

/** Without stack sharing, syscall bodies run on task stacks in the kernel half (holds). */
check no_sharing_ipi_data {
  (no Config.options) implies ipi_data_mapped
} for 3 but 2 Cpu, 3 Thread, 4 Stack, 4 steps expect 0

check app_stack_reachable_on_migration {
  app_stack_reachable
} for 3 but 2 Cpu, 3 Thread, 5 Stack, 4 steps expect 0

check pinned_stacks_everywhere {
  pinned_stacks_mapped_everywhere
} for 3 but 2 Cpu, 3 Thread, 5 Stack, 4 steps expect 0

/** The claims are not vacuous: an NSS system with a UKL thread and an ordinary process on two
 *  CPUs, where the ordinary one migrates, exists. */
run nss_with_corunner_exists {
  Config.options = NSS
  some Cpu.running & UklThread
  eventually some Cpu.running & OrdinaryThread
} for 3 but 2 Cpu, 3 Thread, 4 Stack, 4 steps expect 1
