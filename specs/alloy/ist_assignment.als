module ist_assignment

/*
 * Model 2 (issue 5): which vectors run on which IST stack, which can nest inside which, and which
 * handlers may sleep. Nothing here changes over time, so nothing is `var`: the IDT and TSS are
 * set up at boot.
 *
 * Sources: Linux arch/x86/include/asm/page_64_types.h (IST_INDEX_DF=0, NMI=1, DB=2, MCE=3: TSS
 * ist[1..4]); dissertation §5.11 (a UKL stack fault happens in kernel mode on the app stack; the
 * #PF frame push faults again: #DF; UKL_PF_DF handles it as a page fault on the #DF stack;
 * UKL_PF_SS, CONFIG_UKL_USE_IST_PF in the code, gives #PF its own IST stack; the #PF handler
 * "acquires mmap_lock", which sleeps). Machine.java and Kernel.tla use the same table
 * (Vector.defaultIst, Vector.PF_SS_IST = 6).
 *
 * Only entries from kernel mode matter here: from user mode (and from UKL app code, §5.4) the
 * entry code leaves the IST stack first (sync_regs), so nothing sleeps or nests on it.
 */

// ---------------------------------------------------------------- configuration

abstract sig Option {}
one sig PF_SS, PF_DF, STACK_VMA_CHECK extends Option {}

one sig Config {
  options: set Option
}

// PF_DF and PF_SS are alternative stack-fault fixes (§5.11; MODEL.md §5: a contradiction).
fact pf_fixes_are_alternatives {
  not (PF_SS + PF_DF in Config.options)
}

// ---------------------------------------------------------------- stacks and vectors

abstract sig Stack {}
/** The interrupted context's own kernel stack (for a vector without an IST entry). */
one sig CurrentStack extends Stack {}
abstract sig IstStack extends Stack {}
one sig Ist1, Ist2, Ist3, Ist4, Ist6 extends IstStack {}

abstract sig Vector {
  ist: lone IstStack,            -- the IDT entry's IST index; none: push on the current stack
  handler_on: set Stack,         -- where its handler body runs when it hits kernel code
  may_interrupt: set Vector      -- the handlers this vector can arrive inside
}
one sig TIMER, IPI, PF, DF, NMI, MC, DB extends Vector {}

/** What a kernel-mode #PF may be: a UKL stack fault (§5.11), or a kernel access to user memory
 *  (copy_from_user and friends). */
abstract sig Fault {}
one sig StackFault, UserAccessFault extends Fault {}

// ---------------------------------------------------------------- the assignment

// Linux's IST table; PF_SS adds #PF on a free index (the public sources do not name it; Machine
// uses 6).
fact ist_table {
  DF.ist = Ist1
  NMI.ist = Ist2
  DB.ist = Ist3
  MC.ist = Ist4
  no (TIMER + IPI).ist
  PF.ist = (PF_SS in Config.options => Ist6 else none)
}

// An IST vector's kernel-mode handler stays on its IST stack (paranoid_entry does not switch);
// any other vector runs on the current stack. Under PF_DF, #PF handling also runs from the #DF
// handler, on the #DF stack (§5.11).
fact handler_stacks {
  all v: Vector | v.handler_on = (some v.ist => v.ist else CurrentStack)
                                + (v = PF and PF_DF in Config.options => DF.ist else none)
}

