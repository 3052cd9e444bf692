------------------------------- MODULE Kernel -------------------------------
(***************************************************************************)
(* The UKL kernel-transition machine of MODEL.md, the twin of            *)
(* java-model's Machine.java. It is tool-agnostic: the path programs,      *)
(* workloads, threads, options and bounds are constants that a generated   *)
(* wrapper (MCKernel_<scenario>.tla) fixes. The checkers compile a preset  *)
(* or path file to the same flat program the Java explorer runs, so both   *)
(* engines interpret one program.                                          *)
(*                                                                         *)
(* State: per-CPU records (cpu), per-thread records (thr), the live frames *)
(* of every stack (stk), event budgets, mmap_lock writers, and err: the    *)
(* property a step violated ("none" while the machine is healthy). A step  *)
(* that violates a property leads to a state with err set and no           *)
(* successors, which is how the Java explorer ends a path at a violation.  *)
(* "BOUND" marks a step cut off by the nesting bound (a run that reaches   *)
(* it is incomplete).                                                      *)
(*                                                                         *)
(* Each op is a pure operator from a machine record to a result record     *)
(* [st, ex, prop, sched]; ex is "ok", "fault" (the op pushed onto an       *)
(* unmapped app-stack page: #PF is delivered instead, from st), "viol" or  *)
(* "bound". Section references are to the dissertation (§) or to           *)
(* UKL-CODE-NOTES.md; proofs-notes/model-choices.md explains each choice.  *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    NCpu,          \* number of CPUs
    NThr,          \* threads: app threads, the co-runner, one idle thread per CPU
    Code,          \* compiled paths: Code[i+1] is path i, a sequence of instructions
    CodeName,      \* CodeName[i+1]: the path's name
    EntryPath,     \* EntryPath[i+1]: TRUE for syscall, irq, exc_*, nmi, mc, db
    VecPath,       \* VecPath[v+1]: code index of vector v's path: the 7 built-in vectors, then the path file's declared ones (issue 14)
    LibcOf,        \* LibcOf[t+1]: code index of thread t's libc_syscall
    ShortcutWrapped, ShortcutBare,   \* code indices of the synthetic shortcut paths
    SyscallPaths,  \* code indices of paths named syscall (a run of one resets the bypass run)
    Bodies,        \* Bodies[b+1]: kernel body b, a sequence of body-op names
    FullPathBodies, \* body indices (a.body) whose glibc wrapper never bypasses (clone)
    ThrKind,       \* ThrKind[t+1] \in {"UKL", "USER", "KTHREAD"}
    ThrCpu,        \* home CPU
    ThrMm,         \* mm index, -1 for kernel threads
    ThrIdle,       \* TRUE for idle threads
    ThrCo,         \* TRUE for the co-running ordinary process
    ThrParent,     \* ThrParent[t+1]: for a clone child's slot, the thread whose clone() fills it; -1 otherwise
    ThrExec,       \* ThrExec[t+1]: the thread starts as kernel_init, which execs the UKL program (issue 13, exec)
    ForkPath,      \* code index of ret_from_fork, -1 none (issue 13, item 4)
    AppProg,       \* AppProg[t+1]: sequence of [k, body, wrapped]
    HandlerProg,   \* HandlerProg[t+1]: the signal handler, then its restorer (syscall rt_sigreturn); <<>> none
    Opts,          \* the set of option names
    PreemptFull,   \* PREEMPT=full
    NmiUserRead,   \* the workload's NMI handler reads an unfaulted user page (perf, copy_from_user_nmi)
    BypassLimit,   \* UKL_BYP limit
    Ist,           \* Ist[v+1]: IST index of vector v (0 = none)
    Budget0,       \* Budget0[e+1]: initial budget of event e (-1 = unbounded)
    MaxNesting     \* activation nesting bound

ASSUME /\ NCpu \in 1..4 /\ NThr \in 2..10 /\ MaxNesting \in 2..30 /\ BypassLimit \in Nat \ {0}
       /\ Len(Ist) = Len(VecPath) /\ Len(Ist) \in 7..15 /\ \A v \in 1..Len(Ist) : Ist[v] \in 0..7
       /\ Len(Budget0) = 7 /\ \A e \in 1..7 : Budget0[e] >= -1
       /\ Len(Code) = Len(CodeName) /\ Len(Code) = Len(EntryPath)
       /\ \A t \in 1..NThr : ThrKind[t] \in {"UKL", "USER", "KTHREAD"} /\ ThrCpu[t] \in 0..(NCpu - 1)

\* Vector ordinals (Vector.java): TIMER IPI NMI MC DB PF DF
VTIMER == 0  VIPI == 1  VNMI == 2  VMC == 3  VDB == 4  VPF == 5  VDF == 6
\* Event ordinals (Event.java): TIMER IPI NMI MC DB SIGNAL WAKEUP
ETIMER == 0  EIPI == 1  ENMI == 2  EMC == 3  EDB == 4  ESIGNAL == 5  EWAKEUP == 6
\* App-stack states (State.java)
MAPPED == 0  FRONTIER == 1  DEEPFRONTIER == 2  DEEP == 3
\* Thread status
RUNNING == 0  READY == 1  SLEEPING == 2  LOCKWAIT == 3  DONE == 4
\* Frame kinds (Frame.java)
FRET == 1  FHW == 2  FFLAGS == 3  FREGS == 4  FDATA == 5  FSIG == 6
FGAP == 7   \* a word below an exec'd program's new stack top that 5.14's exec fix reserves (Frame.GAP)
\* Activation kinds (Act.java)
AAPP == 0  APATH == 1  ABODY == 2  AHANDLER == 3   \* AHANDLER: a signal handler's app code (issue 13)

Has(o) == o \in Opts
Range(a, b) == a..b
Cpus == 0..(NCpu - 1)
Thrs == 0..(NThr - 1)
NStacks == 2 * NThr + 7 * NCpu
AppStk(t) == t
TaskStk(t) == NThr + t
IstStk(c, k) == 2 * NThr + 7 * c + (k - 1)
IsApp(s) == s < NThr
IsTask(s) == s >= NThr /\ s < 2 * NThr
IsIst(s) == s >= 2 * NThr

\* fk: the fake CS 0xC3 UKL's error_entry writes over a mode-2 frame (Frame.java); CS is 0x33 when c3,
\* 0xC3 when fk, else 0x10. Rpl3 is testb $3, CS: what user_mode(regs) and classify cs read.
\* rz (signal frames only): the interrupted leaf's red zone was live; get_sigframe skipped it.
Frame(k, t, d, i, c3, sp) == [k |-> k, t |-> t, d |-> d, i |-> i, c3 |-> c3, sp |-> sp, fk |-> FALSE, rz |-> FALSE]
Rpl3(f) == f.c3 \/ f.fk
MkAct(k, code, pc, vec, hw, c3, body) ==
    [k |-> k, code |-> code, pc |-> pc, vec |-> vec, hw |-> hw, fu |-> FALSE, scr |-> FALSE,
     c3 |-> c3, body |-> body, byp |-> FALSE, sent |-> FALSE, ph |-> 0]

VARIABLES
    budget,   \* budget[e+1]: remaining events of kind e, -1 unbounded
    mmw,      \* mmw[m+1]: thread holding mm m's mmap_lock for write, -1 none
    stk,      \* stk[s+1]: live frames of stack s, bottom first
    cpu,      \* cpu[c+1]: the per-CPU record (MODEL.md §1)
    thr,      \* thr[t+1]: the per-thread record, with its activation stack
    err       \* "none", the name of the property a step violated, or "BOUND"

vars == <<budget, mmw, stk, cpu, thr, err>>

\* The whole machine as one record, for the functional op semantics below.
M == [budget |-> budget, mmw |-> mmw, stk |-> stk, cpu |-> cpu, thr |-> thr]

Ok(s) == [st |-> s, ex |-> "ok", prop |-> "", sched |-> FALSE]
OkS(s, sch) == [st |-> s, ex |-> "ok", prop |-> "", sched |-> sch]
Viol(s, p) == [st |-> s, ex |-> "viol", prop |-> p, sched |-> FALSE]
Fault(s) == [st |-> s, ex |-> "fault", prop |-> "", sched |-> FALSE]
Bound(s) == [st |-> s, ex |-> "bound", prop |-> "", sched |-> FALSE]

\* ---------------------------------------------------------------- accessors
C(s, c) == s.cpu[c + 1]
T(s, t) == s.thr[t + 1]
Stack(s, i) == s.stk[i + 1]
Depth(s, t) == Len(T(s, t).acts)
Act(s, t, d) == T(s, t).acts[d + 1]
Top(s, t) == T(s, t).acts[Len(T(s, t).acts)]
TopFrame(s, i) == Stack(s, i)[Len(Stack(s, i))]
Unmapped(s, u) == T(s, u).appStack \in {FRONTIER, DEEPFRONTIER}

SetTop(s, t, a) == [s EXCEPT !.thr[t + 1].acts[Len(s.thr[t + 1].acts)] = a]
WithPc(a, pc) == [a EXCEPT !.pc = pc]
Advance(s, t) == SetTop(s, t, WithPc(Top(s, t), Top(s, t).pc + 1))
PushAct(s, t, a) == [s EXCEPT !.thr[t + 1].acts = Append(@, a)]
PopAct(s, t) == [s EXCEPT !.thr[t + 1].acts = SubSeq(@, 1, Len(@) - 1)]
Truncate(s, t, n) == [s EXCEPT !.thr[t + 1].acts = SubSeq(@, 1, n)]
PushFrame(s, i, f) == [s EXCEPT !.stk[i + 1] = Append(@, f)]
PopFrame(s, i) == [s EXCEPT !.stk[i + 1] = SubSeq(@, 1, Len(@) - 1)]

NearestHw(s, t) ==
    LET ds == {d \in 1..(Depth(s, t) - 1) : Act(s, t, d).hw}
    IN IF ds = {} THEN -1 ELSE CHOOSE d \in ds : \A e \in ds : e <= d
\* The stacks holding thread t's hardware frame of depth h, and that frame (Machine.hwFrame).
HwIn(s, t, h) == {i \in 0..(NStacks - 1) : \E j \in 1..Len(Stack(s, i)) : Stack(s, i)[j].k = FHW /\ Stack(s, i)[j].t = t /\ Stack(s, i)[j].d = h}
HwFrame(s, t, h) ==
    LET i == CHOOSE x \in HwIn(s, t, h) : TRUE
        j == CHOOSE y \in 1..Len(Stack(s, i)) : Stack(s, i)[y].k = FHW /\ Stack(s, i)[y].t = t /\ Stack(s, i)[y].d = h
    IN Stack(s, i)[j]
\* Replace that frame where it lives (Machine.setHwFrame).
SetHwFrame(s, t, h, nf) ==
    LET i == CHOOSE x \in HwIn(s, t, h) : TRUE
        j == CHOOSE y \in 1..Len(Stack(s, i)) : Stack(s, i)[y].k = FHW /\ Stack(s, i)[y].t = t /\ Stack(s, i)[y].d = h
    IN [s EXCEPT !.stk[i + 1][j] = nf]
NearestVec(s, t) ==
    LET ds == {d \in 1..(Depth(s, t) - 1) : Act(s, t, d).vec # 0}
    IN IF ds = {} THEN -1
       ELSE Act(s, t, CHOOSE d \in ds : \A e \in ds : e <= d).vec - 1
HasVec(s, t, v) == \E d \in 1..(Depth(s, t) - 1) : Act(s, t, d).vec = v + 1
RTC(t) == Has("RUN_TO_COMPLETION") /\ ~ThrIdle[t + 1] /\ ~ThrCo[t + 1]
IsChild(t) == ThrParent[t + 1] >= 0
ChildOf(t) == LET cs == {u \in Thrs : ThrParent[u + 1] = t} IN IF cs = {} THEN -1 ELSE CHOOSE u \in cs : TRUE
\* The body kernel_init's thread function runs: kernel_execve (Workload "exec"), 1-based as a.body.
ExecBodyIdx == CHOOSE b \in 1..Len(Bodies) : Bodies[b][1] = "ukl_exec"
BitSet(m, c) == (m \div (2 ^ c)) % 2 = 1
ClearBit(m, c) == IF BitSet(m, c) THEN m - 2 ^ c ELSE m

\* ---------------------------------------------------------------- scheduling
Restore(s, c, t) ==
    LET th == T(s, t) IN
    [s EXCEPT !.cpu[c + 1].sp = th.savedSp, !.cpu[c + 1].ifl = (th.savedIf = 1),
              !.cpu[c + 1].cpl = th.savedCpl, !.cpu[c + 1].gs = th.savedGs, !.cpu[c + 1].ct = th.savedCt,
              !.thr[t + 1].status = RUNNING, !.thr[t + 1].savedSp = 0, !.thr[t + 1].savedIf = 0,
              !.thr[t + 1].savedCpl = 0, !.thr[t + 1].savedGs = 0, !.thr[t + 1].savedCt = 0]

\* Round robin among READY non-idle threads of CPU c after t (Machine.pickNext).
PickNext(s, c, t) ==
    LET cand(i) == (t + i) % NThr
        ok(u) == u # t /\ ~ThrIdle[u + 1] /\ ThrCpu[u + 1] = c /\ T(s, u).status = READY
        is == {i \in 1..NThr : ok(cand(i))}
    IN IF is = {} THEN -1 ELSE cand(CHOOSE i \in is : \A j \in is : i <= j)

IdleOf(c) == CHOOSE t \in Thrs : ThrIdle[t + 1] /\ ThrCpu[t + 1] = c

SwitchTo(s, c, from, to, fromStatus) ==
    LET cc == C(s, c)
        s1 == [s EXCEPT !.thr[from + 1].savedSp = cc.sp, !.thr[from + 1].savedIf = IF cc.ifl THEN 1 ELSE 0,
                        !.thr[from + 1].savedCpl = cc.cpl, !.thr[from + 1].savedGs = cc.gs,
                        !.thr[from + 1].savedCt = cc.ct, !.thr[from + 1].status = fromStatus,
                        !.cpu[c + 1].running = to]
        \* Another context runs: the CPU made progress, the last tick is no longer open.
        s2 == [Restore(s1, c, to) EXCEPT !.cpu[c + 1].tick = 0, !.cpu[c + 1].storm = FALSE]
    IN IF ThrMm[to + 1] >= 0 THEN [s2 EXCEPT !.cpu[c + 1].pt = ThrMm[to + 1]] ELSE s2

IstFrameOf(s, t) == \E i \in (2 * NThr)..(NStacks - 1) : \E j \in 1..Len(Stack(s, i)) : Stack(s, i)[j].t = t

\* schedule() by thread t on CPU c (Machine.schedule); blocking when t just went to sleep.
Schedule(s, c, t, blocking) ==
    IF T(s, t).preempt > 0 THEN Viol(s, "SCHEDULE_IN_ATOMIC")
    ELSE IF HasVec(s, t, VNMI) THEN Viol(s, "SCHEDULE_IN_ATOMIC")
    ELSE IF IsIst(C(s, c).sp) \/ IstFrameOf(s, t) THEN Viol(s, "SLEEP_ON_IST")
    ELSE LET s1 == [s EXCEPT !.thr[t + 1].needResched = FALSE]
             u == PickNext(s1, c, t)
         IN IF u < 0 /\ ~blocking THEN OkS(s1, TRUE)
            ELSE LET v == IF u < 0 THEN IdleOf(c) ELSE u
                 IN OkS(SwitchTo(s1, c, t, v, IF blocking THEN T(s1, t).status ELSE READY), TRUE)

Wake(s, u) ==
    LET s1 == [s EXCEPT !.thr[u + 1].status = READY]
        r == C(s1, ThrCpu[u + 1]).running
    IN IF ~ThrIdle[r + 1] /\ r # u THEN [s1 EXCEPT !.thr[r + 1].needResched = TRUE] ELSE s1

\* ---------------------------------------------------------------- hardware delivery (MODEL.md §2)
\* Returns [res, vec]: the result of delivering v on c, and the vector actually delivered.
RECURSIVE Delivery(_, _, _, _)
Delivery(s, c, v, left) ==
    LET t == C(s, c).running
        k == Ist[v + 1]
        target == IF k > 0 THEN IstStk(c, k) ELSE IF C(s, c).cpl = 3 THEN TaskStk(t) ELSE C(s, c).sp
        cpl3 == C(s, c).cpl = 3
        \* A nested NMI writes the "original" slot of the NMI stack, free once the outer NMI's
        \* first_nmi copied it and no other nested NMI sits there (entry_64.S asm_exc_nmi).
        nested == k > 0 /\ v = VNMI /\ Len(Stack(s, target)) > 0 /\ C(s, c).nmiCopied /\ ~C(s, c).nmiNest
    IN IF Depth(s, t) >= MaxNesting THEN [res |-> Bound(s), vec |-> v]
       ELSE IF (k > 0 \/ cpl3) /\ Len(Stack(s, target)) > 0 /\ ~nested THEN [res |-> Viol(s, "STACK_CLOBBER"), vec |-> v]
       ELSE IF IsApp(target) /\ Unmapped(s, target) /\ v = VDF THEN [res |-> Viol(s, "DOUBLE_FAULT_PANIC"), vec |-> v]
       ELSE IF IsApp(target) /\ Unmapped(s, target) /\ left > 0 THEN Delivery(s, c, IF v = VPF THEN VDF ELSE VPF, left - 1)
       ELSE IF IsApp(target) /\ T(s, target).redZone THEN [res |-> Viol(s, "RED_ZONE_CLOBBER"), vec |-> v]
       ELSE LET cc == C(s, c)
                s1 == PushFrame(s, target, Frame(FHW, t, Depth(s, t), cc.ifl, cpl3, cc.sp))
                s2 == [s1 EXCEPT !.cpu[c + 1].sp = target, !.cpu[c + 1].cpl = 0, !.cpu[c + 1].ifl = FALSE,
                                 !.cpu[c + 1].shadow = FALSE,
                                 !.cpu[c + 1].nmiBlocked = IF v = VNMI THEN TRUE ELSE @,
                                 !.cpu[c + 1].nmiNest = IF nested THEN TRUE ELSE @]
            IN [res |-> Ok(PushAct(s2, t, MkAct(APATH, VecPath[v + 1], 0, v + 1, TRUE, cpl3, 0))), vec |-> v]

\* A push by an op (Machine.checkPush): "fault" on an unmapped app-stack page, red-zone check.
CheckPush(s, i) ==
    IF ~IsApp(i) THEN "ok"
    ELSE IF Unmapped(s, i) THEN "fault"
    ELSE IF T(s, i).redZone THEN "RED_ZONE_CLOBBER"
    ELSE "ok"

PushChecked(s, i, f, then(_)) ==
    LET chk == CheckPush(s, i) IN
    IF chk = "fault" THEN Fault(s)
    ELSE IF chk # "ok" THEN Viol(s, chk)
    ELSE then(PushFrame(s, i, f))

\* ---------------------------------------------------------------- app code (MODEL.md §3)
AppCode(a) == a.k \in {AAPP, AHANDLER}
\* The activation whose return resumes app context: the nearest interrupt, or the path entered from app code.
EntryRoot(s, t) == LET ks == {k \in 1..(Depth(s, t) - 1) : Act(s, t, k).hw \/ AppCode(Act(s, t, k - 1))}
                   IN IF ks = {} THEN -1 ELSE CHOOSE k \in ks : \A e \in ks : e <= k
HandlerIdx(s, t) == LET ks == {k \in 1..(Depth(s, t) - 1) : Act(s, t, k).k = AHANDLER}
                    IN IF ks = {} THEN -1 ELSE CHOOSE k \in ks : \A e \in ks : e <= k
\* 1-based index of t's newest signal frame on its app stack, 0 when none.
SigIdx(s, t) == LET fr == Stack(s, AppStk(t))
                    js == {j \in 1..Len(fr) : fr[j].k = FSIG /\ fr[j].t = t}
                IN IF js = {} THEN 0 ELSE CHOOSE j \in js : \A e \in js : e <= j
\* SP := the app stack below t's signal frame at index i; that frame and the handler's frames above
\* it are gone, the red zone it kept is live again, pt_regs are no longer rt_sigreturn's (EntryReturn.leaveSigFrame).
LeaveSigFrame(s, c, t, i) ==
    [s EXCEPT !.stk[AppStk(t) + 1] = SubSeq(@, 1, i - 1), !.cpu[c + 1].sp = AppStk(t),
              !.thr[t + 1].redZone = Stack(s, AppStk(t))[i].rz, !.thr[t + 1].sigRet = FALSE]

\* ---------------------------------------------------------------- the clone child (issue 13, item 4)
\* Machine.emptyChildSlot: a child slot that holds no task, in the initial state and after the child exits.
EmptyChild == [mode |-> 0, status |-> DONE, appStack |-> MAPPED,
               redZone |-> FALSE, needResched |-> FALSE, sigPending |-> FALSE, inBypass |-> FALSE,
               preempt |-> 0, bypassCount |-> 0, bypassRun |-> 0, ipiWait |-> 0, sysretDepth |-> -1,
               savedSp |-> 0, savedIf |-> 0, savedCpl |-> 0, savedGs |-> 0, savedCt |-> 0,
               kso |-> FALSE, ubuf |-> FALSE, rcu |-> FALSE, sigArm |-> 0, sigRet |-> FALSE,
               acts |-> <<MkAct(AAPP, 0, 0, 0, FALSE, FALSE, 0)>>]

\* copy_thread for pthread_create's clone or for fork (Machine.cloneChild): the child's iret frame
\* copies the parent's pt_regs (CS of the parent's kind; flags: the user's RFLAGS (IF = 1) for a
\* USER thread, else the flags word the syscall path saved with pushf, one activation below the
\* clone body), SP = its app stack (new for clone, a copy for fork); it inherits the mode and
\* starts in ret_from_fork, READY, IF = 1.
CloneChild(s, c, t, ch, fork) ==
    LET user == ThrKind[t + 1] = "USER"
        d == Depth(s, t) - 2
        isFl(f) == f.k = FFLAGS /\ f.t = t /\ f.d = d
        fl == {f \in {Stack(s, AppStk(t))[j] : j \in 1..Len(Stack(s, AppStk(t)))} \cup {Stack(s, TaskStk(t))[j] : j \in 1..Len(Stack(s, TaskStk(t)))} : isFl(f)}
        \* fork (issue 13, item 4): the child's stack is the copy of the parent's from pt_regs->sp up,
        \* which under the UKL entry is that flags word's slot; the child owns its copy.
        ai == {j \in 1..Len(Stack(s, AppStk(t))) : isFl(Stack(s, AppStk(t))[j])}
        top == IF user THEN Len(Stack(s, AppStk(t))) ELSE IF ai = {} THEN 0 ELSE CHOOSE j \in ai : \A k \in ai : k <= j
        copy == IF ~fork THEN << >> ELSE [j \in 1..top |-> [Stack(s, AppStk(t))[j] EXCEPT !.t = ch]]
    IN IF ~user /\ fl = {} THEN Viol(s, "RETURN_MISMATCH")
       ELSE LET ifl == IF user THEN TRUE ELSE (CHOOSE f \in fl : TRUE).i
                \* rz of a REGS frame: pt_regs->si = 0, clone's new-stack argument (a fork child; Frame.forkRegs)
                s1 == [s EXCEPT !.stk[TaskStk(ch) + 1] = <<Frame(FHW, ch, 1, ifl, user, AppStk(ch)), [Frame(FREGS, ch, 1, FALSE, FALSE, 0) EXCEPT !.rz = fork]>>,
                                !.stk[AppStk(ch) + 1] = copy,
                                !.thr[ch + 1] = [EmptyChild EXCEPT !.acts = <<MkAct(AAPP, 0, 0, 0, FALSE, FALSE, 0), MkAct(APATH, ForkPath, 0, 0, TRUE, user, 0)>>,
                                                                   !.mode = T(s, t).mode, !.savedSp = TaskStk(ch), !.savedIf = 1]]
            IN Ok(Wake(s1, ch))

\* The child's first app instruction (Machine.childFirstAppStep): from here on it is an ordinary
\* thread, which the other threads already model, so it exits and frees its slot.
ChildFirstAppStep(s, c, t) ==
    IF \E j \in 1..Len(Stack(s, AppStk(t))) : ~(Top(s, t).k = AHANDLER /\ Stack(s, AppStk(t))[j].k = FSIG)
    THEN Viol(s, "RETURN_MISMATCH")   \* only a handler's first step may find its signal frame there
    ELSE LET r == Schedule([s EXCEPT !.thr[t + 1].status = DONE, !.stk[AppStk(t) + 1] = << >>], c, t, TRUE)
         IN IF r.ex = "ok" THEN [r EXCEPT !.st.thr[t + 1] = EmptyChild] ELSE r

ExecApp(s, c, t) ==
    LET a == Top(s, t)
        hd == a.k = AHANDLER   \* a handler runs once, then its restorer (the last op of HandlerProg)
        prog == IF hd THEN HandlerProg[t + 1] ELSE AppProg[t + 1]
        op == prog[a.pc + 1]
        next == IF hd THEN a.pc + 1 ELSE (a.pc + 1) % Len(prog)
        kind == ThrKind[t + 1]
        s0 == IF ThrIdle[t + 1] THEN s ELSE [s EXCEPT !.thr[t + 1].redZone = FALSE]
        adv(x) == SetTop(x, t, WithPc(a, next))
    IN
    IF hd /\ a.pc >= Len(prog) THEN Viol(s, "RETURN_MISMATCH")   \* the restorer returned: rt_sigreturn resumed nothing
    ELSE IF ~ThrIdle[t + 1] /\ kind = "UKL" /\ T(s, t).mode # 2 THEN Viol(s, "MODE_MISMATCH")
    ELSE IF ~ThrIdle[t + 1] /\ C(s, c).nmiBlocked /\ ~HasVec(s, t, VNMI) THEN Viol(s, "NMI_BLOCKED_LEAK")
    ELSE IF ~ThrIdle[t + 1] /\ ~C(s, c).ifl THEN Viol(s, "APP_IRQS_OFF")   \* every return to app code restores IF = 1
    ELSE IF ~ThrIdle[t + 1] /\ C(s, c).cpl # (IF kind = "USER" THEN 3 ELSE 0) THEN Viol(s, "RETURN_MISMATCH")
    ELSE IF ~ThrIdle[t + 1] /\ C(s, c).sp # AppStk(t) THEN Viol(s, "RETURN_MISMATCH")
    ELSE IF IsChild(t) \/ ThrExec[t + 1] THEN ChildFirstAppStep(s0, c, t)
    ELSE CASE op.k = "SYSCALL" \/ op.k = "SHORTCUT" ->
                LET target == IF op.k = "SYSCALL" \/ kind = "USER" THEN LibcOf[t + 1]
                              ELSE IF op.wrapped THEN ShortcutWrapped ELSE ShortcutBare
                IN IF Depth(s0, t) >= MaxNesting THEN Bound(s)
                   ELSE Ok(PushAct(adv(s0), t, MkAct(APATH, target, 0, 0, FALSE, FALSE, op.body + 1)))
           [] op.k = "GROW_STACK" ->
                Ok(adv(IF Has("NSS_PS") THEN s0 ELSE [s0 EXCEPT !.thr[t + 1].appStack = FRONTIER]))
           [] op.k = "REDZONE" ->
                Ok(adv(IF Has("APP_REDZONE") THEN [s0 EXCEPT !.thr[t + 1].redZone = TRUE] ELSE s0))
           [] op.k = "COMPUTE" ->
                IF ~ThrIdle[t + 1] /\ Unmapped(s0, t) THEN Fault(s) ELSE Ok(adv(s0))
           [] op.k = "IDLE" ->
                LET u == PickNext(s, c, t) IN
                IF u >= 0 THEN OkS(SwitchTo(s, c, t, u, READY), TRUE) ELSE Ok(s)

\* ---------------------------------------------------------------- kernel bodies (MODEL.md §3)
WaitCycle(s, t, m) ==   \* TRUE when waiting on m closes a waits-for cycle back to t
    LET RECURSIVE chain(_, _)
        chain(u, n) == IF n = 0 \/ u < 0 THEN FALSE
                       ELSE IF T(s, u).status # LOCKWAIT THEN FALSE
                       ELSE LET w == s.mmw[ThrMm[u + 1] + 1] IN IF w = t THEN TRUE ELSE chain(w, n - 1)
    IN chain(s.mmw[m + 1], NThr)

Block(s, c, t, status) == Schedule([s EXCEPT !.thr[t + 1].status = status], c, t, TRUE)

\* Kernel frames on a shared app stack go below the app's own pages (§5.11's mmap example).
TouchAppStack(s, c, t) ==
    IF Has("NSS_PS") THEN Ok(Advance(s, t))
    ELSE IF C(s, c).sp = AppStk(t)
         THEN (IF T(s, t).appStack # DEEP
               THEN [st |-> [s EXCEPT !.thr[t + 1].appStack = DEEPFRONTIER], ex |-> "faultkeep", prop |-> "", sched |-> FALSE]
               ELSE Ok(Advance(s, t)))
    ELSE IF Unmapped(s, t) THEN Fault(s) ELSE Ok(Advance(s, t))

FinishIpi(s, c, t) ==
    LET holds(i) == \E j \in 1..Len(Stack(s, i)) : Stack(s, i)[j].k = FDATA /\ Stack(s, i)[j].t = t
        hs == {x \in 0..(NStacks - 1) : holds(x)}
        i == IF hs = {} THEN 0 ELSE CHOOSE x \in hs : \A y \in hs : x <= y
        js == {j \in 1..Len(Stack(s, i)) : Stack(s, i)[j].k = FDATA /\ Stack(s, i)[j].t = t}
        j == CHOOSE x \in js : \A y \in js : y <= x
        a == Top(s, t)
        s1 == IF hs # {} THEN [s EXCEPT !.stk[i + 1] = SubSeq(@, 1, j - 1) \o SubSeq(@, j + 1, Len(@))] ELSE s
    IN SetTop(s1, t, [a EXCEPT !.sent = FALSE, !.pc = a.pc + 1])

ExecBody(s, c, t) ==
    LET a == Top(s, t)
        op == Bodies[a.body][a.pc + 1]
        m == ThrMm[t + 1]
    IN CASE op = "lock" ->
              IF s.mmw[m + 1] = t THEN Viol(s, "DEADLOCK")
              ELSE IF s.mmw[m + 1] >= 0 THEN (IF WaitCycle(s, t, m) THEN Viol(s, "DEADLOCK") ELSE Block(s, c, t, LOCKWAIT))
              ELSE Ok(Advance([s EXCEPT !.mmw[m + 1] = t], t))
         [] op = "unlock" ->
              IF s.mmw[m + 1] = t
              THEN LET s1 == [s EXCEPT !.mmw[m + 1] = -1]
                       RECURSIVE wakeAll(_, _)
                       wakeAll(x, u) == IF u >= NThr THEN x
                                        ELSE wakeAll(IF T(x, u).status = LOCKWAIT /\ ThrMm[u + 1] = m THEN Wake(x, u) ELSE x, u + 1)
                   IN Ok(Advance(wakeAll(s1, 0), t))
              ELSE Ok(Advance(s, t))
         [] op = "spin_lock" -> Ok(Advance([s EXCEPT !.thr[t + 1].preempt = @ + 1], t))
         [] op = "spin_unlock" -> Ok(Advance([s EXCEPT !.thr[t + 1].preempt = IF @ > 0 THEN @ - 1 ELSE 0], t))
         [] op = "touch_app_stack" -> TouchAppStack(s, c, t)
         \* copy_to_user on a user page not faulted in yet: a #PF from kernel mode, the copy restarts.
         [] op = "copy_user" -> IF T(s, t).ubuf THEN Ok(Advance(s, t)) ELSE Fault(s)
         \* rt_sigreturn: restore_sigcontext loads pt_regs from the frame at regs->sp + 8 (UKL).
         [] op = "sigreturn" -> IF HandlerIdx(s, t) < 0 \/ SigIdx(s, t) = 0 THEN Viol(s, "RETURN_MISMATCH")
                                ELSE Ok(Advance([s EXCEPT !.thr[t + 1].sigRet = TRUE], t))
         \* A call chain deeper than the stack: a task or IST stack has a guard page below it
         \* ("kfault", StepResult); an app stack grows as for touch_app_stack.
         [] op = "kstack_overflow" ->
              IF IsApp(C(s, c).sp) THEN TouchAppStack(s, c, t)
              ELSE [st |-> s, ex |-> "kfault", prop |-> "", sched |-> FALSE]
         [] op = "sleep" ->
              IF T(s, t).sigPending THEN Ok(Advance(s, t))   \* an interruptible sleep returns -EINTR
              ELSE Block(Advance(s, t), c, t, SLEEPING)
         [] op = "rcu_lock" ->
              IF Has("NOHZ_FULL") /\ C(s, c).ct = 1 THEN Viol(s, "RCU_NOT_WATCHING")
              ELSE Ok(Advance([s EXCEPT !.thr[t + 1].rcu = TRUE], t))
         [] op = "rcu_unlock" -> Ok(Advance([s EXCEPT !.thr[t + 1].rcu = FALSE], t))
         \* A GFP_KERNEL allocation may sleep in reclaim: schedule() (Machine.execBody ALLOC).
         [] op = "alloc" -> Schedule(Advance(s, t), c, t, FALSE)
         \* check_ukl_exec (RFC fs/exec.c): enter_ukl_kernel() for the configured UKL program (Machine UKL_EXEC).
         [] op = "ukl_exec" -> Ok(Advance(IF ThrKind[t + 1] = "UKL" THEN [s EXCEPT !.thr[t + 1].mode = 1] ELSE s, t))
         \* start_thread_common (process_64.c): CS __KERNEL_CS for a UKL thread, else __USER_CS; sp = the
         \* new stack; flags = X86_EFLAGS_IF. The return then goes to the new program (Machine START_THREAD).
         [] op = "start_thread" ->
              LET h == NearestHw(s, t)
                  user == ThrKind[t + 1] = "USER"
              IN IF h < 0 \/ HwIn(s, t, h) = {} THEN Viol(s, "RETURN_MISMATCH")
                 ELSE Ok(Advance([SetHwFrame(s, t, h, Frame(FHW, t, h, TRUE, user, AppStk(t))) EXCEPT !.thr[t + 1].acts[h + 1].c3 = user], t))
         \* copy_thread: under CONFIG_UKL_SAME_STACK the parent's pt_regs come from TSS_sp2, stored by
         \* the syscall path (its save_sp still pending); another thread may have overwritten it.
         [] op \in {"clone_regs", "fork_regs"} ->
              IF Act(s, t, Depth(s, t) - 2).scr /\ C(s, c).scratchT # t THEN Viol(s, "SCRATCH_CLOBBER")
              \* One child slot: a clone while the child lives fails with -EAGAIN (the model's RLIMIT_NPROC).
              ELSE IF ChildOf(t) >= 0 /\ T(s, ChildOf(t)).status = DONE THEN CloneChild(Advance(s, t), c, t, ChildOf(t), op = "fork_regs")
              ELSE Ok(Advance(s, t))
         [] op = "send_ipi" ->
              IF ~a.sent
              THEN IF \E o \in Cpus : o # c /\ C(s, o).ipiState # 0 THEN Ok(s)   \* csd lock busy: spin
                   ELSE LET sp == C(s, c).sp IN
                        PushChecked(s, sp, Frame(FDATA, t, Depth(s, t) - 1, FALSE, FALSE, 0),
                            LAMBDA x : LET others == {o \in Cpus : o # c}
                                           x1 == [x EXCEPT !.cpu = [i \in 1..NCpu |->
                                                     IF i - 1 \in others THEN [@[i] EXCEPT !.ipiState = 1, !.ipiFrom = t + 1, !.ipiStack = sp]
                                                     ELSE @[i]],
                                                   !.thr[t + 1].ipiWait = LET RECURSIVE sum(_) sum(S) == IF S = {} THEN 0 ELSE LET e == CHOOSE e \in S : TRUE IN 2 ^ e + sum(S \ {e}) IN sum(others)]
                                           x2 == SetTop(x1, t, [a EXCEPT !.sent = TRUE])
                                       IN Ok(IF others = {} THEN FinishIpi(x2, c, t) ELSE x2))
              ELSE IF T(s, t).ipiWait = 0 THEN Ok(FinishIpi(s, c, t))
              ELSE Ok(s)

\* ---------------------------------------------------------------- path ops (MODEL.md §4)
CheckUnwound(s, t, r, d) ==   \* ret/sysret must not jump over a live hardware frame
    \A k \in (r + 1)..d : Act(s, t, k).hw =>
        ~\E i \in 0..(NStacks - 1) : \E j \in 1..Len(Stack(s, i)) :
            LET f == Stack(s, i)[j] IN f.k = FHW /\ f.t = t /\ f.d = k

\* fl: the frame becomes a return address and a flags word (switch_stack app); FALSE: a return
\* address only (switch_stack app_ret, for sti; ret without popf).
SwitchToApp(s, c, t, fl) ==
    LET app == AppStk(t)
        h == NearestHw(s, t)
        sp == C(s, c).sp
        f == TopFrame(s, sp)
        root == EntryRoot(s, t)
        i == SigIdx(s, t)
    \* After rt_sigreturn the syscall return loads the restored SP: the signal frame and the
    \* handler's frames above it are left behind.
    IN IF T(s, t).sigRet /\ root >= 0 /\ ~Act(s, t, root).hw
       THEN IF i = 0 THEN Viol(s, "RETURN_MISMATCH") ELSE Ok(LeaveSigFrame(s, c, t, i))
       ELSE IF h >= 0 /\ sp # app /\ Len(Stack(s, sp)) > 0 /\ f.k = FHW /\ f.t = t /\ f.d = h
       THEN IF f.sp # app \/ f.c3 THEN Viol(s, "RETURN_MISMATCH")
            ELSE LET chk == CheckPush(s, app) IN
                 IF chk = "fault" THEN Fault(s) ELSE IF chk # "ok" THEN Viol(s, chk)
                 ELSE LET s0 == PushFrame(PopFrame(s, sp), app, Frame(FRET, t, h - 1, FALSE, FALSE, 0))
                          s1 == IF fl THEN PushFrame(s0, app, Frame(FFLAGS, t, h - 1, f.i, FALSE, 0)) ELSE s0
                      IN Ok([s1 EXCEPT !.cpu[c + 1].sp = app])
       ELSE Ok([s EXCEPT !.cpu[c + 1].sp = app])

SyncRegs(s, c, t) ==
    LET h == NearestHw(s, t)
        sp == C(s, c).sp
        fr == Stack(s, sp)
        mine(j) == fr[j].t = t /\ fr[j].d >= h
        \* i = length of the prefix that stays: the top run of this interrupt's frames is moved
        i == IF h < 0 THEN Len(fr) ELSE CHOOSE x \in 0..Len(fr) : (\A j \in (x + 1)..Len(fr) : mine(j)) /\ (x = 0 \/ ~mine(x))
        task == TaskStk(t)
    IN IF h < 0 THEN Viol(s, "RETURN_MISMATCH")
       ELSE IF i = Len(fr) THEN Viol(s, "RETURN_MISMATCH")
       ELSE IF sp = task THEN (IF i > 0 THEN Viol(s, "STACK_CLOBBER") ELSE Ok(s))
       ELSE IF Len(Stack(s, task)) > 0 THEN Viol(s, "STACK_CLOBBER")
       ELSE Ok([s EXCEPT !.stk[sp + 1] = SubSeq(fr, 1, i), !.stk[task + 1] = SubSeq(fr, i + 1, Len(fr)),
                         !.cpu[c + 1].sp = task])


\* The pc of path ci's first nmi_enter (repeat_nmi, where a redirected iret lands), -1 none.
NmiEnterPc(ci) ==
    LET ps == {p \in 1..Len(Code[ci + 1]) : Code[ci + 1][p].k = "OP" /\ Code[ci + 1][p].op = "nmi_enter"}
    IN IF ps = {} THEN -1 ELSE (CHOOSE p \in ps : \A q \in ps : p <= q) - 1

\* asm_exc_nmi from kernel mode, .Lnmi_from_kernel through end_repeat_nmi (Machine.nmiEnter): nested
\* when the interrupted RIP is in repeat_nmi..end_repeat_nmi (return as is), "NMI executing" is set,
\* or the interrupted RSP is on the NMI stack with DF set; a nested NMI points the "iret" frame at
\* repeat_nmi and returns with iretq. Otherwise first_nmi copies the frame and sets "NMI executing".
NmiEnter(s, c, t) ==
    LET a == Top(s, t)
        h == NearestHw(s, t)
    IN IF h < 0 THEN Viol(s, "RETURN_MISMATCH")
       ELSE IF Act(s, t, h).vec # VNMI + 1 THEN Viol(s, "RETURN_MISMATCH")
       ELSE IF HwIn(s, t, h) = {} THEN Viol(s, "RETURN_MISMATCH")
       ELSE LET f == HwFrame(s, t, h)
                b == Act(s, t, h - 1)
                cc == C(s, c)
                inRepeat == b.k = APATH /\ b.pc < Len(Code[b.code + 1])
                            /\ Code[b.code + 1][b.pc + 1].k = "OP" /\ Code[b.code + 1][b.pc + 1].op = "nmi_enter" /\ cc.nmiCopied
                nmiStk == IF Ist[VNMI + 1] > 0 THEN IstStk(c, Ist[VNMI + 1]) ELSE -1
                sp == cc.sp
            IN IF inRepeat \/ cc.nmiExec \/ (cc.nmiDf /\ f.sp = nmiStk)
               THEN IF Len(Stack(s, sp)) = 0 \/ TopFrame(s, sp) # f THEN Viol(s, "RETURN_MISMATCH")
                    ELSE Ok(Truncate([PopFrame(s, sp) EXCEPT !.cpu[c + 1].nmiRep = IF inRepeat THEN @ ELSE TRUE,
                                      !.cpu[c + 1].nmiNest = FALSE, !.cpu[c + 1].sp = f.sp, !.cpu[c + 1].ifl = f.i,
                                      !.cpu[c + 1].cpl = IF f.c3 THEN 3 ELSE 0, !.cpu[c + 1].nmiBlocked = FALSE], t, h))
               ELSE IF cc.nmiNest THEN Viol(s, "STACK_CLOBBER")   \* a nested NMI takes first_nmi
               ELSE Ok(Advance([s EXCEPT !.cpu[c + 1].nmiCopied = TRUE, !.cpu[c + 1].nmiExec = TRUE,
                                         !.cpu[c + 1].nmiRep = FALSE, !.cpu[c + 1].nmiDf = FALSE], t))

\* The saved IF of thread t's hardware frame at depth h (Machine.hwFrame).
HwFrameIf(s, t, h) ==
    LET is == {i \in 0..(NStacks - 1) : \E j \in 1..Len(Stack(s, i)) : Stack(s, i)[j].k = FHW /\ Stack(s, i)[j].t = t /\ Stack(s, i)[j].d = h}
        i == CHOOSE x \in is : TRUE
        j == CHOOSE y \in 1..Len(Stack(s, i)) : Stack(s, i)[y].k = FHW /\ Stack(s, i)[y].t = t /\ Stack(s, i)[y].d = h
    IN IF is = {} THEN FALSE ELSE Stack(s, i)[j].i

\* exc_page_fault (arch/x86/mm/fault.c, Machine.pageFault) in three steps, a.ph: 0 local_irq_enable
\* when the faulting context had IF=1; 1 mmap_read_trylock / mmap_read_lock (UKL threads block),
\* then handle_mm_fault maps the page and its page allocation may sleep: schedule(); 2
\* local_irq_disable. A fault on the overflowed task stack's guard page is page_fault_oops.
PageFault(s, c, t) ==
    LET a == Top(s, t)
        stackFault == T(s, t).appStack \in {FRONTIER, DEEPFRONTIER}
        m == ThrMm[t + 1]
        w == s.mmw[m + 1]
        mapped == IF stackFault THEN [s EXCEPT !.thr[t + 1].appStack = IF @ = DEEPFRONTIER THEN DEEP ELSE MAPPED]
                  ELSE [s EXCEPT !.thr[t + 1].ubuf = TRUE]
        h == NearestHw(s, t)
    IN IF T(s, t).kso THEN Viol(s, "UNHANDLED_KERNEL_FAULT")
       \* In NMI context faulthandler_disabled(): a uaccess is fixed up, a push oopses.
       ELSE IF HasVec(s, t, VNMI) THEN (IF stackFault THEN Viol(s, "UNHANDLED_KERNEL_FAULT") ELSE Ok(Advance(s, t)))
       ELSE IF a.ph = 0 /\ ~stackFault /\ T(s, t).ubuf THEN Ok(Advance(s, t))   \* nothing to map
       ELSE IF a.ph = 0
       THEN Ok(SetTop(IF h >= 0 /\ HwFrameIf(s, t, h) THEN [s EXCEPT !.cpu[c + 1].ifl = TRUE] ELSE s, t, [a EXCEPT !.ph = 1]))
       ELSE IF a.ph = 1
       THEN IF ~(stackFault /\ Has("STACK_VMA_CHECK")) /\ w = t THEN Viol(s, "DEADLOCK")
            ELSE IF ~(stackFault /\ Has("STACK_VMA_CHECK")) /\ w >= 0
                 THEN (IF WaitCycle(s, t, m) THEN Viol(s, "DEADLOCK") ELSE Block(s, c, t, LOCKWAIT))
            ELSE Schedule(SetTop(mapped, t, [a EXCEPT !.ph = 2]), c, t, FALSE)
       ELSE Ok(SetTop([s EXCEPT !.cpu[c + 1].ifl = FALSE], t, [a EXCEPT !.ph = 0, !.pc = a.pc + 1]))

Handle(s, c, t) ==
    LET vi == NearestVec(s, t) IN
    IF vi < 0 THEN Viol(s, "RETURN_MISMATCH")
    ELSE IF C(s, c).gs = 1 THEN Viol(s, "USER_GS_IN_KERNEL")
    ELSE IF Has("NOHZ_FULL") /\ C(s, c).ct = 1 /\ vi \notin {VNMI, VMC, VDB}
            /\ ~HasVec(s, t, VNMI) /\ ~HasVec(s, t, VMC) /\ ~HasVec(s, t, VDB) THEN Viol(s, "RCU_NOT_WATCHING")
    \* The tick: rcu_sched_clock_irq(user_mode(regs)); non-preemptible RCU reports a quiescent state
    \* for "user" unconditionally, inside rcu_read_lock() or a spinlock too (Faults.handle).
    ELSE CASE vi = VTIMER ->
                LET h == NearestHw(s, t) IN
                IF h < 0 \/ HwIn(s, t, h) = {} THEN Viol(s, "RETURN_MISMATCH")
                ELSE IF Rpl3(HwFrame(s, t, h)) /\ ~PreemptFull /\ (T(s, t).rcu \/ T(s, t).preempt > 0) THEN Viol(s, "EARLY_GRACE_PERIOD")
                ELSE Ok(Advance([s EXCEPT !.thr[t + 1].needResched = TRUE], t))
           [] vi = VIPI ->
                LET i == C(s, c).ipiStack IN
                \* The kernel's page tables (pt = -1) map the UKL process's user half: "UKL shares the
                \* kernel's page tables" (§5.10); another mm's page tables do not.
                LET mapped == C(s, c).pt = ThrMm[i + 1] \/ (C(s, c).pt = -1 /\ ThrKind[i + 1] = "UKL") IN
                IF IsApp(i) /\ ~Has("NSS_PS") /\ ~mapped THEN Viol(s, "UNHANDLED_KERNEL_FAULT")
                ELSE LET from == C(s, c).ipiFrom - 1 IN
                     Ok(Advance([s EXCEPT !.thr[from + 1].ipiWait = ClearBit(@, c), !.cpu[c + 1].ipiState = 0,
                                          !.cpu[c + 1].ipiFrom = 0, !.cpu[c + 1].ipiStack = 0], t))
           [] vi = VPF -> PageFault(s, c, t)
           \* perf's NMI handler reads an unfaulted user page (copy_from_user_nmi): #PF, fixed up.
           [] vi = VNMI ->
                LET a == Top(s, t) IN
                IF NmiUserRead /\ a.ph = 0 /\ ~T(s, t).ubuf
                THEN [st |-> SetTop(s, t, [a EXCEPT !.ph = 1]), ex |-> "faultkeep", prop |-> "", sched |-> FALSE]
                ELSE Ok(SetTop(s, t, [a EXCEPT !.ph = 0, !.pc = a.pc + 1]))
           [] OTHER -> Ok(Advance(s, t))

Enter(s, t, a) == IF Depth(s, t) >= MaxNesting THEN Bound(s) ELSE Ok(PushAct(s, t, a))

\* ---------------------------------------------------------------- signals (EntryReturn.java, issue 13)
\* The sig_frame condition: pt_regs' CS is 0xC3 because of a signal.
SigFrameCs(s, t) == ThrKind[t + 1] = "UKL" /\ (T(s, t).sigArm # 0 \/ (T(s, t).sigRet /\ SigIdx(s, t) > 0 /\ Stack(s, AppStk(t))[SigIdx(s, t)].fk))

\* setup_rt_frame from exit_work: the frame at regs->sp - 128 (the red zone skipped) on the stack
\* regs->sp points into; kernel frames of this entry on that stack lie below regs->sp.
DeliverSignal(s, c, t) ==
    LET th == T(s, t)
        root == EntryRoot(s, t)
        hwr == root >= 0 /\ Act(s, t, root).hw
        target == IF hwr THEN HwFrame(s, t, root).sp ELSE AppStk(t)
        fk == hwr /\ HwFrame(s, t, root).fk
        clob == \E j \in 1..Len(Stack(s, target)) :
                    LET f == Stack(s, target)[j] IN f.t = t /\ f.d >= root /\ f.k \in {FREGS, FDATA, FHW}
    IN IF th.sigRet \/ th.sigArm # 0 THEN Bound(s)
       ELSE IF root < 0 THEN Viol(s, "RETURN_MISMATCH")
       ELSE IF hwr /\ HwIn(s, t, root) = {} THEN Viol(s, "RETURN_MISMATCH")
       ELSE IF IsApp(target) /\ Unmapped(s, target) THEN Fault(s)
       ELSE IF clob THEN Viol(s, "STACK_CLOBBER")
       ELSE Ok([PushFrame(s, target, [Frame(FSIG, t, root, FALSE, FALSE, 0) EXCEPT !.fk = fk, !.rz = th.redZone])
                EXCEPT !.thr[t + 1].redZone = FALSE, !.thr[t + 1].sigArm = Depth(s, t)])

\* After a return op: when it ended the activation whose exit_work delivered, the handler starts.
StartHandler(s, c, t) ==
    LET sp == C(s, c).sp
        n == Len(Stack(s, sp))
    IN IF T(s, t).sigArm = 0 \/ Depth(s, t) >= T(s, t).sigArm THEN Ok(s)
       ELSE IF n = 0 \/ Stack(s, sp)[n].k # FSIG \/ Stack(s, sp)[n].t # t THEN Viol(s, "RETURN_MISMATCH")
       ELSE Enter([s EXCEPT !.thr[t + 1].sigArm = 0, !.stk[sp + 1][n].i = C(s, c).ifl], t, MkAct(AHANDLER, 0, 0, 0, FALSE, FALSE, 0))

\* rt_sigreturn's return to the context the signal interrupted.
SigreturnResume(s, c, t, d) ==
    LET k == HandlerIdx(s, t)
        i == SigIdx(s, t)
        app == AppStk(t)
        sig == Stack(s, app)[i]
    IN IF k < 0 \/ i = 0 THEN Viol(s, "RETURN_MISMATCH")
       ELSE IF ~CheckUnwound(s, t, k - 1, d) THEN Viol(s, "RETURN_MISMATCH")
       ELSE Ok(Truncate([LeaveSigFrame(s, c, t, i) EXCEPT !.cpu[c + 1].ifl = sig.i,
                                  !.cpu[c + 1].cpl = IF ThrKind[t + 1] = "USER" THEN 3 ELSE 0], t, k))

\* 5.14's syscall return for CS 0xC3: iret through the entry's pt_regs, to the handler or, after
\* rt_sigreturn, to the restored context.
SyscallIret(s, c, t, d, root) ==
    LET app == AppStk(t)
        fr == Stack(s, app)
        i == SigIdx(s, t)
    IN IF T(s, t).sigRet THEN SigreturnResume(s, c, t, d)
       ELSE IF i < 2 \/ i # Len(fr) \/ fr[i - 1].k # FFLAGS \/ fr[i - 1].t # t THEN Viol(s, "RETURN_MISMATCH")
       ELSE IF ~CheckUnwound(s, t, root, d) THEN Viol(s, "RETURN_MISMATCH")
       ELSE StartHandler(Truncate([s EXCEPT !.cpu[c + 1].sp = app, !.cpu[c + 1].ifl = fr[i - 1].i, !.cpu[c + 1].cpl = 0], t, root + 1), c, t)

ExitWork(s, c, t) ==
    LET th == T(s, t)
        resched == th.needResched /\ ~RTC(t)
        work == resched \/ th.sigPending
    IN IF work
       THEN IF ~C(s, c).ifl THEN Ok([s EXCEPT !.cpu[c + 1].ifl = TRUE])
            ELSE IF th.sigPending
                 THEN IF Len(HandlerProg[t + 1]) = 0 THEN OkS([s EXCEPT !.thr[t + 1].sigPending = FALSE], TRUE)
                      ELSE LET r == DeliverSignal(s, c, t) IN
                           IF r.ex = "ok" THEN OkS([r.st EXCEPT !.thr[t + 1].sigPending = FALSE], TRUE) ELSE r
            ELSE Schedule(s, c, t, FALSE)
       ELSE IF C(s, c).ifl THEN Ok([s EXCEPT !.cpu[c + 1].ifl = FALSE])
       ELSE Ok(Advance(s, t))


\* Ops that reach current or per-CPU data through %gs (EntryReturn.readsPerCpu, issue 13): the
\* mode accessors, TSS_sp2, cpu_current_top_of_stack and the C entry/exit code.
ReadsPerCpu(in) ==
    \/ in.op \in {"set_mode", "save_sp", "load_sp", "sync_regs", "ct_exit", "ct_enter", "exit_work", "preempt_check"}
    \/ in.op = "switch_stack" /\ in.arg = 0
    \/ in.op = "classify" /\ in.arg = 1

ExecOp(s, c, t, in) ==
    LET a == Top(s, t)
        d == Depth(s, t) - 1
        sp == C(s, c).sp
        top == TopFrame(s, sp)
        empty == Len(Stack(s, sp)) = 0
    IN IF C(s, c).gs = 1 /\ ReadsPerCpu(in) THEN Viol(s, "USER_GS_IN_KERNEL") ELSE
       CASE in.op = "syscall" ->
              Ok(Advance([s EXCEPT !.cpu[c + 1].cpl = 0, !.cpu[c + 1].ifl = FALSE, !.thr[t + 1].sysretDepth = d], t))
         [] in.op = "call" -> PushChecked(s, sp, Frame(FRET, t, d, FALSE, FALSE, 0), LAMBDA x : Ok(Advance(x, t)))
         [] in.op = "cli" -> Ok(Advance([s EXCEPT !.cpu[c + 1].ifl = FALSE], t))
         [] in.op = "sti" -> Ok(Advance([s EXCEPT !.cpu[c + 1].ifl = TRUE, !.cpu[c + 1].shadow = TRUE], t))
         [] in.op = "pushf" -> PushChecked(s, sp, Frame(FFLAGS, t, d, C(s, c).ifl, FALSE, 0), LAMBDA x : Ok(Advance(x, t)))
         [] in.op = "popf" ->
              IF empty \/ top.k # FFLAGS \/ top.t # t THEN Viol(s, "RETURN_MISMATCH")
              ELSE Ok(Advance([PopFrame(s, sp) EXCEPT !.cpu[c + 1].ifl = top.i], t))
         [] in.op = "swapgs" -> Ok(Advance([s EXCEPT !.cpu[c + 1].gs = 1 - @], t))
         [] in.op = "set_mode" ->
              Ok(Advance(IF ThrKind[t + 1] = "UKL" THEN [s EXCEPT !.thr[t + 1].mode = IF in.arg = 0 THEN 1 ELSE 2] ELSE s, t))
         [] in.op = "save_sp" ->
              Ok(SetTop([s EXCEPT !.cpu[c + 1].scratchT = t, !.cpu[c + 1].scratchSp = sp], t, [a EXCEPT !.scr = TRUE, !.pc = a.pc + 1]))
         [] in.op = "load_sp" ->
              IF C(s, c).scratchT # t THEN Viol(s, "SCRATCH_CLOBBER")
              ELSE Ok(SetTop([s EXCEPT !.cpu[c + 1].sp = C(s, c).scratchSp], t, [a EXCEPT !.scr = FALSE, !.pc = a.pc + 1]))
         [] in.op = "switch_stack" ->
              IF in.arg = 0
              THEN IF Len(Stack(s, TaskStk(t))) > 0 THEN Viol(s, "STACK_CLOBBER")
                   ELSE Ok(Advance([s EXCEPT !.cpu[c + 1].sp = TaskStk(t)], t))
              ELSE LET r == SwitchToApp(s, c, t, in.arg = 1) IN IF r.ex = "ok" THEN Ok(Advance(r.st, t)) ELSE r
         [] in.op = "push_regs" ->
              IF a.scr /\ C(s, c).scratchT # t THEN Viol(s, "SCRATCH_CLOBBER")
              ELSE PushChecked(s, sp, Frame(FREGS, t, d, FALSE, FALSE, 0),
                               LAMBDA x : Ok(SetTop(x, t, [a EXCEPT !.scr = FALSE, !.pc = a.pc + 1])))
         [] in.op = "pop_regs" ->
              IF empty \/ top.k # FREGS \/ top.t # t THEN Viol(s, "RETURN_MISMATCH")
              ELSE Ok(Advance(PopFrame(s, sp), t))
         [] in.op = "sync_regs" -> LET r == SyncRegs(s, c, t) IN IF r.ex = "ok" THEN Ok(Advance(r.st, t)) ELSE r
         [] in.op = "classify" ->
              LET h == NearestHw(s, t)
                  fu == CASE in.arg = 0 -> h >= 0 /\ Rpl3(HwFrame(s, t, h))   \* testb $3, CS
                          [] in.arg = 1 -> ThrKind[t + 1] = "UKL" /\ T(s, t).mode = 2
                          [] OTHER -> C(s, c).gs = 1
              IN IF in.arg = 0 /\ h >= 0 /\ HwIn(s, t, h) = {} THEN Viol(s, "RETURN_MISMATCH")
                 ELSE Ok(SetTop(s, t, [a EXCEPT !.fu = fu, !.pc = a.pc + 1]))
         \* UKL's error_entry movq $0xC3, CS+8(%rsp) / error_return's 0xC3 -> 0x10 (entry_64.S).
         [] in.op \in {"fake_cs", "fix_cs"} ->
              LET h == NearestHw(s, t) IN
              IF h < 0 \/ HwIn(s, t, h) = {} THEN Viol(s, "RETURN_MISMATCH")
              ELSE Ok(Advance(SetHwFrame(s, t, h, [HwFrame(s, t, h) EXCEPT !.fk = (in.op = "fake_cs")]), t))
         [] in.op \in {"ct_exit", "ct_enter"} ->
              IF ~Has("NOHZ_FULL") THEN Ok(Advance(s, t))
              ELSE LET want == IF in.op = "ct_exit" THEN 1 ELSE 0 IN
                   IF C(s, c).ct # want THEN Viol(s, "CONTEXT_TRACKING")
                   ELSE Ok(Advance([s EXCEPT !.cpu[c + 1].ct = 1 - want], t))
         [] in.op = "body" ->
              IF a.body = 0 THEN Viol(s, "RETURN_MISMATCH")
              ELSE IF C(s, c).gs = 1 THEN Viol(s, "USER_GS_IN_KERNEL")
              ELSE LET byp == T(s, t).inBypass
                       s1 == IF byp THEN [s EXCEPT !.thr[t + 1].bypassRun = @ + 1] ELSE s
                   IN IF byp /\ T(s1, t).bypassRun > BypassLimit - 1 THEN Viol(s, "BYPASS_BOUND")
                      ELSE Enter(Advance(s1, t), t, [MkAct(ABODY, 0, 0, 0, FALSE, FALSE, a.body) EXCEPT !.byp = byp])
         [] in.op = "handle" -> Handle(s, c, t)
         [] in.op = "exit_work" -> ExitWork(s, c, t)
         [] in.op = "preempt_check" ->
              LET s1 == Advance(s, t) IN
              IF PreemptFull /\ T(s, t).needResched /\ T(s, t).preempt = 0 /\ ~RTC(t) THEN Schedule(s1, c, t, FALSE)
              ELSE Ok(s1)
         [] in.op = "df_to_pf" ->
              IF T(s, t).kso THEN Viol(s, "MISCLASSIFIED_DF")   \* a task-stack overflow is no app-stack fault
              ELSE Enter(Advance(s, t), t, MkAct(APATH, VecPath[VPF + 1], 0, VPF + 1, FALSE, FALSE, 0))
         [] in.op = "nmi_enter" -> NmiEnter(s, c, t)
         \* nmi_restore: std, then clear "NMI executing".
         [] in.op = "nmi_exit" -> Ok(Advance([s EXCEPT !.cpu[c + 1].nmiDf = TRUE, !.cpu[c + 1].nmiExec = FALSE], t))
         [] in.op = "bypass_check" ->
              LET th == T(s, t)
                  counting == Has("BYP") /\ ~th.sigPending /\ a.body \notin FullPathBodies
                  cnt == th.bypassCount + 1
              IN Ok(Advance([s EXCEPT !.thr[t + 1].bypassCount = IF ~counting THEN @ ELSE IF cnt >= BypassLimit THEN 0 ELSE cnt,
                                      !.thr[t + 1].inBypass = counting /\ cnt < BypassLimit], t))
         [] in.op = "set_bypass" -> Ok(Advance([s EXCEPT !.thr[t + 1].inBypass = TRUE], t))
         [] in.op = "run" ->
              LET s1 == IF in.arg \in SyscallPaths THEN [s EXCEPT !.thr[t + 1].bypassRun = 0] ELSE s IN
              Enter(Advance(s1, t), t, [MkAct(APATH, in.arg, 0, 0, FALSE, FALSE, a.body) EXCEPT !.fu = a.fu])
         [] in.op = "ret" ->
              IF empty \/ top.k # FRET \/ top.t # t \/ top.d >= d THEN Viol(s, "RETURN_MISMATCH")
              ELSE IF ~CheckUnwound(s, t, top.d, d) THEN Viol(s, "RETURN_MISMATCH")
              ELSE StartHandler(Truncate(PopFrame(s, sp), t, top.d + 1), c, t)
         [] in.op = "iret" ->
              LET h == NearestHw(s, t)
                  root == EntryRoot(s, t)
              IN
              IF root >= 0 /\ ~Act(s, t, root).hw /\ (T(s, t).sigArm # 0 \/ T(s, t).sigRet) THEN SyscallIret(s, c, t, d, root)
              ELSE IF h < 0 \/ empty \/ top.k # FHW \/ top.t # t \/ top.d # h THEN Viol(s, "RETURN_MISMATCH")
              ELSE IF T(s, t).kso /\ Act(s, t, h).vec = VDF + 1 THEN Viol(s, "MISCLASSIFIED_DF")   \* #DF is an abort
              \* iretq: the CS's RPL becomes the CPL; a fake 0xC3 returns to CPL 3.
              ELSE IF Rpl3(top) # Act(s, t, h).c3 THEN Viol(s, "BAD_RETURN_CS")
              \* The outer NMI's iret goes to repeat_nmi when a nested NMI redirected its "iret" frame.
              ELSE LET outer == Act(s, t, h).vec = VNMI + 1 /\ C(s, c).nmiCopied
                       ci == Act(s, t, h).code
                       s0 == [s EXCEPT !.cpu[c + 1].nmiBlocked = FALSE]
                   IN IF outer /\ C(s, c).nmiRep
                      THEN IF NmiEnterPc(ci) < 0 THEN Viol(s, "RETURN_MISMATCH")
                           ELSE LET s1 == Truncate([s0 EXCEPT !.cpu[c + 1].nmiRep = FALSE, !.cpu[c + 1].nmiDf = FALSE,
                                                             !.cpu[c + 1].ifl = FALSE], t, h + 1)
                                IN Ok(SetTop(s1, t, WithPc(Act(s1, t, h), NmiEnterPc(ci))))
                      ELSE LET s1 == IF outer THEN [s0 EXCEPT !.cpu[c + 1].nmiCopied = FALSE, !.cpu[c + 1].nmiRep = FALSE,
                                                              !.cpu[c + 1].nmiDf = FALSE] ELSE s0
                           IN StartHandler(Truncate([PopFrame(s1, sp) EXCEPT !.cpu[c + 1].sp = top.sp, !.cpu[c + 1].ifl = top.i,
                                                   !.cpu[c + 1].cpl = IF top.c3 THEN 3 ELSE 0], t, h), c, t)
         [] in.op = "sysret" ->
              LET r == T(s, t).sysretDepth IN
              IF r < 0 \/ r >= d THEN Viol(s, "RETURN_MISMATCH")
              ELSE IF ThrKind[t + 1] = "UKL" THEN Viol(s, "BAD_RETURN_CS")   \* __USER_CS for CPL-0 app code
              ELSE IF T(s, t).sigRet THEN SigreturnResume([s EXCEPT !.thr[t + 1].sysretDepth = -1], c, t, d)
              ELSE IF ~CheckUnwound(s, t, r, d) THEN Viol(s, "RETURN_MISMATCH")
              ELSE StartHandler(Truncate([s EXCEPT !.cpu[c + 1].cpl = 3, !.cpu[c + 1].ifl = TRUE, !.cpu[c + 1].sp = AppStk(t),
                                         !.thr[t + 1].sysretDepth = -1], t, r + 1), c, t)
         [] in.op = "nop" -> Ok(Advance(s, t))
         \* The fork fix (Machine: FORK_FIX): 5.14 ret_from_fork / 6.x copy_thread, pt_regs->sp += 0x10
         \* for a fork child (pt_regs->si = 0) whose CS is not a user's: it must skip the parent's
         \* return address and flags word.
         [] in.op = "fork_fix" ->
              LET h == NearestHw(s, t)
                  st == Stack(s, AppStk(t))
                  n == Len(st)
                  forkRegs == ~empty /\ top.k = FREGS /\ top.rz /\ top.t = t
              IN IF forkRegs /\ h >= 0 /\ HwIn(s, t, h) = {} THEN Viol(s, "RETURN_MISMATCH")   \* Machine.hwFrame: the frame is gone
                 ELSE IF forkRegs /\ h >= 0 /\ ~Rpl3(HwFrame(s, t, h))
                 \* the parent's return address and flags word (fork), or the exec fix's 16 bytes (exec)
                 THEN IF n >= 2 /\ ((st[n].k = FFLAGS /\ st[n - 1].k = FRET) \/ (st[n].k = FGAP /\ st[n - 1].k = FGAP))
                      THEN Ok(Advance([s EXCEPT !.stk[AppStk(t) + 1] = SubSeq(st, 1, n - 2)], t))
                      ELSE Viol(s, "RETURN_MISMATCH")   \* pt_regs->sp moves into whatever else is there
                 ELSE Ok(Advance(s, t))
         \* The exec fix (Machine: EXEC_FIX): 5.14 ret_from_fork's kernel-thread branch after kernel_execve,
         \* testb $3, CS(%rsp); jnz 4f; RSP(%rsp) -= 0x10, for the fork fix after "jmp 2b" to add back.
         [] in.op = "exec_fix" ->
              LET h == NearestHw(s, t) IN
              IF h >= 0 /\ HwIn(s, t, h) = {} THEN Viol(s, "RETURN_MISMATCH")   \* Machine.hwFrame: the frame is gone
              ELSE IF h >= 0 /\ ~Rpl3(HwFrame(s, t, h))
              THEN Ok(Advance([s EXCEPT !.stk[AppStk(t) + 1] = @ \o <<Frame(FGAP, t, h, FALSE, FALSE, 0), Frame(FGAP, t, h, FALSE, FALSE, 0)>>], t))
              ELSE Ok(Advance(s, t))
         \* raise V (issue 14): a trap of a declared vector, delivered here; its iret resumes the next
         \* op. A delivery that faults delivers #PF instead and leaves the op to run again (Machine: RAISE).
         [] in.op = "raise" ->
              LET d1 == Delivery(Advance(s, t), c, in.arg, 3) IN
              IF d1.vec = in.arg THEN d1.res ELSE Delivery(s, c, in.arg, 3).res
         [] in.op = "panic" ->
              IF HasVec(s, t, VDF) THEN Viol(s, "DOUBLE_FAULT_PANIC") ELSE Viol(s, "UNHANDLED_KERNEL_FAULT")

\* Ops that stand for C code (Op.cCode): entered by a call, their own first instruction. In an
\* STI shadow (sh) that call is the whole step; the function runs in the next step, after any
\* interrupt. App code and kernel bodies are C code too (proofs-notes/model-choices.md).
COps == {"set_mode", "sync_regs", "ct_exit", "ct_enter", "body", "handle", "exit_work", "preempt_check",
         "bypass_check", "set_bypass", "panic"}

\* Fetch and run one op of thread t (Machine.exec): branches and returns from sub-paths take no step.
RECURSIVE Exec(_, _, _, _, _)
Exec(s, c, t, fuel, sh) ==
    LET a == Top(s, t) IN
    IF fuel = 0 THEN Bound(s)
    ELSE CASE AppCode(a) -> IF sh THEN Ok(s) ELSE ExecApp(s, c, t)
           [] a.k = ABODY ->
                IF a.pc >= Len(Bodies[a.body])
                THEN Exec(LET s1 == PopAct(s, t) IN IF a.byp THEN [s1 EXCEPT !.thr[t + 1].inBypass = FALSE] ELSE s1, c, t, fuel - 1, sh)
                ELSE IF sh THEN Ok(s) ELSE ExecBody(s, c, t)
           [] OTHER ->
                LET prog == Code[a.code + 1] IN
                IF a.pc >= Len(prog)
                THEN (IF EntryPath[a.code + 1] THEN Viol(s, "RETURN_MISMATCH") ELSE Exec(PopAct(s, t), c, t, fuel - 1, sh))
                ELSE LET in == prog[a.pc + 1] IN
                     CASE in.k = "JMP" -> Exec(SetTop(s, t, WithPc(a, in.target)), c, t, fuel - 1, sh)
                       [] in.k = "BR" ->
                            LET v0 == CASE in.cond = "from_user" -> a.fu
                                        [] in.cond = "bypass" -> T(s, t).inBypass
                                        [] in.cond = "need_resched" -> T(s, t).needResched
                                        [] in.cond = "sig_pending" -> T(s, t).sigPending
                                        [] in.cond = "sig_frame" -> SigFrameCs(s, t)
                                        \* ret_from_fork's testq %rbx, %rbx: created with a thread function
                                        [] in.cond = "kernel_thread" -> a.k = APATH /\ a.code = ForkPath /\ a.body # 0
                                v == IF in.neg THEN ~v0 ELSE v0
                            IN Exec(SetTop(s, t, WithPc(a, IF v THEN a.pc + 1 ELSE in.target)), c, t, fuel - 1, sh)
                       [] OTHER -> IF sh /\ in.op \in COps THEN Ok(s) ELSE ExecOp(s, c, t, in)

\* ---------------------------------------------------------------- initial state (Machine.initial)
FirstOn(c) == LET ts == {t \in Thrs : ~ThrIdle[t + 1] /\ ~IsChild(t) /\ ThrCpu[t + 1] = c}
              IN IF ts = {} THEN IdleOf(c) ELSE CHOOSE t \in ts : \A u \in ts : t <= u

InitThr(t) == IF IsChild(t) THEN EmptyChild ELSE
    [mode |-> IF ThrKind[t + 1] = "UKL" THEN 2 ELSE 0, status |-> READY, appStack |-> MAPPED,
     redZone |-> FALSE, needResched |-> FALSE, sigPending |-> FALSE, inBypass |-> FALSE,
     preempt |-> 0, bypassCount |-> 0, bypassRun |-> 0, ipiWait |-> 0, sysretDepth |-> -1,
     savedSp |-> IF ThrIdle[t + 1] THEN TaskStk(t) ELSE AppStk(t),
     savedIf |-> 1,
     savedCpl |-> IF ThrKind[t + 1] = "USER" THEN 3 ELSE 0,
     savedGs |-> IF ThrKind[t + 1] = "USER" THEN 1 ELSE 0,
     savedCt |-> IF ~ThrIdle[t + 1] /\ Has("NOHZ_FULL") THEN 1 ELSE 0,
     kso |-> FALSE, ubuf |-> FALSE, rcu |-> FALSE, sigArm |-> 0, sigRet |-> FALSE,
     acts |-> <<MkAct(AAPP, 0, 0, 0, FALSE, FALSE, 0)>>]

\* kernel_init, which execs the UKL program (Machine.execThread): mode 0, in ret_from_fork's
\* kernel-thread branch with the exec body as its thread function, on its task stack with copy_thread's
\* zeroed pt_regs (CS 0, flags 0, si 0) and the kernel GS.
InitExecThr(t) == [InitThr(t) EXCEPT !.mode = 0, !.savedSp = TaskStk(t), !.savedCpl = 0, !.savedGs = 0, !.savedCt = 0,
                                     !.acts = <<MkAct(AAPP, 0, 0, 0, FALSE, FALSE, 0), MkAct(APATH, ForkPath, 0, 0, TRUE, FALSE, ExecBodyIdx)>>]
InitStk(i) == IF i \in {TaskStk(t) : t \in {u \in Thrs : ThrExec[u + 1]}}
              THEN LET t == i - NThr IN <<Frame(FHW, t, 1, FALSE, FALSE, AppStk(t)), [Frame(FREGS, t, 1, FALSE, FALSE, 0) EXCEPT !.rz = TRUE]>>
              ELSE << >>

InitCpu(c) ==
    [ifl |-> FALSE, shadow |-> FALSE, nmiBlocked |-> FALSE, cpl |-> 0, gs |-> 0,
     pt |-> IF ThrMm[FirstOn(c) + 1] >= 0 THEN ThrMm[FirstOn(c) + 1] ELSE -1,
     sp |-> 0, scratchT |-> -1, scratchSp |-> 0, ct |-> 0, running |-> FirstOn(c),
     ipiState |-> 0, ipiFrom |-> 0, ipiStack |-> 0, tick |-> 0, storm |-> FALSE,
     nmiCopied |-> FALSE, nmiExec |-> FALSE, nmiRep |-> FALSE, nmiNest |-> FALSE, nmiDf |-> FALSE]

Init0 == [budget |-> Budget0, mmw |-> <<-1, -1>>, stk |-> [i \in 1..NStacks |-> InitStk(i - 1)],
          cpu |-> [i \in 1..NCpu |-> InitCpu(i - 1)], thr |-> [i \in 1..NThr |-> IF ThrExec[i] THEN InitExecThr(i - 1) ELSE InitThr(i - 1)]]

RECURSIVE RestoreAll(_, _)
RestoreAll(s, c) == IF c >= NCpu THEN s ELSE RestoreAll(Restore(s, c, FirstOn(c)), c + 1)

\* The machine of the initial state; error states carry it too (see Commit).
ErrState == RestoreAll(Init0, 0)

Init == LET s == ErrState IN
        /\ budget = s.budget /\ mmw = s.mmw /\ stk = s.stk /\ cpu = s.cpu /\ thr = s.thr
        /\ err = "none"

\* ---------------------------------------------------------------- actions

\* Commits a result: a healthy successor, or an error state: err names the property and the other
\* variables take the initial state's values, so there is one error state per property. TLC then
\* reports each violated property once in a -continue run (with its own trace) and its distinct
\* count is the healthy states plus one per error reached; the violating step's pre-state is the
\* trace's previous state. Error states have no successors (every action requires err = "none").
Commit(r) ==
    IF r.ex = "ok"
    THEN /\ budget' = r.st.budget /\ mmw' = r.st.mmw /\ stk' = r.st.stk /\ cpu' = r.st.cpu /\ thr' = r.st.thr
         /\ err' = "none"
    ELSE /\ err' = IF r.ex = "bound" THEN "BOUND" ELSE r.prop
         /\ budget' = ErrState.budget /\ mmw' = ErrState.mmw /\ stk' = ErrState.stk
         /\ cpu' = ErrState.cpu /\ thr' = ErrState.thr

Consume(s, e) == IF s.budget[e + 1] > 0 THEN [s EXCEPT !.budget[e + 1] = @ - 1] ELSE s

\* TIMER:* stands for a periodic tick (proofs-notes/model-choices.md, "Periodic timers"): cpu.tick
\* is the depth of the context the last tick interrupted until that context makes a step (runs at
\* that depth or shallower); a tick that comes while it is open sets cpu.storm. With a bounded
\* TIMER budget no loop delivers a tick, and both stay 0 / FALSE.
Periodic == Budget0[ETIMER + 1] = -1
TickStep(s, c) ==
    IF C(s, c).tick # 0 /\ Depth(s, C(s, c).running) <= C(s, c).tick
    THEN [s EXCEPT !.cpu[c + 1].tick = 0, !.cpu[c + 1].storm = FALSE] ELSE s

\* The result of Step(c) from machine s: an op of the running thread, a #PF when it faults.
StepResult(s, c) ==
    LET s0 == TickStep([s EXCEPT !.cpu[c + 1].shadow = FALSE], c)
        r == Exec(s0, c, C(s0, c).running, 64, C(s, c).shadow)
    IN IF r.ex = "fault" THEN Delivery(s0, c, VPF, 3).res
       ELSE IF r.ex = "faultkeep" THEN Delivery([r.st EXCEPT !.cpu[c + 1].shadow = FALSE], c, VPF, 3).res
       \* The task stack overflowed (Machine.kernelStackFault): #PF on its IST stack, else the #PF push on
       \* the overflowed stack faults and #DF goes to its IST stack; with neither, a triple fault.
       ELSE IF r.ex = "kfault"
       THEN LET s1 == [s0 EXCEPT !.thr[C(s0, c).running + 1].kso = TRUE] IN
            IF Ist[VPF + 1] > 0 THEN Delivery(s1, c, VPF, 3).res
            ELSE IF Ist[VDF + 1] > 0 THEN Delivery(s1, c, VDF, 3).res
            ELSE Viol(s1, "DOUBLE_FAULT_PANIC")
       ELSE r

\* Step(c): enabled whenever the machine is healthy; runs the op at the pc of c's running thread.
Step(c) == /\ err = "none"
           /\ Commit(StepResult(M, c))

\* A scheduler step (schedule() or a signal delivery): strong fairness applies to these.
SchedStep(c) == Step(c) /\ StepResult(M, c).sched

\* A tick that lands in app context (app code, or any code running with ukl_mode = 2): strongly
\* fair in the wrapper, since a periodic tick drifts against the code and cannot stay phase-locked
\* to one kernel window forever (proofs-notes/model-choices.md, "Periodic timers";
\* Machine.inAppContext).
InAppContext(s, c) == LET t == C(s, c).running IN ~ThrIdle[t + 1] /\ (AppCode(Top(s, t)) \/ T(s, t).mode = 2)

TimerEnabled(s, c) == s.budget[ETIMER + 1] # 0 /\ C(s, c).ifl /\ ~C(s, c).shadow

\* Deliver(c, v): the environment raises the event of vector v (TIMER, IPI, NMI, MC or DB; their
\* event and vector ordinals coincide) and the hardware delivers it on CPU c (MODEL.md §2). A fault
\* during delivery delivers #PF or #DF instead and leaves the event pending.
Deliver(c, v) ==
    LET d == Delivery(M, c, v, 3)
        r == d.res
        t == C(M, c).running
        tick(x) == IF v # VTIMER \/ ~Periodic THEN x
                   ELSE IF C(x, c).tick # 0 THEN [x EXCEPT !.cpu[c + 1].storm = TRUE]
                   ELSE [x EXCEPT !.cpu[c + 1].tick = Depth(M, t)]
        r2 == IF r.ex = "ok" /\ d.vec = v
              THEN [r EXCEPT !.st = tick(IF v = VIPI THEN [r.st EXCEPT !.cpu[c + 1].ipiState = 2] ELSE Consume(r.st, v))]
              ELSE r
    IN Commit(r2)

\* Enabled: interrupts on and no STI shadow, budget left. Changes: the CPU enters the irq path.
Timer(c) == err = "none" /\ TimerEnabled(M, c) /\ Deliver(c, VTIMER)
\* The tick in app context (InAppContext above), strongly fair in the wrapper.
AppTick(c) == Timer(c) /\ InAppContext(M, c)
\* Enabled: a send_ipi left an IPI pending for c, interrupts on, no shadow.
Ipi(c) == err = "none" /\ C(M, c).ipiState = 1 /\ C(M, c).ifl /\ ~C(M, c).shadow /\ Deliver(c, VIPI)
\* Enabled: budget left and NMIs not blocked (until the next iret); sets nmiBlocked.
Nmi(c) == err = "none" /\ budget[ENMI + 1] # 0 /\ ~C(M, c).nmiBlocked /\ Deliver(c, VNMI)
\* Enabled: budget left; a machine check can arrive at any time.
Mc(c) == err = "none" /\ budget[EMC + 1] # 0 /\ Deliver(c, VMC)
\* Enabled: budget left and the running thread is in app code (the scenario armed a breakpoint there).
Db(c) == LET t == C(M, c).running IN
         err = "none" /\ budget[EDB + 1] # 0 /\ ~ThrIdle[t + 1] /\ AppCode(Top(M, t)) /\ Deliver(c, VDB)

\* Signal(t): sets sigPending of a non-idle thread (and wakes it from an interruptible sleep).
Signal(t) == /\ err = "none" /\ ~ThrIdle[t + 1] /\ T(M, t).status # DONE
             /\ budget[ESIGNAL + 1] # 0 /\ ~T(M, t).sigPending
             /\ LET s1 == [Consume(M, ESIGNAL) EXCEPT !.thr[t + 1].sigPending = TRUE]
                    s2 == IF T(M, t).status = SLEEPING THEN Wake(s1, t) ELSE s1
                IN Commit(Ok(s2))

\* Wakeup(t): a sleeping thread becomes READY.
Wakeup(t) == /\ err = "none" /\ ~ThrIdle[t + 1] /\ T(M, t).status = SLEEPING /\ budget[EWAKEUP + 1] # 0
             /\ Commit(Ok(Wake(Consume(M, EWAKEUP), t)))

Environment == \E c \in Cpus : Timer(c) \/ Ipi(c) \/ Nmi(c) \/ Mc(c) \/ Db(c)
               \/ \E t \in Thrs : Signal(t) \/ Wakeup(t)
System == \E c \in Cpus : Step(c)
Next == System \/ Environment

\* ---------------------------------------------------------------- type invariants, one per variable
Errs == {"none", "BOUND", "DOUBLE_FAULT_PANIC", "MISCLASSIFIED_DF", "STACK_CLOBBER", "SLEEP_ON_IST", "RED_ZONE_CLOBBER",
         "MODE_MISMATCH", "SCHEDULE_IN_ATOMIC", "RCU_NOT_WATCHING", "EARLY_GRACE_PERIOD", "CONTEXT_TRACKING", "USER_GS_IN_KERNEL",
         "SCRATCH_CLOBBER", "UNHANDLED_KERNEL_FAULT", "RETURN_MISMATCH", "BAD_RETURN_CS", "NMI_BLOCKED_LEAK", "APP_IRQS_OFF", "BYPASS_BOUND", "DEADLOCK"}
FrameOK(f) == f.k \in 1..7 /\ f.t \in Thrs /\ f.d \in 0..MaxNesting /\ f.i \in BOOLEAN /\ f.c3 \in BOOLEAN /\ f.sp \in 0..(NStacks - 1) /\ f.fk \in BOOLEAN /\ f.rz \in BOOLEAN
ActOK(a) == a.k \in {AAPP, APATH, ABODY, AHANDLER} /\ a.code \in 0..(Len(Code) - 1) /\ a.pc \in Nat /\ a.vec \in 0..Len(VecPath)
            /\ {a.hw, a.fu, a.scr, a.c3, a.byp, a.sent} \subseteq BOOLEAN /\ a.body \in 0..Len(Bodies) /\ a.ph \in 0..2
BudgetTypeOK == budget \in Seq(Int) /\ Len(budget) = 7 /\ \A i \in 1..7 : budget[i] >= -1
MmwTypeOK == mmw \in Seq(Int) /\ Len(mmw) = 2 /\ \A i \in 1..2 : mmw[i] \in {-1} \cup Thrs
StkTypeOK == Len(stk) = NStacks /\ \A i \in 1..NStacks : \A j \in 1..Len(stk[i]) : FrameOK(stk[i][j])
CpuTypeOK == Len(cpu) = NCpu /\ \A c \in 1..NCpu :
    LET r == cpu[c] IN
    /\ {r.ifl, r.shadow, r.nmiBlocked, r.storm, r.nmiCopied, r.nmiExec, r.nmiRep, r.nmiNest, r.nmiDf} \subseteq BOOLEAN /\ r.tick \in 0..MaxNesting /\ r.cpl \in {0, 3} /\ r.gs \in {0, 1} /\ r.ct \in {0, 1}
    /\ r.pt \in {-1, 0, 1} /\ r.sp \in 0..(NStacks - 1) /\ r.running \in Thrs /\ r.scratchT \in {-1} \cup Thrs
    /\ r.ipiState \in 0..2
ThrTypeOK == Len(thr) = NThr /\ \A t \in 1..NThr :
    LET r == thr[t] IN
    /\ r.mode \in 0..2 /\ r.status \in RUNNING..DONE /\ r.appStack \in MAPPED..DEEP /\ r.preempt \in Nat
    /\ {r.redZone, r.needResched, r.sigPending, r.inBypass, r.kso, r.ubuf, r.rcu, r.sigRet} \subseteq BOOLEAN /\ r.sigArm \in 0..MaxNesting
    /\ Len(r.acts) \in 1..MaxNesting /\ \A d \in 1..Len(r.acts) : ActOK(r.acts[d])
ErrTypeOK == err \in Errs
TypeOK == BudgetTypeOK /\ MmwTypeOK /\ StkTypeOK /\ CpuTypeOK /\ ThrTypeOK /\ ErrTypeOK

\* ---------------------------------------------------------------- properties (MODEL.md §6)
\* Each safety property is the invariant that no step violated it.
DoubleFaultPanicInv == err # "DOUBLE_FAULT_PANIC"
MisclassifiedDfInv == err # "MISCLASSIFIED_DF"
StackClobberInv == err # "STACK_CLOBBER"
SleepOnIstInv == err # "SLEEP_ON_IST"
RedZoneClobberInv == err # "RED_ZONE_CLOBBER"
ModeMismatchInv == err # "MODE_MISMATCH"
ScheduleInAtomicInv == err # "SCHEDULE_IN_ATOMIC"
RcuNotWatchingInv == err # "RCU_NOT_WATCHING"
EarlyGracePeriodInv == err # "EARLY_GRACE_PERIOD"
ContextTrackingInv == err # "CONTEXT_TRACKING"
UserGsInKernelInv == err # "USER_GS_IN_KERNEL"
ScratchClobberInv == err # "SCRATCH_CLOBBER"
UnhandledKernelFaultInv == err # "UNHANDLED_KERNEL_FAULT"
ReturnMismatchInv == err # "RETURN_MISMATCH"
BadReturnCsInv == err # "BAD_RETURN_CS"
NmiBlockedLeakInv == err # "NMI_BLOCKED_LEAK"
AppIrqsOffInv == err # "APP_IRQS_OFF"
BypassBoundInv == err # "BYPASS_BOUND"
BoundInv == err # "BOUND"

\* DEADLOCK: a lock wait closing a waits-for cycle (err), or no thread can ever run again.
Stuck ==
    /\ err = "none"
    /\ \E t \in Thrs : ~ThrIdle[t + 1] /\ thr[t + 1].status # DONE
    /\ \A t \in Thrs : (~ThrIdle[t + 1] /\ thr[t + 1].status # DONE) =>
           \/ thr[t + 1].status = LOCKWAIT
           \/ /\ thr[t + 1].status = SLEEPING
              /\ budget[EWAKEUP + 1] = 0
              /\ (budget[ESIGNAL + 1] = 0 \/ thr[t + 1].sigPending)
DeadlockInv == err # "DEADLOCK" /\ ~Stuck
\* The lock-cycle error state alone (without Stuck): with the other *Inv, every error state is
\* some invariant's violation, so a -continue run reports each one (ukl.tlc.TlcEngine counts them).
DeadlockErrInv == err # "DEADLOCK"

\* Liveness, under weak fairness of every CPU's Step and timer and strong fairness of the
\* scheduler's steps; the environment's other events are not fair (proofs-notes/model-choices.md).
ReschedBad(c) ==
    LET r == cpu[c + 1].running IN
    /\ err = "none" /\ ~ThrIdle[r + 1] /\ thr[r + 1].needResched
    /\ \E u \in Thrs : u # r /\ ~ThrIdle[u + 1] /\ ThrCpu[u + 1] = c /\ thr[u + 1].status = READY
SignalBad(t) == err = "none" /\ ~ThrIdle[t + 1] /\ thr[t + 1].sigPending
\* A periodic tick came before the context the last one interrupted made a step.
Storm == \E c \in Cpus : cpu[c + 1].storm

\* The liveness properties; the fairness they assume is the wrapper's (MCKernel_<scenario>.tla):
\* weak fairness of every CPU's Step and Timer, strong fairness of the scheduler's steps
\* (SchedStep), never of the environment's other events (proofs-notes/model-choices.md).
ReschedStarvationProp == \A c \in Cpus : []<>~ReschedBad(c)
SignalStarvationProp == \A t \in Thrs : []<>~SignalBad(t)

\* Enabledness of the fair actions as state predicates, for fairness written without ENABLED.
StepChanges(c) == LET r == StepResult(M, c) IN r.ex # "ok" \/ r.st # M
SchedEnabled(c) == err = "none" /\ StepResult(M, c).sched
AppTickEnabled(c) == err = "none" /\ TimerEnabled(M, c) /\ InAppContext(M, c)
=============================================================================
