package ukl.model;

import ukl.model.lang.Cond;
import ukl.model.lang.Instr;
import ukl.model.lang.Op;
import ukl.model.lang.Program;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ukl.model.Machine.Label;
import ukl.model.Machine.Transition;
import ukl.model.Machine.Sink;
import ukl.model.Machine.Perturbation;
import ukl.model.Machine.Violation;
import ukl.model.Machine.KernelStackFault;
import ukl.model.Machine.BoundHit;
import ukl.model.Machine.Fault;

/** Linux's nested-NMI logic, arch/x86/entry/entry_64.S asm_exc_nmi (issue 12). */
abstract class Nmi extends Faults {
    Nmi(Scenario sc, Machine.Perturbation p) { super(sc, p); }

    /**
     * asm_exc_nmi from kernel mode, .Lnmi_from_kernel through end_repeat_nmi (arch/x86/entry/entry_64.S,
     * unikernelLinux/linux e0029131; the UKL fork adds no code to it). One step: only #MC can come
     * inside it (NMIs are masked or, in repeat_nmi, the RIP check covers it), and its effect anywhere
     * before the copy is its effect before the step. The three nesting tests, in the code's order:
     * RIP between repeat_nmi and end_repeat_nmi (nested_nmi_out: return, the outer is about to call
     * exc_nmi anyway); "NMI executing" set; or the interrupted RSP on the NMI stack with DF set (an
     * outer NMI between nmi_restore's std and its iret). A nested NMI redirects the "iret" frame to
     * repeat_nmi (nested_nmi) and returns with iretq. Otherwise first_nmi: copy the original frame to
     * the outermost and iret frames and set "NMI executing" (repeat_nmi sets it again each iteration).
     */
    void nmiEnter(State n, int c, int t, int a) {
        int h = nearestHw(n, t);
        if (h < 0 || Act.vec(n.act(t, h)) != Vector.NMI.ordinal() + 1)
            throw new Violation(Property.RETURN_MISMATCH, "nmi_enter in " + codeNames[Act.code(a)] + " outside an NMI");
        int f = hwFrame(n, t, h);
        int below = n.act(t, h - 1);
        Instr at = Act.kind(below) == Act.PATH ? instr(Act.code(below), Act.pc(below)) : null;
        boolean inRepeat = at != null && at.kind() == Instr.Kind.OP && at.op() == Op.NMI_ENTER && (n.nmi(c) & State.NMI_COPIED) != 0;
        int nmiStack = scenario.ist[Vector.NMI.ordinal()] > 0 ? n.ist(c, scenario.ist[Vector.NMI.ordinal()]) : -1;
        boolean nested = inRepeat || (n.nmi(c) & State.NMI_EXEC) != 0
                || ((n.nmi(c) & State.NMI_DF) != 0 && Frame.sp(f) == nmiStack && perturbation != Perturbation.NMI_IGNORES_DF);
        if (nested) {
            int sp = n.sp(c);
            if (n.stack[sp].length == 0 || n.top(sp) != f)
                throw new Violation(Property.RETURN_MISMATCH, "nested NMI's iretq on " + stackName(n, sp) + " pops " + topDesc(n, sp) + ", not its hardware frame");
            if (!inRepeat) n.setNmi(c, n.nmi(c) | State.NMI_REP);   // nested_nmi: the outer's iret goes to repeat_nmi
            n.setNmi(c, n.nmi(c) & ~State.NMI_NEST);
            n.pop(sp);
            n.setSp(c, Frame.sp(f));
            n.setIfl(c, Frame.ifl(f));
            n.setCpl(c, Frame.cpl3(f) ? 3 : 0);
            n.setNmiBlocked(c, false);
            n.truncate(t, h);
            return;
        }
        if ((n.nmi(c) & State.NMI_NEST) != 0)
            throw new Violation(Property.STACK_CLOBBER, "an NMI nested in the outer NMI finds neither \"NMI executing\" nor DF set and takes first_nmi: "
                    + "it overwrites the outer NMI's saved frames on " + stackName(n, n.sp(c)));
        n.setNmi(c, (n.nmi(c) | State.NMI_COPIED | State.NMI_EXEC) & ~(State.NMI_REP | State.NMI_DF));
        advance(n, t, a);
    }

    /**
     * The outer NMI's iret goes through the "iret" frame: to repeat_nmi when a nested NMI redirected
     * it (the outermost copy stays for the next iteration; true: the iret is done), else to the
     * interrupted context, which restores DF (false: the caller pops the frame).
     */
    boolean nmiIret(State n, int c, int t, int h) {
        if (Act.vec(n.act(t, h)) != Vector.NMI.ordinal() + 1 || (n.nmi(c) & State.NMI_COPIED) == 0) return false;
        if ((n.nmi(c) & State.NMI_REP) != 0) {
            int ci = Act.code(n.act(t, h));
            if (nmiEnterPc[ci] < 0)
                throw new Violation(Property.RETURN_MISMATCH, "iret to repeat_nmi, but path " + codeNames[ci] + " has no nmi_enter to repeat");
            n.setNmi(c, n.nmi(c) & ~(State.NMI_REP | State.NMI_DF));
            n.setIfl(c, false);
            n.truncate(t, h + 1);
            n.setTop(t, Act.withPc(n.act(t, h), nmiEnterPc[ci]));
            return true;
        }
        n.setNmi(c, n.nmi(c) & ~(State.NMI_COPIED | State.NMI_REP | State.NMI_DF));
        return false;
    }
}
