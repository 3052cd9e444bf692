package ukl.model;

import ukl.model.lang.Instr;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a machine transition into a trace step: who did what, where it comes from, what changed. */
final class TraceText {
    private TraceText() {}

    static Trace.Step step(Machine m, Machine.Label l, State before, State after, int index, boolean violating) {
        String thread = l.thread() >= 0 ? m.threadName(l.thread()) : "-";
        String kind, action, path = null, citation = null;
        int line = 0;
        switch (l.type()) {
            case OP, END -> {
                kind = "op";
                path = m.codeName(l.code());
                Instr in = m.instr(l.code(), l.pc());
                if (in != null) {
                    action = in.render();
                    if (in.op() == ukl.model.lang.Op.EXIT_WORK && after != null) action += exitWorkPhase(l, before, after);
                    if (in.op() == ukl.model.lang.Op.HANDLE && l.note() == null) action += pageFaultPhase(m, l, before);
                    line = in.line();
                    citation = in.comment();
                    String cn = m.codeName(l.code());
                    // A co-runner's copy of a linux path is named "linux:syscall" already; do not say "linux:" twice.
                    path = cn.startsWith(in.file() + ":") ? cn : in.file() + ":" + cn;
                } else {
                    action = "(end of path)";
                }
            }
            case APP_OP -> {
                kind = "app";
                boolean handler = l.code() == 1;   // a step of the signal handler (Machine.exec)
                List<Workload.AppOp> prog = handler ? m.scenario.threads.get(l.thread()).handler() : m.scenario.threads.get(l.thread()).program();
                action = l.appPc() < prog.size() ? prog.get(l.appPc()).render()
                        : l.appPc() == prog.size() ? "syscall rt_sigreturn (the handler returns into the restorer)" : "(the restorer returned)";
                path = m.isIdle(l.thread()) ? "idle loop" : "workload:" + m.scenario.workload.name() + (handler ? " signal handler" : "");
            }
            case BODY_OP -> {
                kind = "body";
                action = m.bodyOps.get(l.body()).get(l.pc()).render();
                path = "body:" + m.bodyNames.get(l.body());
            }
            default -> {
                kind = "event";
                action = l.event().name() + (l.delivered() != null && l.delivered().name().equals(l.event().name()) ? "" : l.delivered() != null ? " (delivered as " + l.delivered() + ")" : "");
            }
        }
        if (l.note() != null) action = action + " — " + l.note();
        Map<String, String> changes = new LinkedHashMap<>();
        if (after != null) {
            Map<String, String> a = before.describe(m), b = after.describe(m);
            for (Map.Entry<String, String> e : b.entrySet())
                if (!e.getValue().equals(a.get(e.getKey()))) changes.put(e.getKey(), e.getValue());
            for (String k : a.keySet()) if (!b.containsKey(k)) changes.put(k, "(gone)");
        }
        return new Trace.Step(index, kind, l.cpu(), thread, action, path, line, citation, changes, violating);
    }

    /** exc_page_fault is three steps (Machine.pageFault): name the one this is. */
    private static String pageFaultPhase(Machine m, Machine.Label l, State before) {
        int t = l.thread();
        if (t < 0 || before.depth(t) < 1) return "";
        int a = before.topAct(t);
        boolean pf = false;
        for (int d = before.depth(t) - 1; d >= 1; d--)
            if (Act.vec(before.act(t, d)) != 0) { pf = Act.vec(before.act(t, d)) == Vector.PF.ordinal() + 1; break; }
        if (!pf) return "";
        return switch (Act.phase(a)) {
            case 0 -> " (exc_page_fault: local_irq_enable if the faulting context had IF=1)";
            case 1 -> " (mmap_read_lock, handle_mm_fault: maps the page; its allocation may sleep: schedule())";
            default -> " (local_irq_disable)";
        };
    }

    /**
     * exit_work is several steps of exit_to_user_mode_loop (Machine.exitWork): local_irq_enable,
     * the work (a signal, or schedule()), local_irq_disable and on. Name the phase, so the listing
     * never shows two identical "exit_work" lines.
     */
    private static String exitWorkPhase(Machine.Label l, State before, State after) {
        int c = l.cpu(), t = l.thread();
        if (c < 0 || t < 0) return "";
        if (!before.ifl(c) && after.ifl(c)) return " (local_irq_enable)";
        if (before.sigPending(t) && !after.sigPending(t)) return " (delivers the pending signal)";
        if (before.ifl(c) && !after.ifl(c)) return " (local_irq_disable; no work left)";
        if (before.needResched(t) && !after.needResched(t)) return " (schedule)";
        return " (no work)";
    }
}
