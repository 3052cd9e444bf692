package ukl.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One state of the machine (MODEL.md section 1). Mutable while a successor is computed, then
 * frozen into its canonical byte encoding, which is what the explorer stores and what other
 * engines' states are compared against. Fields that do not matter in a state (a running
 * thread's saved context, an empty scratch slot's SP) are kept at zero so equal machines have
 * equal encodings.
 *
 * <p>Activations and frames are packed into ints; see {@link Act} and {@link Frame}.
 */
public final class State {
    // App stack states. MODEL.md has MAPPED and FRONTIER; DEEP_* record whether the page beyond the
    // app's own pages (reached only by kernel frames on a shared stack, §5.10-5.11) is mapped.
    public static final int MAPPED = 0, FRONTIER = 1, DEEP_FRONTIER = 2, DEEP = 3;
    public static final int RUNNING = 0, READY = 1, SLEEPING = 2, LOCKWAIT = 3, DONE = 4;
    // The NMI stack's nested-NMI bookkeeping (entry_64.S asm_exc_nmi, issue 12), per CPU:
    // COPIED: the outer NMI has run first_nmi, so the "original" frame slot the CPU writes is free;
    // EXEC: the "NMI executing" variable; REP: the "iret" frame points to repeat_nmi; NEST: a nested
    // NMI's hardware frame sits in the "original" slot; DF: RFLAGS.DF, set between nmi_restore's std
    // and the outer NMI's iret.
    public static final int NMI_COPIED = 1, NMI_EXEC = 2, NMI_REP = 4, NMI_NEST = 8, NMI_DF = 16;

    final int nCpu, nThr, nStacks;
    private static final int[] EMPTY = new int[0];   // stacks are copy-on-write, so one empty array serves all

    /*
     * Every scalar field lives in one int[] (the flat layout, issue 15): a successor's copy is one
     * clone instead of forty, which was a fifth of the explorer's time (JFR, large bench rung,
     * 2026-12-07). Layout: the event budgets, then mm writers, then each per-CPU field for CPUs
     * 0..nCpu-1, then each per-thread field for threads 0..nThr-1; booleans are 0 or 1.
     * Accessors below are named after the fields they replaced (MODEL.md section 1 names them).
     */
    private static final int NEV = Event.values().length;
    private static final int C_IFL = 0;
    private static final int C_SHADOW = 1;
    private static final int C_NMIBLOCKED = 2;
    private static final int C_STORM = 3;
    private static final int C_TICK = 4;
    private static final int C_NMI = 5;
    private static final int C_CPL = 6;
    private static final int C_GS = 7;
    private static final int C_PT = 8;
    private static final int C_SP = 9;
    private static final int C_SCRATCHT = 10;
    private static final int C_SCRATCHSP = 11;
    private static final int C_CT = 12;
    private static final int C_RUNNING = 13;
    private static final int C_IPISTATE = 14;
    private static final int C_IPIFROM = 15;
    private static final int C_IPISTACK = 16;
    private static final int NCPUF = 17;
    private static final int T_MODE = 0;
    private static final int T_STATUS = 1;
    private static final int T_APPSTACK = 2;
    private static final int T_PREEMPT = 3;
    private static final int T_BYPASSCOUNT = 4;
    private static final int T_BYPASSRUN = 5;
    private static final int T_IPIWAIT = 6;
    private static final int T_SYSRETDEPTH = 7;
    private static final int T_SIGARM = 8;
    private static final int T_SIGRET = 9;
    private static final int T_SAVEDSP = 10;
    private static final int T_SAVEDIF = 11;
    private static final int T_SAVEDCPL = 12;
    private static final int T_SAVEDGS = 13;
    private static final int T_SAVEDCT = 14;
    private static final int T_REDZONE = 15;
    private static final int T_NEEDRESCHED = 16;
    private static final int T_SIGPENDING = 17;
    private static final int T_INBYPASS = 18;
    private static final int T_KSO = 19;
    private static final int T_UBUF = 20;
    private static final int T_RCU = 21;
    private static final int NTHRF = 22;

