package ukl.model;

import java.util.List;
import java.util.Map;

/**
 * Converts a state of the TLA+ twin (specs/Kernel.tla) to the Java machine's {@link State}, so
 * the two engines' states compare through one canonical encoding ({@link State#encode()}).
 */
public final class TlaState {
    private TlaState() {}

    /** The err variable of a TLA+ state: "none", a property name, or "BOUND". */
    public static String err(Map<String, Object> vars) { return (String) vars.get("err"); }

    @SuppressWarnings("unchecked")
    public static State toState(Map<String, Object> vars, Machine m) {
        State s = new State(m.nCpu, m.nThr, m.nMm);
        List<Object> budget = (List<Object>) vars.get("budget");
        for (int i = 0; i < Event.values().length; i++) s.setBudget(i, i(budget.get(i)));
        List<Object> mmw = (List<Object>) vars.get("mmw");
        for (int i = 0; i < s.nMm; i++) s.setMmWriter(i, i(mmw.get(i)));
        List<Object> stk = (List<Object>) vars.get("stk");
        for (int i = 0; i < s.nStacks; i++) {
            List<Object> fr = (List<Object>) stk.get(i);
            int[] out = new int[fr.size()];
            for (int j = 0; j < out.length; j++) {
                Map<String, Object> f = (Map<String, Object>) fr.get(j);
                out[j] = Frame.make(i(f.get("k")), i(f.get("t")), i(f.get("d")))
                        | (b(f.get("i")) ? 1 << 12 : 0) | (b(f.get("c3")) ? 1 << 13 : 0) | i(f.get("sp")) << 14 | (b(f.get("fk")) ? 1 << 22 : 0) | (b(f.get("rz")) ? 1 << 23 : 0);
            }
            s.stack[i] = out;
        }
        List<Object> cpu = (List<Object>) vars.get("cpu");
        for (int c = 0; c < m.nCpu; c++) {
            Map<String, Object> r = (Map<String, Object>) cpu.get(c);
            s.setIfl(c, b(r.get("ifl"))); s.setShadow(c, b(r.get("shadow"))); s.setNmiBlocked(c, b(r.get("nmiBlocked")));
            s.setCpl(c, i(r.get("cpl"))); s.setGs(c, i(r.get("gs"))); s.setPt(c, i(r.get("pt"))); s.setSp(c, i(r.get("sp")));
            s.setScratchT(c, i(r.get("scratchT"))); s.setScratchSp(c, i(r.get("scratchSp"))); s.setCt(c, i(r.get("ct")));
            s.setRunning(c, i(r.get("running"))); s.setIpiState(c, i(r.get("ipiState"))); s.setIpiFrom(c, i(r.get("ipiFrom")));
            s.setIpiStack(c, i(r.get("ipiStack"))); s.setTick(c, i(r.get("tick"))); s.setStorm(c, b(r.get("storm")));
            s.setNmi(c, (b(r.get("nmiCopied")) ? State.NMI_COPIED : 0) | (b(r.get("nmiExec")) ? State.NMI_EXEC : 0)
                    | (b(r.get("nmiRep")) ? State.NMI_REP : 0) | (b(r.get("nmiNest")) ? State.NMI_NEST : 0)
                    | (b(r.get("nmiDf")) ? State.NMI_DF : 0));
        }
        List<Object> thr = (List<Object>) vars.get("thr");
        for (int t = 0; t < m.nThr; t++) {
            Map<String, Object> r = (Map<String, Object>) thr.get(t);
            s.setMode(t, i(r.get("mode"))); s.setStatus(t, i(r.get("status"))); s.setAppStack(t, i(r.get("appStack")));
            s.setRedZone(t, b(r.get("redZone"))); s.setNeedResched(t, b(r.get("needResched")));
            s.setSigPending(t, b(r.get("sigPending"))); s.setInBypass(t, b(r.get("inBypass")));
            s.setKso(t, b(r.get("kso"))); s.setUbuf(t, b(r.get("ubuf"))); s.setRcu(t, b(r.get("rcu")));
            s.setSigArm(t, i(r.get("sigArm"))); s.setSigRet(t, b(r.get("sigRet")));
            s.setPreempt(t, i(r.get("preempt"))); s.setBypassCount(t, i(r.get("bypassCount"))); s.setBypassRun(t, i(r.get("bypassRun")));
            s.setIpiWait(t, i(r.get("ipiWait"))); s.setSysretDepth(t, i(r.get("sysretDepth")));
            s.setSavedSp(t, i(r.get("savedSp"))); s.setSavedIf(t, i(r.get("savedIf"))); s.setSavedCpl(t, i(r.get("savedCpl")));
            s.setSavedGs(t, i(r.get("savedGs"))); s.setSavedCt(t, i(r.get("savedCt")));
            List<Object> acts = (List<Object>) r.get("acts");
            int[] a = new int[acts.size()];
            for (int d = 0; d < a.length; d++) {
                Map<String, Object> x = (Map<String, Object>) acts.get(d);
                int v = Act.make(i(x.get("k")), i(x.get("code")), i(x.get("pc")), i(x.get("vec")), b(x.get("hw")), b(x.get("c3")), i(x.get("body")));
                v = Act.withFromUser(v, b(x.get("fu")));
                v = Act.withScratchPending(v, b(x.get("scr")));
                v = Act.withBypassed(v, b(x.get("byp")));
                v = Act.withIpiSent(v, b(x.get("sent")));
                v = Act.withPhase(v, i(x.get("ph")));
                a[d] = v;
            }
            s.acts[t] = a;
        }
        return s;
    }

    private static int i(Object o) { return ((Long) o).intValue(); }
    private static boolean b(Object o) { return (Boolean) o; }

