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

    // global
    int[] budget;            // per Event: remaining, -1 unbounded
    int[] mmWriter;          // per mm: thread holding mmap_lock for write, -1 none
    int[][] stack;           // per stack id: live frames, bottom first

    // per CPU
    boolean[] ifl, shadow, nmiBlocked, storm;
    int[] tick;              // depth of the context a periodic tick interrupted, until it steps; 0 none
    int[] nmi;               // NMI_* bits
    int[] cpl, gs, pt, sp, scratchT, scratchSp, ct, running, ipiState, ipiFrom, ipiStack;

    // per thread
    int[] mode, status, appStack, preempt, bypassCount, bypassRun, ipiWait, sysretDepth;
    // Signals (issue 13): sigArm = activation count while exit_work's delivery waits for the return
    // that ends it (0 none); sigRet = rt_sigreturn has loaded pt_regs from the signal frame.
    int[] sigArm;
    boolean[] sigRet;
    int[] savedSp, savedIf, savedCpl, savedGs, savedCt;
    boolean[] redZone, needResched, sigPending, inBypass;
    boolean[] kso;           // the task stack overflowed into its guard page (a #DF that is not an app-stack fault)
    boolean[] ubuf;          // the user buffer copy_user writes is faulted in (mapped)
    boolean[] rcu;           // inside rcu_read_lock() .. rcu_read_unlock() (issue 13)
    int[][] acts;            // activation stack, bottom (depth 0, app code) first

    State(int nCpu, int nThr, int nMm) {
        this.nCpu = nCpu;
        this.nThr = nThr;
        this.nStacks = 2 * nThr + 7 * nCpu;
        budget = new int[Event.values().length];
        mmWriter = new int[nMm];
        stack = new int[nStacks][];
        Arrays.fill(stack, EMPTY);
        ifl = new boolean[nCpu]; shadow = new boolean[nCpu]; nmiBlocked = new boolean[nCpu];
        storm = new boolean[nCpu]; tick = new int[nCpu]; nmi = new int[nCpu];
        cpl = new int[nCpu]; gs = new int[nCpu]; pt = new int[nCpu]; sp = new int[nCpu]; scratchT = new int[nCpu];
        scratchSp = new int[nCpu]; ct = new int[nCpu]; running = new int[nCpu]; ipiState = new int[nCpu];
        ipiFrom = new int[nCpu]; ipiStack = new int[nCpu];
        mode = new int[nThr]; status = new int[nThr]; appStack = new int[nThr]; preempt = new int[nThr];
        bypassCount = new int[nThr]; bypassRun = new int[nThr]; ipiWait = new int[nThr]; sysretDepth = new int[nThr];
        sigArm = new int[nThr]; sigRet = new boolean[nThr];
        savedSp = new int[nThr]; savedIf = new int[nThr]; savedCpl = new int[nThr]; savedGs = new int[nThr]; savedCt = new int[nThr];
        redZone = new boolean[nThr]; needResched = new boolean[nThr]; sigPending = new boolean[nThr]; inBypass = new boolean[nThr];
        kso = new boolean[nThr]; ubuf = new boolean[nThr]; rcu = new boolean[nThr];
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
        this.nStacks = o.nStacks;
    }

    State copy() {
        State s = new State(this);
        s.budget = budget.clone(); s.mmWriter = mmWriter.clone();
        s.stack = stack.clone();                                     // frame arrays are copy-on-write
        s.ifl = ifl.clone(); s.shadow = shadow.clone(); s.nmiBlocked = nmiBlocked.clone();
        s.storm = storm.clone(); s.tick = tick.clone(); s.nmi = nmi.clone();
        s.cpl = cpl.clone(); s.gs = gs.clone(); s.pt = pt.clone(); s.sp = sp.clone(); s.scratchT = scratchT.clone();
        s.scratchSp = scratchSp.clone(); s.ct = ct.clone(); s.running = running.clone(); s.ipiState = ipiState.clone();
        s.ipiFrom = ipiFrom.clone(); s.ipiStack = ipiStack.clone();
        s.mode = mode.clone(); s.status = status.clone(); s.appStack = appStack.clone(); s.preempt = preempt.clone();
        s.bypassCount = bypassCount.clone(); s.bypassRun = bypassRun.clone(); s.ipiWait = ipiWait.clone(); s.sysretDepth = sysretDepth.clone();
        s.sigArm = sigArm.clone(); s.sigRet = sigRet.clone();
        s.savedSp = savedSp.clone(); s.savedIf = savedIf.clone(); s.savedCpl = savedCpl.clone(); s.savedGs = savedGs.clone(); s.savedCt = savedCt.clone();
        s.redZone = redZone.clone(); s.needResched = needResched.clone(); s.sigPending = sigPending.clone(); s.inBypass = inBypass.clone();
        s.kso = kso.clone(); s.ubuf = ubuf.clone(); s.rcu = rcu.clone();
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

    /** The canonical encoding. Field order is fixed; ints are written as small varints. */
    public byte[] encode() {
        Enc e = new Enc();
        encodeTo(e);
        return e.bytes();
    }

    /** The canonical encoding into a reusable buffer (the fingerprint explorer's hot path: no array per successor). */
    void encodeTo(Enc e) {
        // One capacity check for the whole state (at most 5 bytes an int), so each field is a plain store.
        int ints = budget.length + mmWriter.length + nStacks + 11 * nCpu + 12 * nThr;
        for (int[] st : stack) ints += st.length;
        for (int[] a : acts) ints += a.length;
        if (e.buf.length < 5 * ints) e.buf = new byte[Math.max(5 * ints, 2 * e.buf.length)];
        byte[] buf = e.buf;
        int n = 0;
        for (int b : budget) n = put(buf, n, b + 1);
        for (int w : mmWriter) n = put(buf, n, w + 1);
        for (int[] st : stack) { n = put(buf, n, st.length); for (int f : st) n = put(buf, n, f); }
        for (int c = 0; c < nCpu; c++) {
            n = put(buf, n, (ifl[c] ? 1 : 0) | (shadow[c] ? 2 : 0) | (nmiBlocked[c] ? 4 : 0) | (cpl[c] == 3 ? 8 : 0) | (gs[c] << 4) | (ct[c] << 5) | (storm[c] ? 64 : 0));
            n = put(buf, n, tick[c]); n = put(buf, n, nmi[c]);
            n = put(buf, n, pt[c] + 1); n = put(buf, n, sp[c]); n = put(buf, n, scratchT[c] + 1); n = put(buf, n, scratchSp[c]); n = put(buf, n, running[c]);
            n = put(buf, n, ipiState[c]); n = put(buf, n, ipiFrom[c]); n = put(buf, n, ipiStack[c]);
        }
        for (int t = 0; t < nThr; t++) {
            n = put(buf, n, mode[t] | status[t] << 2 | appStack[t] << 5);
            n = put(buf, n, (redZone[t] ? 1 : 0) | (needResched[t] ? 2 : 0) | (sigPending[t] ? 4 : 0) | (inBypass[t] ? 8 : 0) | (kso[t] ? 16 : 0) | (ubuf[t] ? 32 : 0) | (rcu[t] ? 64 : 0) | (sigRet[t] ? 128 : 0));
            n = put(buf, n, preempt[t]); n = put(buf, n, bypassCount[t]); n = put(buf, n, bypassRun[t]); n = put(buf, n, ipiWait[t]); n = put(buf, n, sysretDepth[t] + 1); n = put(buf, n, sigArm[t]);
            n = put(buf, n, savedSp[t]); n = put(buf, n, savedIf[t] | savedCpl[t] << 1 | savedGs[t] << 3 | savedCt[t] << 4);
            n = put(buf, n, acts[t].length);
            for (int a : acts[t]) n = putUnsigned(buf, n, a);   // every bit of an activation is used (Act)
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
        int nCpu = s.nCpu, nThr = s.nThr, nMm = s.mmWriter.length;
        Dec d = new Dec(b);
        d.p = off;
        for (int i = 0; i < s.budget.length; i++) s.budget[i] = d.i() - 1;
        for (int i = 0; i < nMm; i++) s.mmWriter[i] = d.i() - 1;
        for (int i = 0; i < s.nStacks; i++) { int n = d.i(); if (n == 0) { s.stack[i] = EMPTY; continue; } int[] f = new int[n]; for (int j = 0; j < n; j++) f[j] = d.i(); s.stack[i] = f; }
        for (int c = 0; c < nCpu; c++) {
            int fl = d.i();
            s.ifl[c] = (fl & 1) != 0; s.shadow[c] = (fl & 2) != 0; s.nmiBlocked[c] = (fl & 4) != 0;
            s.cpl[c] = (fl & 8) != 0 ? 3 : 0; s.gs[c] = (fl >> 4) & 1; s.ct[c] = (fl >> 5) & 1; s.storm[c] = (fl & 64) != 0;
            s.tick[c] = d.i(); s.nmi[c] = d.i();
            s.pt[c] = d.i() - 1; s.sp[c] = d.i(); s.scratchT[c] = d.i() - 1; s.scratchSp[c] = d.i(); s.running[c] = d.i();
            s.ipiState[c] = d.i(); s.ipiFrom[c] = d.i(); s.ipiStack[c] = d.i();
        }
        for (int t = 0; t < nThr; t++) {
            int x = d.i();
            s.mode[t] = x & 3; s.status[t] = (x >> 2) & 7; s.appStack[t] = (x >> 5) & 3;
            int f = d.i();
            s.redZone[t] = (f & 1) != 0; s.needResched[t] = (f & 2) != 0; s.sigPending[t] = (f & 4) != 0; s.inBypass[t] = (f & 8) != 0;
            s.kso[t] = (f & 16) != 0; s.ubuf[t] = (f & 32) != 0; s.rcu[t] = (f & 64) != 0; s.sigRet[t] = (f & 128) != 0;
            s.preempt[t] = d.i(); s.bypassCount[t] = d.i(); s.bypassRun[t] = d.i(); s.ipiWait[t] = d.i(); s.sysretDepth[t] = d.i() - 1; s.sigArm[t] = d.i();
            s.savedSp[t] = d.i(); int sv = d.i();
            s.savedIf[t] = sv & 1; s.savedCpl[t] = (sv >> 1) & 3; s.savedGs[t] = (sv >> 3) & 1; s.savedCt[t] = (sv >> 4) & 1;
            int n = d.i(); int[] a = new int[n]; for (int j = 0; j < n; j++) a[j] = d.i(); s.acts[t] = a;
        }
        return s;
    }

    /** Field name to value, for "only the fields that changed" in traces. */
    public Map<String, String> describe(Machine m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int c = 0; c < nCpu; c++) {
            String p = "cpu" + c + ".";
            out.put(p + "running", m.threadName(running[c]));
            out.put(p + "if", ifl[c] ? "1" : "0");
            if (shadow[c]) out.put(p + "shadow", "1"); else out.put(p + "shadow", "0");
            out.put(p + "nmiBlocked", nmiBlocked[c] ? "1" : "0");
            out.put(p + "cpl", String.valueOf(cpl[c]));
            out.put(p + "gs", gs[c] == 0 ? "KERNEL" : "USER");
            out.put(p + "pt", pt[c] < 0 ? "kernel" : "mm" + pt[c]);
            out.put(p + "sp", m.stackName(this, sp[c]));
            out.put(p + "scratch", scratchT[c] < 0 ? "empty" : "t" + scratchT[c] + ":" + m.stackName(this, scratchSp[c]));
            if (m.scenario.has(Option.NOHZ_FULL)) out.put(p + "ct", ct[c] == 0 ? "KERNEL" : "USER");
            if (tick[c] != 0) out.put(p + "tick", "open at depth " + tick[c] + (storm[c] ? ", storm" : ""));
            else out.put(p + "tick", "none");
            out.put(p + "nmiStack", nmiText(nmi[c]));
            out.put(p + "ipi", ipiState[c] == 0 ? "none" : (ipiState[c] == 1 ? "pending" : "in service") + " from t" + (ipiFrom[c] - 1));
        }
        String[] st = {"RUNNING", "READY", "SLEEPING", "LOCKWAIT", "DONE"};
        String[] as = {"MAPPED", "FRONTIER", "DEEP_FRONTIER", "DEEP"};
        for (int t = 0; t < nThr; t++) {
            String p = m.threadName(t) + ".";
            out.put(p + "status", st[status[t]]);
            if (m.kind(t) == Scenario.ThreadKind.UKL) out.put(p + "mode", String.valueOf(mode[t]));
            out.put(p + "activations", m.describeActs(this, t));
            if (m.isIdle(t)) continue;
            out.put(p + "appStack", as[appStack[t]]);
            out.put(p + "redZoneLive", redZone[t] ? "1" : "0");
            out.put(p + "preemptCount", String.valueOf(preempt[t]));
            out.put(p + "needResched", needResched[t] ? "1" : "0");
            out.put(p + "sigPending", sigPending[t] ? "1" : "0");
            out.put(p + "bypass", inBypass[t] ? "1" : "0");
            out.put(p + "bypassCount", String.valueOf(bypassCount[t]));
            out.put(p + "taskStack", kso[t] ? "overflowed into its guard page" : "ok");
            out.put(p + "userBuffer", ubuf[t] ? "mapped" : "not faulted in");
            out.put(p + "rcuRead", rcu[t] ? "1" : "0");
            if (sigArm[t] != 0) out.put(p + "signal", "frame written; the return goes to the handler");
            if (sigRet[t]) out.put(p + "signal", "rt_sigreturn restored pt_regs; the return resumes the interrupted context");
        }
        for (int i = 0; i < mmWriter.length; i++) out.put("mm" + i + ".mmap_lock", mmWriter[i] < 0 ? "free" : "held by " + m.threadName(mmWriter[i]));
        for (int s = 0; s < nStacks; s++) {
            if (stack[s].length == 0) { out.put("stack." + m.stackName(this, s), "[]"); continue; }
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < stack[s].length; i++) { if (i > 0) sb.append(", "); sb.append(Frame.render(stack[s][i], m, this)); }
            out.put("stack." + m.stackName(this, s), sb.append("]").toString());
        }
        for (Event e : Event.values()) if (budget[e.ordinal()] > 0) out.put("budget." + e, String.valueOf(budget[e.ordinal()]));
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

    /** Writes v's 32 bits as an unsigned varint (up to 5 bytes); the decoder reads it back exactly. */
    private static int putUnsigned(byte[] buf, int n, int v) {
        while ((v & ~0x7F) != 0) { buf[n++] = (byte) ((v & 0x7F) | 0x80); v >>>= 7; }
        buf[n] = (byte) v;
        return n + 1;
    }

    static final class Enc {
        byte[] buf = new byte[128];
        int n;
        byte[] bytes() { return Arrays.copyOf(buf, n); }
    }

    private static final class Dec {
        final byte[] b;
        int p;
        Dec(byte[] b) { this.b = b; }
        int i() {
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