    final int nMm;
    private final int cb, tb;  // where the per-CPU and the per-thread fields start in v
    int[] v;                 // every scalar field (layout above)
    int[][] stack;           // per stack id: live frames, bottom first
    int[][] acts;            // per thread: activation stack, bottom (depth 0, app code) first

    // The fields' meanings. Global: budget per Event (remaining, -1 unbounded); mmWriter per mm
    // (thread holding mmap_lock for write, -1 none). Per CPU: tick = depth of the context a periodic
    // tick interrupted, until it steps (0 none); nmi = NMI_* bits. Per thread: sigArm = activation
    // count while exit_work's delivery waits for the return that ends it (0 none); sigRet =
    // rt_sigreturn has loaded pt_regs from the signal frame (issue 13); kso = the task stack
    // overflowed into its guard page (a #DF that is not an app-stack fault); ubuf = the user buffer
    // copy_user writes is faulted in; rcu = inside rcu_read_lock() .. rcu_read_unlock() (issue 13).
    int budget(int i) { return v[i]; }
    void setBudget(int i, int x) { v[i] = x; }
    int mmWriter(int i) { return v[NEV + i]; }
    void setMmWriter(int i, int x) { v[NEV + i] = x; }
    boolean ifl(int i) { return v[cb + C_IFL * nCpu + i] != 0; }
    void setIfl(int i, boolean x) { v[cb + C_IFL * nCpu + i] = x ? 1 : 0; }
    boolean shadow(int i) { return v[cb + C_SHADOW * nCpu + i] != 0; }
    void setShadow(int i, boolean x) { v[cb + C_SHADOW * nCpu + i] = x ? 1 : 0; }
    boolean nmiBlocked(int i) { return v[cb + C_NMIBLOCKED * nCpu + i] != 0; }
    void setNmiBlocked(int i, boolean x) { v[cb + C_NMIBLOCKED * nCpu + i] = x ? 1 : 0; }
    boolean storm(int i) { return v[cb + C_STORM * nCpu + i] != 0; }
    void setStorm(int i, boolean x) { v[cb + C_STORM * nCpu + i] = x ? 1 : 0; }
    int tick(int i) { return v[cb + C_TICK * nCpu + i]; }
    void setTick(int i, int x) { v[cb + C_TICK * nCpu + i] = x; }
    int nmi(int i) { return v[cb + C_NMI * nCpu + i]; }
    void setNmi(int i, int x) { v[cb + C_NMI * nCpu + i] = x; }
    int cpl(int i) { return v[cb + C_CPL * nCpu + i]; }
    void setCpl(int i, int x) { v[cb + C_CPL * nCpu + i] = x; }
    int gs(int i) { return v[cb + C_GS * nCpu + i]; }
    void setGs(int i, int x) { v[cb + C_GS * nCpu + i] = x; }
    int pt(int i) { return v[cb + C_PT * nCpu + i]; }
    void setPt(int i, int x) { v[cb + C_PT * nCpu + i] = x; }
    int sp(int i) { return v[cb + C_SP * nCpu + i]; }
    void setSp(int i, int x) { v[cb + C_SP * nCpu + i] = x; }
    int scratchT(int i) { return v[cb + C_SCRATCHT * nCpu + i]; }
    void setScratchT(int i, int x) { v[cb + C_SCRATCHT * nCpu + i] = x; }
    int scratchSp(int i) { return v[cb + C_SCRATCHSP * nCpu + i]; }
    void setScratchSp(int i, int x) { v[cb + C_SCRATCHSP * nCpu + i] = x; }
    int ct(int i) { return v[cb + C_CT * nCpu + i]; }
    void setCt(int i, int x) { v[cb + C_CT * nCpu + i] = x; }
    int running(int i) { return v[cb + C_RUNNING * nCpu + i]; }
    void setRunning(int i, int x) { v[cb + C_RUNNING * nCpu + i] = x; }
    int ipiState(int i) { return v[cb + C_IPISTATE * nCpu + i]; }
    void setIpiState(int i, int x) { v[cb + C_IPISTATE * nCpu + i] = x; }
    int ipiFrom(int i) { return v[cb + C_IPIFROM * nCpu + i]; }
    void setIpiFrom(int i, int x) { v[cb + C_IPIFROM * nCpu + i] = x; }
    int ipiStack(int i) { return v[cb + C_IPISTACK * nCpu + i]; }
    void setIpiStack(int i, int x) { v[cb + C_IPISTACK * nCpu + i] = x; }
    int mode(int i) { return v[tb + T_MODE * nThr + i]; }
    void setMode(int i, int x) { v[tb + T_MODE * nThr + i] = x; }
    int status(int i) { return v[tb + T_STATUS * nThr + i]; }
    void setStatus(int i, int x) { v[tb + T_STATUS * nThr + i] = x; }
    int appStack(int i) { return v[tb + T_APPSTACK * nThr + i]; }
    void setAppStack(int i, int x) { v[tb + T_APPSTACK * nThr + i] = x; }
    int preempt(int i) { return v[tb + T_PREEMPT * nThr + i]; }
    void setPreempt(int i, int x) { v[tb + T_PREEMPT * nThr + i] = x; }
    int bypassCount(int i) { return v[tb + T_BYPASSCOUNT * nThr + i]; }
    void setBypassCount(int i, int x) { v[tb + T_BYPASSCOUNT * nThr + i] = x; }
    int bypassRun(int i) { return v[tb + T_BYPASSRUN * nThr + i]; }
    void setBypassRun(int i, int x) { v[tb + T_BYPASSRUN * nThr + i] = x; }
    int ipiWait(int i) { return v[tb + T_IPIWAIT * nThr + i]; }
    void setIpiWait(int i, int x) { v[tb + T_IPIWAIT * nThr + i] = x; }
    int sysretDepth(int i) { return v[tb + T_SYSRETDEPTH * nThr + i]; }
    void setSysretDepth(int i, int x) { v[tb + T_SYSRETDEPTH * nThr + i] = x; }
    int sigArm(int i) { return v[tb + T_SIGARM * nThr + i]; }
    void setSigArm(int i, int x) { v[tb + T_SIGARM * nThr + i] = x; }
    boolean sigRet(int i) { return v[tb + T_SIGRET * nThr + i] != 0; }
    void setSigRet(int i, boolean x) { v[tb + T_SIGRET * nThr + i] = x ? 1 : 0; }
    int savedSp(int i) { return v[tb + T_SAVEDSP * nThr + i]; }
    void setSavedSp(int i, int x) { v[tb + T_SAVEDSP * nThr + i] = x; }
    int savedIf(int i) { return v[tb + T_SAVEDIF * nThr + i]; }
    void setSavedIf(int i, int x) { v[tb + T_SAVEDIF * nThr + i] = x; }
    int savedCpl(int i) { return v[tb + T_SAVEDCPL * nThr + i]; }
    void setSavedCpl(int i, int x) { v[tb + T_SAVEDCPL * nThr + i] = x; }
    int savedGs(int i) { return v[tb + T_SAVEDGS * nThr + i]; }
    void setSavedGs(int i, int x) { v[tb + T_SAVEDGS * nThr + i] = x; }
    int savedCt(int i) { return v[tb + T_SAVEDCT * nThr + i]; }
    void setSavedCt(int i, int x) { v[tb + T_SAVEDCT * nThr + i] = x; }
    boolean redZone(int i) { return v[tb + T_REDZONE * nThr + i] != 0; }
    void setRedZone(int i, boolean x) { v[tb + T_REDZONE * nThr + i] = x ? 1 : 0; }
    boolean needResched(int i) { return v[tb + T_NEEDRESCHED * nThr + i] != 0; }
    void setNeedResched(int i, boolean x) { v[tb + T_NEEDRESCHED * nThr + i] = x ? 1 : 0; }
    boolean sigPending(int i) { return v[tb + T_SIGPENDING * nThr + i] != 0; }
    void setSigPending(int i, boolean x) { v[tb + T_SIGPENDING * nThr + i] = x ? 1 : 0; }
    boolean inBypass(int i) { return v[tb + T_INBYPASS * nThr + i] != 0; }
    void setInBypass(int i, boolean x) { v[tb + T_INBYPASS * nThr + i] = x ? 1 : 0; }
    boolean kso(int i) { return v[tb + T_KSO * nThr + i] != 0; }
    void setKso(int i, boolean x) { v[tb + T_KSO * nThr + i] = x ? 1 : 0; }
    boolean ubuf(int i) { return v[tb + T_UBUF * nThr + i] != 0; }
    void setUbuf(int i, boolean x) { v[tb + T_UBUF * nThr + i] = x ? 1 : 0; }
    boolean rcu(int i) { return v[tb + T_RCU * nThr + i] != 0; }
    void setRcu(int i, boolean x) { v[tb + T_RCU * nThr + i] = x ? 1 : 0; }

