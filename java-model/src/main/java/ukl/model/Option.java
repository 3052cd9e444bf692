package ukl.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Configuration options (MODEL.md section 5): Table 4.1 of the dissertation plus the code's and
 * the kernel's. An option is like {@code #ifdef CONFIG_...}: paths test it with
 * {@code if option NAME:}, and a few also change what the hardware or a handler does.
 */
public enum Option {
    BYP("UKL_BYP (§4.2.2.1, §5.12): glibc bypasses entry/exit code for limit-1 of every limit syscalls"),
    NSS("UKL_NSS (§5.10; CONFIG_UKL_SAME_STACK): no switch to the task stack on syscall entry"),
    NSS_PS("UKL_NSS_PS (§5.10): no stack switch, app stacks pinned in the kernel half (dissertation only)"),
    RET("UKL_RET (§5.9): return to app code from interrupts and exceptions with popf/ret, not iret"),
    PF_DF("UKL_PF_DF (§5.11): a double fault is handled as a stack page fault on the #DF stack"),
    PF_SS("UKL_PF_SS (§5.11; CONFIG_UKL_USE_IST_PF): #PF gets its own IST stack"),
    STACK_VMA_CHECK("§5.11: a fault on the saved app-stack VMA skips mmap_lock (dissertation only)"),
    RUN_TO_COMPLETION("§4.2.2.2: the app thread is never preempted (treated as a kernel thread)"),
    NOHZ_FULL("CONFIG_NO_HZ_FULL: context tracking is live; CONTEXT_TRACKING and RCU_NOT_WATCHING are checked"),
    APP_REDZONE("app built without -mno-red-zone (§5.2): leaf code uses the 128 bytes below SP");

    public final String description;

    Option(String d) { description = d; }

    public static boolean isKnown(String n) {
        return Arrays.stream(values()).anyMatch(o -> o.name().equals(n)) || n.equals("PREEMPT");
    }

    public static String allNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ", PREEMPT=none|full";
    }
}
