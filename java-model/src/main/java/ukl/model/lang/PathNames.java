package ukl.model.lang;

import java.util.List;

/** The named paths a preset may define (MODEL.md section 4). */
public final class PathNames {
    private PathNames() {}

    public static final List<String> ALL = List.of(
            "libc_syscall", "syscall", "irq", "exc_pf", "exc_df", "nmi", "mc", "db",
            "shortcut_enter", "shortcut_exit", "ret_from_fork");

    /** Every complete preset must define these; shortcut_* are needed only by wrapped shortcuts,
     * ret_from_fork only by workloads that clone (issue 13). */
    public static final List<String> REQUIRED = List.of(
            "libc_syscall", "syscall", "irq", "exc_pf", "exc_df", "nmi", "mc", "db");

    public static boolean known(String n) { return ALL.contains(n); }

    /** A declared vector's name (issue 14): letters, digits and '_', case ignored (names are upper-cased). */
    public static boolean vectorName(String n) { return n.matches("[A-Za-z][A-Za-z0-9_]*"); }

    /** A helper path's name: a path a file defines only for 'run' (issue 14). */
    public static boolean helperName(String n) { return n.matches("[a-z][a-z0-9_]*") && !known(n); }
}