    State(int nCpu, int nThr, int nMm) {
        this.nCpu = nCpu;
        this.nThr = nThr;
        this.nMm = nMm;
        this.nStacks = 2 * nThr + 7 * nCpu;
        this.cb = NEV + nMm;
        this.tb = cb + NCPUF * nCpu;
        v = new int[tb + NTHRF * nThr];
        stack = new int[nStacks][];
        Arrays.fill(stack, EMPTY);
        acts = new int[nThr][];
    }

    // ---- stack ids: APP(t) = t, TASK(t) = nThr + t, IST(c,k) = 2 nThr + 7c + k - 1
    int app(int t) { return t; }
    int task(int t) { return nThr + t; }
    int ist(int c, int k) { return 2 * nThr + 7 * c + (k - 1); }
    boolean isApp(int s) { return s < nThr; }
    boolean isTask(int s) { return s >= nThr && s < 2 * nThr; }
    boolean isIst(int s) { return s >= 2 * nThr; }

    /** For {@link #copy}: no arrays allocated here, copy() fills every field (once, not twice). */
    private State(State o) {
        this.nCpu = o.nCpu;
        this.nThr = o.nThr;
        this.nMm = o.nMm;
        this.nStacks = o.nStacks;
        this.cb = o.cb;
        this.tb = o.tb;
    }

