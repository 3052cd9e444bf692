package ukl.model;

/**
 * An activation packed in an int: what a thread is running at one nesting level (app code, a
 * path, a kernel body) and where. Bits: kind 0-1, code 2-7, pc 8-15, vec 16-19, hw 20,
 * fromUser 21, scratchPending 22, fromCpl3 23, body 24-27, bypassed 28, ipiSent 29, phase 30-31.
 * Every bit is used, so an activation may be negative: the state encoding writes it as an
 * unsigned varint. vec has 4 bits for the 7 built-in vectors and up to 8 a path file declares.
 */
final class Act {
    private Act() {}

    /** HANDLER: app code of a signal handler, run above the context the signal interrupted (issue 13). */
    static final int APP = 0, PATH = 1, BODY = 2, HANDLER = 3;
    static boolean appCode(int a) { return kind(a) == APP || kind(a) == HANDLER; }

    static int make(int kind, int code, int pc, int vec, boolean hw, boolean fromCpl3, int body) {
        return kind | code << 2 | pc << 8 | vec << 16 | (hw ? 1 << 20 : 0) | (fromCpl3 ? 1 << 23 : 0) | body << 24;
    }

    static int kind(int a) { return a & 3; }
    static int code(int a) { return (a >> 2) & 63; }
    static int pc(int a) { return (a >> 8) & 255; }
    static int withPc(int a, int pc) { return (a & ~(255 << 8)) | pc << 8; }
    /** Vector ordinal + 1, or 0 when this activation was not started by a vector. */
    static int vec(int a) { return (a >> 16) & 15; }
    static boolean hw(int a) { return (a & 1 << 20) != 0; }
    static boolean fromUser(int a) { return (a & 1 << 21) != 0; }
    static int withFromUser(int a, boolean v) { return v ? a | 1 << 21 : a & ~(1 << 21); }
    static boolean scratchPending(int a) { return (a & 1 << 22) != 0; }
    static int withScratchPending(int a, boolean v) { return v ? a | 1 << 22 : a & ~(1 << 22); }
    static boolean fromCpl3(int a) { return (a & 1 << 23) != 0; }
    static int withFromCpl3(int a, boolean v) { return v ? a | 1 << 23 : a & ~(1 << 23); }
    /** Body index + 1, or 0. */
    static int body(int a) { return (a >> 24) & 15; }
    /** A kernel body entered through a bypass: its return clears the thread's bypass condition. */
    static boolean bypassed(int a) { return (a & 1 << 28) != 0; }
    static int withBypassed(int a, boolean v) { return v ? a | 1 << 28 : a & ~(1 << 28); }
    /** send_ipi has sent its IPIs and waits for the acks. */
    static boolean ipiSent(int a) { return (a & 1 << 29) != 0; }
    static int withIpiSent(int a, boolean v) { return v ? a | 1 << 29 : a & ~(1 << 29); }
    /** How far a multi-step op (the #PF handler) has got: 0 not started. */
    static int phase(int a) { return (a >>> 30) & 3; }
    static int withPhase(int a, int p) { return (a & ~(3 << 30)) | p << 30; }
}