// Which handler each vector can arrive inside.
fact nesting {
  -- NMI: in any handler but its own (NMIs are blocked until iret).
  NMI.may_interrupt = Vector - NMI
  -- #MC: anywhere but in #MC (MCG_STATUS.MCIP: a second one shuts the machine down).
  MC.may_interrupt = Vector - MC
  -- #DB: a breakpoint or watchpoint in any handler's code, the NMI handler's included.
  DB.may_interrupt = Vector - DB
  -- #PF: inside a #PF handler that touches memory, and inside NMI/#MC/#DB handlers that read
  -- user memory (copy_from_user_nmi); also in the #DF handler when it does #PF handling (PF_DF).
  PF.may_interrupt = PF + NMI + MC + DB + (PF_DF in Config.options => DF else none)
  -- #DF: a fault while delivering #PF (the frame push faults: §5.11).
  DF.may_interrupt = PF
  -- Maskable interrupts: the #PF handler enables interrupts (local_irq_enable in exc_page_fault).
  TIMER.may_interrupt = PF
  IPI.may_interrupt = PF
}

/** Which #PF the handler may sleep in: a user-memory access takes mmap_lock (and may do I/O);
 *  a stack fault skips the lock when STACK_VMA_CHECK finds the saved stack VMA first (§5.11),
 *  but both allocate the page they map. */
fun sleeping_faults: set Fault {
  // Issue 12: every fault that maps a page may sleep in handle_mm_fault's page allocation
  // (arch/x86/mm/fault.c); STACK_VMA_CHECK skips mmap_lock, not that allocation.
  UserAccessFault + StackFault
}

// ---------------------------------------------------------------- claims

/** No two vectors that can nest share an IST stack: the inner one's hardware frame would reset
 *  the stack pointer to the top of the stack the outer handler is still using. */
pred no_shared_ist_nesting {
  all v: Vector, w: v.may_interrupt | no w.ist & v.handler_on
}

/** No handler that may sleep runs on an IST stack (it would schedule with its frame on a per-CPU
 *  stack that the next interrupt on this CPU reuses). */
pred no_sleep_on_ist[f: Fault] {
  f in sleeping_faults implies no PF.handler_on & IstStack
}

check linux_no_shared_ist_nesting {
  no Config.options implies no_shared_ist_nesting
} for 1 expect 0

check linux_no_sleep_on_ist {
  no Config.options implies all f: Fault | no_sleep_on_ist[f]
} for 1 expect 0

/** PF_SS: the stack fault's handler sleeps on mmap_lock on the #PF IST stack (fails). */
check pf_ss_stack_fault_sleeps_on_ist {
  Config.options = PF_SS implies no_sleep_on_ist[StackFault]
} for 1 expect 1

/** PF_DF: the stack fault's handler sleeps on mmap_lock on the #DF stack (fails). */
check pf_df_stack_fault_sleeps_on_ist {
  Config.options = PF_DF implies no_sleep_on_ist[StackFault]
} for 1 expect 1

/** PF_SS with STACK_VMA_CHECK: the stack fault no longer takes mmap_lock, but the page
 *  allocation may still sleep on the #PF IST stack (fails; before issue 12 this held). */
check pf_ss_vma_check_stack_fault {
  Config.options = PF_SS + STACK_VMA_CHECK implies no_sleep_on_ist[StackFault]
} for 1 expect 1

/** A kernel access to user memory faults to the same IST handler and sleeps (fails; the
 *  machine's counterpart is the copy_user body op, scenario k6x-read-user-pfss). */
check pf_ss_vma_check_user_access {
  Config.options = PF_SS + STACK_VMA_CHECK implies no_sleep_on_ist[UserAccessFault]
} for 1 expect 1

/** PF_SS: a #PF inside the #PF handler reloads the #PF IST stack under the outer handler (fails;
 *  no sequential counterpart: the machine's #PF handler does not touch memory itself). */
check pf_ss_nested_pf {
  Config.options = PF_SS implies no_shared_ist_nesting
} for 1 expect 1

/** PF_DF: a second stack fault inside #PF handling on the #DF stack is a #DF on that same stack
 *  (fails; same caveat). */
check pf_df_nested_df {
  Config.options = PF_DF implies no_shared_ist_nesting
} for 1 expect 1

/** Every configuration the option facts allow exists (the claims are not vacuous). */
run each_configuration_exists {
  some Config.options
} for 1 expect 1