    State copy() {
        State s = new State(this);
        s.v = v.clone();
        s.stack = stack.clone();                                     // frame arrays are copy-on-write
        s.acts = acts.clone();                                       // copy-on-write
        return s;
    }

    // ---- frames (copy-on-write arrays)
    int top(int s) { int[] f = stack[s]; return f.length == 0 ? 0 : f[f.length - 1]; }
    void push(int s, int frame) { int[] f = Arrays.copyOf(stack[s], stack[s].length + 1); f[f.length - 1] = frame; stack[s] = f; }
    void pop(int s) { stack[s] = Arrays.copyOf(stack[s], stack[s].length - 1); }

    // ---- activations
    int depth(int t) { return acts[t].length; }
    int act(int t, int d) { return acts[t][d]; }
    int topAct(int t) { return acts[t][acts[t].length - 1]; }
    void setTop(int t, int a) { setAct(t, acts[t].length - 1, a); }
    /** Activation arrays are shared between states: copy on write. */
    void setAct(int t, int d, int a) { int[] x = acts[t].clone(); x[d] = a; acts[t] = x; }
    void pushAct(int t, int a) { int[] x = Arrays.copyOf(acts[t], acts[t].length + 1); x[x.length - 1] = a; acts[t] = x; }
    void popAct(int t) { acts[t] = Arrays.copyOf(acts[t], acts[t].length - 1); }
    void truncate(int t, int n) { acts[t] = Arrays.copyOf(acts[t], n); }

    /** The canonical encoding. Field order is fixed; scalar fields are small varints, frames and activations 4 bytes each. */
    public byte[] encode() {
        Enc e = new Enc();
        encodeTo(e);
        return e.bytes();
    }