    /** The inverse of {@link #toState}: a Java state as the TLA+ record of Kernel.tla's variables. */
    public static String toTla(State s, Machine m, String err) {
        StringBuilder b = new StringBuilder("[budget |-> <<");
        for (int i = 0; i < Event.values().length; i++) b.append(i > 0 ? ", " : "").append(s.budget(i));
        b.append(">>, mmw |-> <<");
        for (int i = 0; i < s.nMm; i++) b.append(i > 0 ? ", " : "").append(s.mmWriter(i));
        b.append(">>, stk |-> <<");
        for (int i = 0; i < s.nStacks; i++) {
            b.append(i > 0 ? ", " : "").append("<<");
            for (int j = 0; j < s.stack[i].length; j++) {
                int f = s.stack[i][j];
                b.append(j > 0 ? ", " : "").append("[k |-> ").append(Frame.kind(f)).append(", t |-> ").append(Frame.thread(f))
                        .append(", d |-> ").append(Frame.depth(f)).append(", i |-> ").append(tb(Frame.ifl(f)))
                        .append(", c3 |-> ").append(tb(Frame.cpl3(f))).append(", sp |-> ").append(Frame.sp(f))
                        .append(", fk |-> ").append(tb(Frame.fakeCs(f))).append(", rz |-> ").append(tb(Frame.redZone(f))).append("]");
            }
            b.append(">>");
        }
        b.append(">>, cpu |-> <<");
        for (int c = 0; c < m.nCpu; c++) {
            b.append(c > 0 ? ", " : "").append("[ifl |-> ").append(tb(s.ifl(c))).append(", shadow |-> ").append(tb(s.shadow(c)))
                    .append(", nmiBlocked |-> ").append(tb(s.nmiBlocked(c))).append(", cpl |-> ").append(s.cpl(c))
                    .append(", gs |-> ").append(s.gs(c)).append(", pt |-> ").append(s.pt(c)).append(", sp |-> ").append(s.sp(c))
                    .append(", scratchT |-> ").append(s.scratchT(c)).append(", scratchSp |-> ").append(s.scratchSp(c))
                    .append(", ct |-> ").append(s.ct(c)).append(", running |-> ").append(s.running(c))
                    .append(", ipiState |-> ").append(s.ipiState(c)).append(", ipiFrom |-> ").append(s.ipiFrom(c))
                    .append(", ipiStack |-> ").append(s.ipiStack(c)).append(", tick |-> ").append(s.tick(c))
                    .append(", storm |-> ").append(tb(s.storm(c)))
                    .append(", nmiCopied |-> ").append(tb((s.nmi(c) & State.NMI_COPIED) != 0))
                    .append(", nmiExec |-> ").append(tb((s.nmi(c) & State.NMI_EXEC) != 0))
                    .append(", nmiRep |-> ").append(tb((s.nmi(c) & State.NMI_REP) != 0))
                    .append(", nmiNest |-> ").append(tb((s.nmi(c) & State.NMI_NEST) != 0))
                    .append(", nmiDf |-> ").append(tb((s.nmi(c) & State.NMI_DF) != 0)).append("]");
        }
        b.append(">>, thr |-> <<");
        for (int t = 0; t < m.nThr; t++) {
            b.append(t > 0 ? ", " : "").append("[mode |-> ").append(s.mode(t)).append(", status |-> ").append(s.status(t))
                    .append(", appStack |-> ").append(s.appStack(t)).append(", redZone |-> ").append(tb(s.redZone(t)))
                    .append(", needResched |-> ").append(tb(s.needResched(t))).append(", sigPending |-> ").append(tb(s.sigPending(t)))
                    .append(", inBypass |-> ").append(tb(s.inBypass(t))).append(", preempt |-> ").append(s.preempt(t))
                    .append(", bypassCount |-> ").append(s.bypassCount(t)).append(", bypassRun |-> ").append(s.bypassRun(t))
                    .append(", ipiWait |-> ").append(s.ipiWait(t)).append(", sysretDepth |-> ").append(s.sysretDepth(t))
                    .append(", savedSp |-> ").append(s.savedSp(t)).append(", savedIf |-> ").append(s.savedIf(t))
                    .append(", savedCpl |-> ").append(s.savedCpl(t)).append(", savedGs |-> ").append(s.savedGs(t))
                    .append(", savedCt |-> ").append(s.savedCt(t)).append(", kso |-> ").append(tb(s.kso(t)))
                    .append(", ubuf |-> ").append(tb(s.ubuf(t))).append(", rcu |-> ").append(tb(s.rcu(t))).append(", sigArm |-> ").append(s.sigArm(t))
                    .append(", sigRet |-> ").append(tb(s.sigRet(t))).append(", acts |-> <<");
            for (int d = 0; d < s.acts[t].length; d++) {
                int a = s.acts[t][d];
                b.append(d > 0 ? ", " : "").append("[k |-> ").append(Act.kind(a)).append(", code |-> ").append(Act.code(a))
                        .append(", pc |-> ").append(Act.pc(a)).append(", vec |-> ").append(Act.vec(a)).append(", hw |-> ").append(tb(Act.hw(a)))
                        .append(", fu |-> ").append(tb(Act.fromUser(a))).append(", scr |-> ").append(tb(Act.scratchPending(a)))
                        .append(", c3 |-> ").append(tb(Act.fromCpl3(a))).append(", body |-> ").append(Act.body(a))
                        .append(", byp |-> ").append(tb(Act.bypassed(a))).append(", sent |-> ").append(tb(Act.ipiSent(a))).append(", ph |-> ").append(Act.phase(a)).append("]");
            }
            b.append(">>]");
        }
        return b.append(">>, err |-> \"").append(err).append("\"]").toString();
    }

    private static String tb(boolean v) { return v ? "TRUE" : "FALSE"; }
}
