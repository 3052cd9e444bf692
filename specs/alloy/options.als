module options

/*
 * Model 3 (issue 5): the options of MODEL.md §5, which combinations are contradictions (ukl check
 * rejects them as bad input, exit 2) and which requirements a sound configuration meets (breaking
 * one is accepted, and ukl check then finds the hazard as a property violation).
 *
 * The contradictions are mirrored one for one by ukl.model.OptionConstraints, which
 * Scenario.Builder calls; AlloyAgreementTest enumerates `valid_configurations` here and compares
 * the list with what OptionConstraints accepts.
 *
 * Sources: dissertation Table 4.1 and §5.2 (red zone), §5.10 (NSS, NSS_PS), §5.11 (PF_DF, PF_SS,
 * the VMA check), §4.2.2.2 (run to completion); UKL-CODE-NOTES.md (which options the code has;
 * "SMAP/SMEP are off; KASLR and page-table isolation must be off").
 */

// ---------------------------------------------------------------- vocabulary

abstract sig Preset {}
one sig Linux, UklPaper, Ukl514, UklRfc, Ukl6x extends Preset {}

/** The presets that follow the UKL code rather than the dissertation. */
fun code_presets: set Preset { Ukl514 + UklRfc + Ukl6x }
fun ukl_presets: set Preset { Preset - Linux }

abstract sig Option {}
one sig BYP, NSS, NSS_PS, RET, PF_DF, PF_SS, STACK_VMA_CHECK,
        RUN_TO_COMPLETION, NOHZ_FULL, APP_REDZONE, PREEMPT_FULL extends Option {}

/** Options only UKL has; options only the dissertation describes (not in the code). */
fun ukl_options: set Option { BYP + NSS + NSS_PS + RET + PF_DF + PF_SS + STACK_VMA_CHECK }
fun dissertation_only: set Option { NSS_PS + STACK_VMA_CHECK }

/** The options each preset has a branch for (OptionConstraints.admitted: what its paths test
 *  with `if option`, BYP where it runs bypass_check, PF_SS where its build has
 *  CONFIG_UKL_USE_IST_PF, the dissertation's VMA check in ukl-paper). Any other option would be
 *  ignored, so it is bad input (issue 12). */
fun every_preset: set Option { RUN_TO_COMPLETION + NOHZ_FULL + APP_REDZONE + PREEMPT_FULL }
fun admits: Preset -> set Option {
  Linux -> every_preset
  + UklPaper -> (every_preset + BYP + NSS + NSS_PS + RET + PF_DF + PF_SS + STACK_VMA_CHECK)
  + Ukl514 -> (every_preset + BYP + NSS + RET + PF_SS)
  + UklRfc -> every_preset
  + Ukl6x -> (every_preset + BYP + NSS + RET + PF_SS)
}

/** Kernel hardening a build may have on. */
abstract sig Hardening {}
one sig KASLR, PTI, SMAP_SMEP extends Hardening {}

abstract sig StackSize {}
one sig Growable, Bounded extends StackSize {}

one sig CoRunner {}   -- an ordinary ring-3 process running at the same time

one sig Config {
  preset: one Preset,
  options: set Option,
  hardening: set Hardening,
  co_runner: lone CoRunner,
  app_stack: one StackSize
}

// ---------------------------------------------------------------- contradictions (bad input)

pred valid {
  // §5.10: NSS and NSS_PS are two ways to share stacks.
  not (NSS + NSS_PS in Config.options)
  // §5.11: PF_DF and PF_SS are alternative stack-fault fixes.
  not (PF_DF + PF_SS in Config.options)
  // The baseline is an ordinary ring-3 process: no UKL option applies to it.
  Config.preset = Linux implies no Config.options & ukl_options
  // The code has no NSS_PS and no VMA check (UKL-CODE-NOTES).
  Config.preset in code_presets implies no Config.options & dissertation_only
  // A preset given an option it has no branch for would ignore it.
  Config.options in Config.preset.admits
  // UKL links the app at fixed kernel addresses and runs it with the kernel's page tables:
  // KASLR and page-table isolation must be off, and SMAP/SMEP too (UKL-CODE-NOTES).
  Config.preset in ukl_presets implies no Config.hardening
}

// NSS_PS's pinned stacks have a fixed size, "the largest size glibc allows application stacks to
// grow to" (§5.10): the app stack never grows. Every other configuration grows it on demand.
fact stack_size {
  Config.app_stack = (NSS_PS in Config.options => Bounded else Growable)
}

// ---------------------------------------------------------------- requirements (hazards)

/** §5.2: app code at CPL 0 must be built with -mno-red-zone (an interrupt frame is pushed on the
 *  app stack, over the red zone). ukl check: RED_ZONE_CLOBBER. */
pred no_red_zone_at_cpl0 {
  Config.preset in ukl_presets implies APP_REDZONE not in Config.options
}

/** §5.10: with NSS no ordinary process may run concurrently (IPI data on the app stack is not
 *  in its page tables). ukl check: UNHANDLED_KERNEL_FAULT. */
pred nss_runs_alone {
  NSS in Config.options implies no Config.co_runner
}

/** §5.11: when kernel frames grow a shared stack on demand, a stack fault in kernel mode needs a
 *  fix (PF_DF or PF_SS), else the #PF frame push double faults. ukl check: DOUBLE_FAULT_PANIC. */
pred shared_growable_stack_has_fault_fix {
  (NSS in Config.options and Config.app_stack = Growable) implies some Config.options & (PF_DF + PF_SS)
}

pred sound {
  valid
  no_red_zone_at_cpl0
  nss_runs_alone
  shared_growable_stack_has_fault_fix
}

// ---------------------------------------------------------------- commands

/** Enumerated by AlloyAgreementTest: the valid configurations, with Linux's default hardening. */
run valid_configurations {
  valid
  Config.hardening = (Config.preset = Linux => KASLR + PTI + SMAP_SMEP else none)
} for 1 expect 1

/** NSS_PS bounds the app stack: no valid NSS_PS configuration lets it grow. */
check nss_ps_bounds_the_stack {
  (valid and NSS_PS in Config.options) implies Config.app_stack = Bounded
} for 1 expect 0

/** Each requirement can be broken by a configuration ukl check accepts (so each is a property
 *  for ukl check to find, not an input error). */
run red_zone_hazard_is_valid { valid and not no_red_zone_at_cpl0 } for 1 expect 1
run nss_corunner_hazard_is_valid { valid and not nss_runs_alone } for 1 expect 1
run unfixed_stack_fault_hazard_is_valid { valid and not shared_growable_stack_has_fault_fix } for 1 expect 1

/** Sound configurations with stack sharing exist: in the dissertation's design even with a
 *  co-running process (NSS_PS), in the code's without one. */
run sound_sharing_with_corunner { sound and Config.preset = UklPaper and some Config.options & (NSS + NSS_PS) and some Config.co_runner } for 1 expect 1
run sound_code_sharing { sound and Config.preset in code_presets and NSS in Config.options } for 1 expect 1

/** With the code (no NSS_PS), stack sharing and a co-running process exclude each other: no sound
 *  code-preset configuration has both. */
check code_stack_sharing_excludes_corunner {
  (sound and Config.preset in code_presets and some Config.co_runner) implies no Config.options & (NSS + NSS_PS)
} for 1 expect 0

/** Stack sharing with a bounded stack needs no fault fix: NSS_PS with neither PF option is sound. */
run nss_ps_without_fault_fix_is_sound { sound and NSS_PS in Config.options and no Config.options & (PF_DF + PF_SS) } for 1 expect 1
