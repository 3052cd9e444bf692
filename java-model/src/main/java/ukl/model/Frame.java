package ukl.model;

/**
 * A live frame on a stack, packed in an int. Bits: kind 0-2, owner thread 3-6, depth of the
 * owning activation 7-11, saved if 12, saved cpl==3 13, saved SP stack id 14-21, fake CS 22,
 * bit 23: red zone live (SIG), or pt_regs->si = 0 (REGS of a fork child: clone's new-stack
 * argument was 0, which 5.14's ret_from_fork tests before its fork fix).
 * A hardware frame's CS is 0x10 (kernel), 0x33 (a real user: cpl3) or 0xC3, the fake CS UKL's
 * error_entry writes over a mode-2 frame so that C code's user_mode(regs) is true; error_return
 * puts 0x10 back before the return (entry_64.S, UKL-CODE-NOTES "The mode flag").
 * RET(d): a return address whose {@code ret} resumes depth d. HW(d): the hardware frame of the
 * interrupt activation at depth d (resumes d-1). FLAGS, REGS (pt_regs), DATA (IPI data).
 * SIG: a signal frame (struct rt_sigframe) written by setup_rt_frame; it holds the interrupted
 * context rt_sigreturn restores: its IF, and whether its leaf function's red zone was live.
 */
final class Frame {
    private Frame() {}

    /** GAP: a word below the top of an exec'd program's new stack, which 5.14's exec fix reserves and its fork fix drops. */
    static final int RET = 1, HW = 2, FLAGS = 3, REGS = 4, DATA = 5, SIG = 6, GAP = 7;
    private static final String[] NAMES = {"?", "RET", "HW", "FLAGS", "REGS", "DATA", "SIG", "GAP"};

    static int make(int kind, int thread, int depth) { return kind | thread << 3 | depth << 7; }
    /** The same frame owned by another thread (a fork child's copy of its parent's stack). */
    static int withThread(int f, int thread) { return (f & ~(15 << 3)) | thread << 3; }
    static int hw(int thread, int depth, boolean ifl, boolean cpl3, int sp) {
        return make(HW, thread, depth) | (ifl ? 1 << 12 : 0) | (cpl3 ? 1 << 13 : 0) | sp << 14;
    }
    static int flags(int thread, int depth, boolean ifl) { return make(FLAGS, thread, depth) | (ifl ? 1 << 12 : 0); }
    static int withIfl(int f, boolean v) { return v ? f | 1 << 12 : f & ~(1 << 12); }

    static int kind(int f) { return f & 7; }
    static int thread(int f) { return (f >> 3) & 15; }
    static int depth(int f) { return (f >> 7) & 31; }
    static boolean ifl(int f) { return (f & 1 << 12) != 0; }
    static boolean cpl3(int f) { return (f & 1 << 13) != 0; }
    static int sp(int f) { return (f >> 14) & 255; }
    static boolean fakeCs(int f) { return (f & 1 << 22) != 0; }
    static boolean redZone(int f) { return (f & 1 << 23) != 0; }
    /** A fork child's pt_regs: RSI (clone's newsp) is 0, so ret_from_fork's fork fix applies (issue 13). */
    static boolean forkRegs(int f) { return kind(f) == REGS && (f & 1 << 23) != 0; }
    static int regs(int thread, int depth, boolean fork) { return make(REGS, thread, depth) | (fork ? 1 << 23 : 0); }
    static int sig(int thread, int depth, boolean redZone) { return make(SIG, thread, depth) | (redZone ? 1 << 23 : 0); }
    static int withFakeCs(int f, boolean v) { return v ? f | 1 << 22 : f & ~(1 << 22); }
    /** testb $3, CS: the RPL of the frame's CS, what user_mode(regs) and classify cs read. */
    static boolean rpl3(int f) { return cpl3(f) || fakeCs(f); }
    static String cs(int f) { return fakeCs(f) ? "0xC3" : cpl3(f) ? "0x33" : "0x10"; }

    static String render(int f, Machine m, State s) {
        String base = NAMES[kind(f)] + "(" + m.threadName(thread(f)) + ",d" + depth(f);
        if (kind(f) == HW) base += ",if=" + (ifl(f) ? 1 : 0) + ",cs=" + cs(f) + ",sp=" + m.stackName(s, sp(f));
        if (kind(f) == FLAGS) base += ",if=" + (ifl(f) ? 1 : 0);
        if (kind(f) == SIG) base += ",if=" + (ifl(f) ? 1 : 0) + (redZone(f) ? ",red zone kept" : "");
        if (forkRegs(f)) base += ",fork";
        return base + ")";
    }
}