    /**
     * The encoder's buffer with room for this state (at most 5 bytes an int), so each field is a
     * plain store. The packed words below are shared by encodeTo and encodeImageTo, which must
     * write the same layout; decodeInto unpacks them.
     */
    private byte[] room(Enc e) {
        int ints = NEV + nMm + nStacks + 11 * nCpu + 12 * nThr;
        for (int[] st : stack) ints += st.length;
        for (int[] a : acts) ints += a.length;
        if (e.buf.length < 5 * ints) e.buf = new byte[Math.max(5 * ints, 2 * e.buf.length)];
        return e.buf;
    }

    private int cpuFlags(int c) { return (ifl(c) ? 1 : 0) | (shadow(c) ? 2 : 0) | (nmiBlocked(c) ? 4 : 0) | (cpl(c) == 3 ? 8 : 0) | (gs(c) << 4) | (ct(c) << 5) | (storm(c) ? 64 : 0); }
    private int threadWord(int t) { return mode(t) | status(t) << 2 | appStack(t) << 5; }
    private int threadFlags(int t) { return (redZone(t) ? 1 : 0) | (needResched(t) ? 2 : 0) | (sigPending(t) ? 4 : 0) | (inBypass(t) ? 8 : 0) | (kso(t) ? 16 : 0) | (ubuf(t) ? 32 : 0) | (rcu(t) ? 64 : 0) | (sigRet(t) ? 128 : 0); }
    private int savedWord(int t) { return savedIf(t) | savedCpl(t) << 1 | savedGs(t) << 3 | savedCt(t) << 4; }

    /** The canonical encoding into a reusable buffer (the fingerprint explorer's hot path: no array per successor). */
    void encodeTo(Enc e) {
        byte[] buf = room(e);
        int n = 0;
        for (int i = 0; i < NEV; i++) n = put(buf, n, v[i] + 1);
        for (int i = 0; i < nMm; i++) n = put(buf, n, v[NEV + i] + 1);
        for (int[] st : stack) { n = put(buf, n, st.length); for (int f : st) { INTS.set(buf, n, f); n += 4; } }
        for (int c = 0; c < nCpu; c++) {
            n = put(buf, n, cpuFlags(c));
            n = put(buf, n, tick(c)); n = put(buf, n, nmi(c));
            n = put(buf, n, pt(c) + 1); n = put(buf, n, sp(c)); n = put(buf, n, scratchT(c) + 1); n = put(buf, n, scratchSp(c)); n = put(buf, n, running(c));
            n = put(buf, n, ipiState(c)); n = put(buf, n, ipiFrom(c)); n = put(buf, n, ipiStack(c));
        }
        for (int t = 0; t < nThr; t++) {
            n = put(buf, n, threadWord(t));
            n = put(buf, n, threadFlags(t));
            n = put(buf, n, preempt(t)); n = put(buf, n, bypassCount(t)); n = put(buf, n, bypassRun(t)); n = put(buf, n, ipiWait(t)); n = put(buf, n, sysretDepth(t) + 1); n = put(buf, n, sigArm(t));
            n = put(buf, n, savedSp(t)); n = put(buf, n, savedWord(t));
            n = put(buf, n, acts[t].length);
            for (int a : acts[t]) { INTS.set(buf, n, a); n += 4; }
        }
        e.n = n;
    }

