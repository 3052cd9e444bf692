package ukl.model.lang;

/**
 * A condition of an {@code if}: {@code [not] from_user | bypass | need_resched | sig_pending |
 * sig_frame | option NAME}. sig_frame: pt_regs' CS is the 0xC3 that setup_rt_frame writes for a UKL
 * thread (a handler is to be entered) or that rt_sigreturn restored from an interrupt's frame.
 * kernel_thread: ret_from_fork's {@code testq %rbx, %rbx}: the task was created with a thread
 * function (kernel_init, which execs the UKL program); false in every other path.
 */
public record Cond(boolean negated, Kind kind, String option) {
    public enum Kind {
        FROM_USER("from_user"), BYPASS("bypass"), NEED_RESCHED("need_resched"), SIG_PENDING("sig_pending"), SIG_FRAME("sig_frame"), KERNEL_THREAD("kernel_thread"), OPTION("option");
        public final String word;
        Kind(String w) { word = w; }
        public static Kind byWord(String w) {
            for (Kind k : values()) if (k.word.equals(w)) return k;
            return null;
        }
    }

    public String render() {
        String base = kind == Kind.OPTION ? "option " + option : kind.word;
        return negated ? "not " + base : base;
    }
}