    /**
     * The encoding of this state's image under a thread, CPU and stack renaming (Symmetry), written
     * directly, without building the image, which halved the cost of a canonical form (and
     * Symmetry.apply decodes it). pt, pc, ps map old ids to new; the inverses say where each new
     * id's fields come from. Kept beside encodeTo, field for field, because the two must write the
     * same layout; encodeTo stays free of the maps because it is the explorer's hot path.
     */
    void encodeImageTo(Enc e, int[] pt, int[] ptInv, int[] pc, int[] pcInv, int[] ps, int[] psInv) {
        byte[] buf = room(e);
        int n = 0;
        for (int i = 0; i < NEV; i++) n = put(buf, n, v[i] + 1);
        for (int i = 0; i < nMm; i++) { int w = v[NEV + i]; n = put(buf, n, (w < 0 ? w : pt[w]) + 1); }
        for (int j = 0; j < nStacks; j++) {
            int[] st = stack[psInv[j]];
            n = put(buf, n, st.length);
            for (int f : st) {
                int x = Frame.withThread(f, pt[Frame.thread(f)]);
                if (Frame.kind(x) == Frame.HW) x = (x & ~(255 << 14)) | ps[Frame.sp(x)] << 14;
                INTS.set(buf, n, x); n += 4;
            }
        }
        for (int d = 0; d < nCpu; d++) {
            int c = pcInv[d];
            int st = scratchT(c), r = running(c), from = ipiFrom(c);
            n = put(buf, n, cpuFlags(c));
            n = put(buf, n, tick(c)); n = put(buf, n, nmi(c));
            n = put(buf, n, pt(c) + 1); n = put(buf, n, ps[sp(c)]); n = put(buf, n, (st < 0 ? st : pt[st]) + 1);
            n = put(buf, n, st < 0 ? scratchSp(c) : ps[scratchSp(c)]); n = put(buf, n, r < 0 ? r : pt[r]);
            n = put(buf, n, ipiState(c)); n = put(buf, n, from == 0 ? 0 : pt[from - 1] + 1); n = put(buf, n, ipiState(c) == 0 ? ipiStack(c) : ps[ipiStack(c)]);
        }
        for (int u = 0; u < nThr; u++) {
            int t = ptInv[u];
            int w = ipiWait(t), mw = 0;
            for (int c = 0; c < nCpu; c++) if ((w & 1 << c) != 0) mw |= 1 << pc[c];
            n = put(buf, n, threadWord(t));
            n = put(buf, n, threadFlags(t));
            n = put(buf, n, preempt(t)); n = put(buf, n, bypassCount(t)); n = put(buf, n, bypassRun(t)); n = put(buf, n, mw); n = put(buf, n, sysretDepth(t) + 1); n = put(buf, n, sigArm(t));
            n = put(buf, n, status(t) == RUNNING ? savedSp(t) : ps[savedSp(t)]); n = put(buf, n, savedWord(t));
            n = put(buf, n, acts[t].length);
            for (int a : acts[t]) { INTS.set(buf, n, a); n += 4; }
        }
        e.n = n;
    }

    public static State decode(byte[] b, int nCpu, int nThr, int nMm) { return decode(b, 0, nCpu, nThr, nMm); }

    /** Decodes the encoding that starts at {@code off} in {@code b}. */
    static State decode(byte[] b, int off, int nCpu, int nThr, int nMm) { return decodeInto(new State(nCpu, nThr, nMm), b, off); }

    /**
     * Decodes into s, overwriting every field (a worker's scratch parent state). Safe because a
     * successor never shares s's flat arrays (copy() clones them) and stack and activation arrays
     * are replaced here, never written into.
     */
    static State decodeInto(State s, byte[] b, int off) {
        int nCpu = s.nCpu, nThr = s.nThr, nMm = s.nMm;
        Dec d = new Dec(b);
        d.p = off;
        for (int i = 0; i < NEV; i++) s.v[i] = d.i() - 1;
        for (int i = 0; i < nMm; i++) s.setMmWriter(i, d.i() - 1);
        for (int i = 0; i < s.nStacks; i++) { int n = d.i(); if (n == 0) { s.stack[i] = EMPTY; continue; } int[] f = new int[n]; for (int j = 0; j < n; j++) f[j] = d.word(); s.stack[i] = f; }
        for (int c = 0; c < nCpu; c++) {
            int fl = d.i();
            s.setIfl(c, (fl & 1) != 0); s.setShadow(c, (fl & 2) != 0); s.setNmiBlocked(c, (fl & 4) != 0);
            s.setCpl(c, (fl & 8) != 0 ? 3 : 0); s.setGs(c, (fl >> 4) & 1); s.setCt(c, (fl >> 5) & 1); s.setStorm(c, (fl & 64) != 0);
            s.setTick(c, d.i()); s.setNmi(c, d.i());
            s.setPt(c, d.i() - 1); s.setSp(c, d.i()); s.setScratchT(c, d.i() - 1); s.setScratchSp(c, d.i()); s.setRunning(c, d.i());
            s.setIpiState(c, d.i()); s.setIpiFrom(c, d.i()); s.setIpiStack(c, d.i());
        }
        for (int t = 0; t < nThr; t++) {
            int x = d.i();
            s.setMode(t, x & 3); s.setStatus(t, (x >> 2) & 7); s.setAppStack(t, (x >> 5) & 3);
            int f = d.i();
            s.setRedZone(t, (f & 1) != 0); s.setNeedResched(t, (f & 2) != 0); s.setSigPending(t, (f & 4) != 0); s.setInBypass(t, (f & 8) != 0);
            s.setKso(t, (f & 16) != 0); s.setUbuf(t, (f & 32) != 0); s.setRcu(t, (f & 64) != 0); s.setSigRet(t, (f & 128) != 0);
            s.setPreempt(t, d.i()); s.setBypassCount(t, d.i()); s.setBypassRun(t, d.i()); s.setIpiWait(t, d.i()); s.setSysretDepth(t, d.i() - 1); s.setSigArm(t, d.i());
            s.setSavedSp(t, d.i()); int sv = d.i();
            s.setSavedIf(t, sv & 1); s.setSavedCpl(t, (sv >> 1) & 3); s.setSavedGs(t, (sv >> 3) & 1); s.setSavedCt(t, (sv >> 4) & 1);
            int n = d.i(); int[] a = new int[n]; for (int j = 0; j < n; j++) a[j] = d.word(); s.acts[t] = a;
        }
        return s;
    }

    /** Field name to value, for "only the fields that changed" in traces. */
    public Map<String, String> describe(Machine m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int c = 0; c < nCpu; c++) {
            String p = "cpu" + c + ".";
            out.put(p + "running", m.threadName(running(c)));
            out.put(p + "if", ifl(c) ? "1" : "0");
            if (shadow(c)) out.put(p + "shadow", "1"); else out.put(p + "shadow", "0");
            out.put(p + "nmiBlocked", nmiBlocked(c) ? "1" : "0");
            out.put(p + "cpl", String.valueOf(cpl(c)));
            out.put(p + "gs", gs(c) == 0 ? "KERNEL" : "USER");
            out.put(p + "pt", pt(c) < 0 ? "kernel" : "mm" + pt(c));
            out.put(p + "sp", m.stackName(this, sp(c)));
            out.put(p + "scratch", scratchT(c) < 0 ? "empty" : "t" + scratchT(c) + ":" + m.stackName(this, scratchSp(c)));
            if (m.scenario.has(Option.NOHZ_FULL)) out.put(p + "ct", ct(c) == 0 ? "KERNEL" : "USER");
            if (tick(c) != 0) out.put(p + "tick", "open at depth " + tick(c) + (storm(c) ? ", storm" : ""));
            else out.put(p + "tick", "none");
            out.put(p + "nmiStack", nmiText(nmi(c)));
            out.put(p + "ipi", ipiState(c) == 0 ? "none" : (ipiState(c) == 1 ? "pending" : "in service") + " from t" + (ipiFrom(c) - 1));
        }
        String[] st = {"RUNNING", "READY", "SLEEPING", "LOCKWAIT", "DONE"};
        String[] as = {"MAPPED", "FRONTIER", "DEEP_FRONTIER", "DEEP"};
        for (int t = 0; t < nThr; t++) {
            String p = m.threadName(t) + ".";
            out.put(p + "status", st[status(t)]);
            if (m.kind(t) == Scenario.ThreadKind.UKL) out.put(p + "mode", String.valueOf(mode(t)));
            out.put(p + "activations", m.describeActs(this, t));
            if (m.isIdle(t)) continue;
            out.put(p + "appStack", as[appStack(t)]);
            out.put(p + "redZoneLive", redZone(t) ? "1" : "0");
            out.put(p + "preemptCount", String.valueOf(preempt(t)));
            out.put(p + "needResched", needResched(t) ? "1" : "0");
            out.put(p + "sigPending", sigPending(t) ? "1" : "0");
            out.put(p + "bypass", inBypass(t) ? "1" : "0");
            out.put(p + "bypassCount", String.valueOf(bypassCount(t)));
            out.put(p + "taskStack", kso(t) ? "overflowed into its guard page" : "ok");
            out.put(p + "userBuffer", ubuf(t) ? "mapped" : "not faulted in");
            out.put(p + "rcuRead", rcu(t) ? "1" : "0");
            if (sigArm(t) != 0) out.put(p + "signal", "frame written; the return goes to the handler");
            if (sigRet(t)) out.put(p + "signal", "rt_sigreturn restored pt_regs; the return resumes the interrupted context");
        }
        for (int i = 0; i < nMm; i++) out.put("mm" + i + ".mmap_lock", mmWriter(i) < 0 ? "free" : "held by " + m.threadName(mmWriter(i)));
        for (int s = 0; s < nStacks; s++) {
            if (stack[s].length == 0) { out.put("stack." + m.stackName(this, s), "[]"); continue; }
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < stack[s].length; i++) { if (i > 0) sb.append(", "); sb.append(Frame.render(stack[s][i], m, this)); }
            out.put("stack." + m.stackName(this, s), sb.append("]").toString());
        }
        for (Event e : Event.values()) if (v[e.ordinal()] > 0) out.put("budget." + e, String.valueOf(v[e.ordinal()]));
        return out;
    }

    static String nmiText(int f) {
        if (f == 0) return "idle";
        StringBuilder sb = new StringBuilder();
        if ((f & NMI_COPIED) != 0) sb.append("outer frame copied");
        if ((f & NMI_EXEC) != 0) sb.append(sb.length() > 0 ? ", " : "").append("\"NMI executing\"");
        if ((f & NMI_REP) != 0) sb.append(sb.length() > 0 ? ", " : "").append("iret frame -> repeat_nmi");
        if ((f & NMI_NEST) != 0) sb.append(sb.length() > 0 ? ", " : "").append("nested NMI in the original slot");
        if ((f & NMI_DF) != 0) sb.append(sb.length() > 0 ? ", " : "").append("DF set");
        return sb.toString();
    }

    /** Writes v as a varint at buf[n]; returns the new end (static and small, so the JIT inlines it). */
    private static int put(byte[] buf, int n, int v) {
        if ((v & ~0x7F) == 0) { buf[n] = (byte) v; return n + 1; }   // most fields: one byte
        if (v < 0) throw new IllegalStateException("negative field in state encoding: " + v);
        while ((v & ~0x7F) != 0) { buf[n++] = (byte) ((v & 0x7F) | 0x80); v >>>= 7; }
        buf[n] = (byte) v;
        return n + 1;
    }

    /**
     * Frames and activations are written as 4 fixed little-endian bytes, not varints: their high
     * bits are in use (Frame's saved SP at 14-21, Act's body at 24-31), so a varint took 3 to 5
     * bytes through a loop of unpredictable branches, a fifth of the explorer's time (JFR, large
     * bench rung, 2026-12-07).
     */
    private static final java.lang.invoke.VarHandle INTS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    static final class Enc {
        byte[] buf = new byte[128];
        int n;
        byte[] bytes() { return Arrays.copyOf(buf, n); }
    }

    private static final class Dec {
        final byte[] b;
        int p;
        Dec(byte[] b) { this.b = b; }
        int word() { int v = (int) INTS.get(b, p); p += 4; return v; }
        int i() {
            int x0 = b[p];
            if (x0 >= 0) { p++; return x0; }   // most fields: one byte
            int v = 0, shift = 0;
            while (true) {
                int x = b[p++] & 0xFF;
                v |= (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
                shift += 7;
            }
        }
    }
}
