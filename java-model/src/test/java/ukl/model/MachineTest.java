package ukl.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MachineTest {
    private static Scenario.Builder b(String preset, String workload) { return Scenario.builder().preset(preset).workload(workload); }

    @Test
    void everyReachableStateDecodesAndEncodesToItself() {
        for (String p : List.of("linux", "ukl-paper", "ukl-6x")) {
            Explorer ex = Explorer.exact(b(p, "getppid").build());
            ex.run();
            Machine m = ex.machine();
            for (byte[] s : ex.states()) {
                State st = State.decode(s, m.nCpu, m.nThr, m.nMm);
                assertArrayEquals(s, st.encode());
            }
        }
    }

    @Test
    void aRunThatHitsABoundIsIncompleteNeverOk() {
        Scenario.Builder sb = b("linux", "getppid");
        sb.maxStates = 50;
        Result r = Explorer.check(sb.build());
        assertEquals("incomplete", r.verdict());
        assertEquals(3, r.exitCode());
        assertNotNull(r.incompleteReason());
        assertEquals(Result.Status.UNKNOWN, r.properties().get(Property.STACK_CLOBBER).status());
        assertEquals(Result.Status.UNKNOWN, r.properties().get(Property.RESCHED_STARVATION).status());
    }

    @Test
    void aViolationFoundBeforeTheBoundIsStillReported() {
        Scenario.Builder sb = b("ukl-paper", "stack-grow");
        sb.eventsSpec("TIMER:*,NMI:1");
        sb.maxStates = 200;
        Result r = Explorer.check(sb.build());
        assertEquals("violation", r.verdict());
        assertTrue(r.violated(Property.DOUBLE_FAULT_PANIC));
        assertEquals(Result.Status.UNKNOWN, r.properties().get(Property.STACK_CLOBBER).status());
    }

    /** UKL-CODE-NOTES: with limit N, N-1 of every N syscalls bypass; limit 1 means no bypass. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void bypassCounterRule(int limit) {
        Scenario.Builder sb = b("ukl-5.14", "getppid").option(Option.BYP).bypassLimit(limit);
        sb.eventsSpec("SIGNAL:1");
        Explorer ex = Explorer.exact(sb.build());
        Result r = ex.run();
        assertEquals("ok", r.verdict());
        Machine m = ex.machine();
        int maxCount = -1;
        boolean anyBypass = false;
        for (byte[] s : ex.states()) {
            State st = State.decode(s, m.nCpu, m.nThr, m.nMm);
            anyBypass |= st.inBypass(0);
            maxCount = Math.max(maxCount, st.bypassCount(0));
            assertTrue(st.bypassRun(0) <= limit - 1, "at most limit-1 in a row");
        }
        assertEquals(limit > 1, anyBypass, "limit 1 never bypasses; larger limits do");
        assertEquals(limit - 1, maxCount, "the counter resets when it reaches the limit");
    }

    @Test
    void shortestTraceIsShortest() {
        // BFS: grow_stack, the faulting compute (#PF whose delivery faults: #DF), then the #DF path's
        // push_regs, handle, panic. A timer first would only make it longer.
        Result r = Explorer.check(b("ukl-paper", "stack-grow").build());
        Trace t = r.properties().get(Property.DOUBLE_FAULT_PANIC).trace();
        assertEquals(5, t.steps().size(), t.toString());
        assertEquals("grow_stack", t.steps().get(0).action());
        assertTrue(t.steps().get(1).action().contains("#DF"), t.steps().get(1).action());
        assertEquals("panic", t.steps().get(4).action());
        assertTrue(t.steps().get(4).violating());
    }

    @Test
    void tracesShowOnlyChangedFields() {
        Result r = Explorer.check(b("ukl-paper", "stack-grow").build());
        Trace.Step s = r.properties().get(Property.DOUBLE_FAULT_PANIC).trace().steps().get(0);
        assertEquals("FRONTIER", s.changes().get("t0.appStack"));
        assertFalse(s.changes().containsKey("cpu0.if"), "unchanged fields are left out");
    }

    @Test
    void contradictoryOptionsAreInputErrors() {
        assertThrows(InputError.class, () -> b("ukl-paper", "getppid").option(Option.NSS).option(Option.NSS_PS).build());
        assertThrows(InputError.class, () -> b("ukl-paper", "getppid").option(Option.PF_DF).option(Option.PF_SS).build());
        assertThrows(InputError.class, () -> b("ukl-5.14", "getppid").option(Option.STACK_VMA_CHECK).build());
        assertThrows(InputError.class, () -> b("linux", "getppid").option(Option.RET).build());
        Scenario.Builder x = b("ukl-paper", "getppid").option(Option.PF_SS);
        x.istSpec("PF=0");
        assertThrows(InputError.class, x::build);
    }

    @Test
    void unknownNamesAreInputErrors() {
        assertThrows(InputError.class, () -> b("ukl-7", "getppid").build());
        assertThrows(InputError.class, () -> b("linux", "fork-bomb").build());
        assertThrows(InputError.class, () -> Scenario.builder().optionSpec("FAST"));
        assertThrows(InputError.class, () -> Scenario.builder().eventsSpec("TIMER:1,SPURIOUS:2"));
        assertThrows(InputError.class, () -> Scenario.builder().istSpec("PF=9"));
    }

    @Test
    void pfSsPutsPageFaultsOnAnIstStack() {
        Scenario sc = b("ukl-paper", "stack-grow").option(Option.PF_SS).build();
        assertEquals(Vector.PF_SS_IST, sc.ist[Vector.PF.ordinal()]);
        assertEquals(1, sc.ist[Vector.DF.ordinal()]);
        assertTrue(Arrays.stream(sc.ist).allMatch(k -> k >= 0 && k <= 7));
    }

    @Test
    void pathsThatRunEachOtherAreAnInputErrorBeforeAnyState() {
        // Issue 11: mutual 'run' recursion was found only at run time, as "incomplete".
        String text = "extends ukl-paper\n\npath shortcut_enter:\n    run shortcut_exit\n\npath shortcut_exit:\n    run shortcut_enter\n";
        Scenario.Builder sb = Scenario.builder().paths("loop.ukl", text).workload("shortcut-wrapped");
        InputError e = assertThrows(InputError.class, sb::build);
        assertEquals("loop.ukl:7:9: 'run shortcut_enter' recurses forever: shortcut_enter -> shortcut_exit -> shortcut_enter", e.render());
    }

    @Test
    void namesAreCaseInsensitiveAndTheListedAliasesWork() {
        // Issue 14's friction points: UKL_NSS as 'ukl list options' prints it, comma lists as
        // --events takes, PREEMPT=FULL, upper-case presets and workloads, lower-case events.
        Scenario a = Scenario.builder().preset("UKL-Paper").workload("Stack-Grow").optionSpec("ukl_nss,PF_DF").optionSpec("PREEMPT=FULL")
                .eventsSpec("timer:1,nmi:1").build();
        Scenario b = Scenario.builder().preset("ukl-paper").workload("stack-grow").option(Option.NSS).option(Option.PF_DF).preempt(true)
                .eventsSpec("TIMER:1,NMI:1").build();
        assertEquals(b.describe(), a.describe());
        InputError e = assertThrows(InputError.class, () -> Scenario.builder().optionSpec("NSS,,PF_DF"));
        assertTrue(e.getMessage().contains("empty item"), e.getMessage());
        e = assertThrows(InputError.class, () -> Scenario.builder().optionSpec("PREEMPT=sometimes"));
        assertTrue(e.getMessage().contains("not PREEMPT=sometimes"), e.getMessage());
        assertThrows(InputError.class, () -> Scenario.builder().optionSpec("UKL_NOPE"));
    }

    @Test
    void tooLongAPathIsAnInputError() {
        StringBuilder sb = new StringBuilder("extends ukl-paper\n\npath shortcut_enter:\n");
        for (int i = 0; i < 300; i++) sb.append("    cli\n");
        InputError e = assertThrows(InputError.class, () -> Scenario.builder().paths("long.ukl", sb.toString()).workload("shortcut-wrapped").build());
        assertTrue(e.getMessage().contains("at most 255"), e.getMessage());
    }

    // ---- Linux's nested-NMI logic (entry_64.S asm_exc_nmi), issue 12

    /** A #PF inside the NMI handler irets and unmasks NMIs; the second NMI is caught as nested. */
    @ParameterizedTest
    @ValueSource(strings = {"NMI:2", "NMI:3"})
    void nestedNmisAfterAFaultInTheHandlerAreHandled(String events) {
        Scenario.Builder sb = b("linux", "perf-getppid");
        sb.eventsSpec(events);
        Explorer ex = Explorer.exact(sb.build());
        Result r = ex.run();
        assertEquals("ok", r.verdict(), r.toString());
        // The logic ran: some state has a redirected iret frame (nested_nmi) and a nested NMI in the slot.
        Machine m = ex.machine();
        boolean rep = false, nest = false;
        for (byte[] e : ex.states()) {
            State st = State.decode(e, m.nCpu, m.nThr, m.nMm);
            rep |= (st.nmi(0) & State.NMI_REP) != 0;
            nest |= (st.nmi(0) & State.NMI_NEST) != 0;
        }
        assertTrue(rep && nest, "a nested NMI redirected the outer one's iret frame");
    }

    /** The RSP-on-the-NMI-stack-with-DF test matters: without it an NMI after nmi_restore's std clobbers. */
    @Test
    void theDfTestCoversTheWindowBetweenNmiRestoreAndIret() {
        Scenario.Builder sb = b("linux", "perf-getppid");
        sb.eventsSpec("NMI:3");
        Result r = new Explorer(sb.build(), Machine.Perturbation.NMI_IGNORES_DF).run();
        assertTrue(r.violated(Property.STACK_CLOBBER), r.toString());
        assertTrue(r.properties().get(Property.STACK_CLOBBER).trace().why().contains("first_nmi"), r.properties().get(Property.STACK_CLOBBER).trace().why());
    }

    /** An #MC in the NMI entry, before first_nmi, irets and unmasks NMIs: a second NMI clobbers the frame. */
    @Test
    void aMachineCheckBeforeFirstNmiLeavesTheWindowOpen() {
        Scenario.Builder sb = b("linux", "getppid");
        sb.eventsSpec("NMI:2,MC:1");
        Result r = Explorer.check(sb.build());
        assertTrue(r.violated(Property.STACK_CLOBBER));
        assertTrue(r.properties().get(Property.STACK_CLOBBER).trace().why().contains("an iret since its delivery unmasked NMIs"));
    }

    // ---- issue 13: signal frames, handlers and rt_sigreturn

    /** The criterion: a handler calling mmap from inside a bypassed mmap body deadlocks on 5.14, not on 6.x. */
    @Test
    void aHandlerCallingMmapInsideABypassedMmapBodyDeadlocksOn514NotOn6x() {
        Result k514 = Explorer.check(b("ukl-5.14", "signal-mmap").option(Option.BYP).bypassLimit(3).build());
        assertTrue(k514.violated(Property.DEADLOCK));
        Trace tr = k514.properties().get(Property.DEADLOCK).trace();
        assertTrue(tr.steps().stream().anyMatch(st -> st.path() != null && st.path().endsWith("signal handler")), "the deadlock goes through the handler");
        assertTrue(tr.why().contains("already holds"), tr.why());
        Result k6x = Explorer.check(b("ukl-6x", "signal-mmap").option(Option.BYP).bypassLimit(3).build());
        assertEquals(Result.Status.HOLDS, k6x.properties().get(Property.DEADLOCK).status());
        // Without the bypass the body runs in mode 1 on 5.14 too: the signal waits for the syscall exit.
        assertEquals("ok", Explorer.check(b("ukl-5.14", "signal-mmap").build()).verdict());
    }

    /** get_sigframe skips 128 bytes below regs->sp; a kernel that did not would clobber the live red zone. */
    @Test
    void theSignalFrameSkipsTheRedZone() {
        Scenario sc = b("linux", "signal-getppid").option(Option.APP_REDZONE).build();
        assertEquals("ok", Explorer.check(sc).verdict());
        Result bad = new Explorer(sc, Machine.Perturbation.SIGFRAME_IGNORES_REDZONE).run();
        assertTrue(bad.violated(Property.RED_ZONE_CLOBBER));
    }

    /** The handler runs above the interrupted context, and after rt_sigreturn no signal frame is left behind in app code. */
    @ParameterizedTest
    @ValueSource(strings = {"linux", "ukl-5.14", "ukl-paper"})
    void theHandlerRunsAndRtSigreturnRestoresTheInterruptedContext(String preset) {
        Explorer ex = Explorer.exact(b(preset, "signal-getppid").build());
        assertEquals("ok", ex.run().verdict());
        Machine m = ex.machine();
        boolean handler = false, restored = false;
        for (byte[] e : ex.states()) {
            State s = State.decode(e, m.nCpu, m.nThr, m.nMm);
            for (int d = 0; d < s.depth(0); d++) handler |= Act.kind(s.act(0, d)) == Act.HANDLER;
            restored |= s.sigRet(0);
            if (s.depth(0) == 1)
                for (int f : s.stack[s.app(0)]) assertNotEquals(Frame.SIG, Frame.kind(f), "a signal frame outlives its handler");
        }
        assertTrue(handler, "some state runs the handler");
        assertTrue(restored, "some state has rt_sigreturn's restored pt_regs");
    }

    /** Under stack sharing pt_regs sit below regs->sp on the app stack, where the signal frame goes. */
    @Test
    void aSignalFrameOverPtRegsOnASharedStackIsAStackClobber() {
        Result r = Explorer.check(b("ukl-5.14", "signal-getppid").option(Option.NSS).build());
        assertTrue(r.violated(Property.STACK_CLOBBER));
        assertTrue(r.properties().get(Property.STACK_CLOBBER).trace().why().contains("setup_rt_frame"));
    }

    /**
     * Issue 14, declared vectors: a raise is a trap (the frame resumes the next op), but when the
     * frame cannot be pushed (the app stack's next page is unmapped) #PF is delivered instead and
     * the raise runs again after it. No bundled workload reaches a raise with such a stack (every
     * stack growth is followed by an app-code push that faults first), so the state is made here.
     */
    @Test
    void aRaiseIsATrapAndOneWhoseFrameFaultsRunsAgainAfterThePageFault() {
        String text = "extends ukl-paper\n\nvector UD exc_ud\n\npatch libc_syscall:\n    before call:\n        raise UD\n\n"
                + "path exc_ud:\n    push_regs\n    handle\n    pop_regs\n    iret\n";
        Scenario.Builder sb = Scenario.builder().paths("ud.ukl", text).workload("stack-grow").option(Option.NSS).option(Option.PF_SS);   // #PF on its IST stack: its own frame can be pushed
        sb.eventsSpec("none");
        Explorer ex = Explorer.exact(sb.build());
        ex.run();
        Machine m = ex.machine();
        int libc = m.libcOf(0), raisePc = -1;
        for (int pc = 0; pc < m.code()[libc].length; pc++)
            if (m.code()[libc][pc].op() == ukl.model.lang.Op.RAISE) raisePc = pc;
        assertTrue(raisePc >= 0);
        int ud = Vector.values().length, checked = 0;
        for (byte[] b : ex.states()) {
            State s = State.decode(b, m.nCpu, m.nThr, m.nMm);
            int d = s.depth(0) - 1, at = raisePc;
            java.util.function.Predicate<Machine.Transition> isRaise = x -> x.label().type() == Machine.Label.Type.OP
                    && x.label().code() == libc && x.label().pc() == at;
            List<Machine.Transition> plain = new java.util.ArrayList<>();
            m.successors(s, plain::add);
            if (plain.stream().noneMatch(isRaise)) continue;
            for (boolean unmapped : new boolean[]{false, true}) {
                State from = s.copy();
                if (unmapped) from.setAppStack(0, State.FRONTIER);
                List<Machine.Transition> out = new java.util.ArrayList<>();
                m.successors(from, out::add);
                Machine.Transition step = out.stream().filter(isRaise).findFirst().orElseThrow();
                State n = step.next();
                assertNotNull(n, "the raise step of " + (unmapped ? "an unmapped" : "a mapped") + " stack: " + step.why());
                assertEquals(unmapped ? Vector.PF.ordinal() + 1 : ud + 1, Act.vec(n.topAct(0)), "the vector delivered");
                assertEquals(unmapped ? raisePc : raisePc + 1, Act.pc(n.act(0, d)), "where the frame resumes");
            }
            checked++;
        }
        assertTrue(checked > 0, "no state at the raise");
        assertEquals("UD", m.vecName(ud));
    }

    /**
     * Issue 13, fork: the child of a fork starts on the copy of the parent's stack. On Linux a
     * signal in its first exit work runs its handler there, the signal frame being all that is on
     * the stack at the handler's first step (which the child's exit check allows); on ukl-5.14 the
     * fork fix after that exit work moves pt_regs->sp into the frame.
     */
    @Test
    void aForkChildsFirstSignalRunsItsHandlerOrMeetsTheLateForkFix() {
        Explorer ex = Explorer.exact(b("linux", "fork-signal").build());
        Result r = ex.run();
        assertEquals("ok", r.verdict(), r.toString());
        Machine m = ex.machine();
        int child = -1;
        for (int t = 0; t < m.nThr; t++) if (m.isChild(t)) child = t;
        boolean handlerRan = false;
        for (byte[] e : ex.states()) {
            State st = State.decode(e, m.nCpu, m.nThr, m.nMm);
            if (Act.kind(st.topAct(child)) == Act.HANDLER) handlerRan = true;
        }
        assertTrue(handlerRan, "the child's handler never ran: the scenario would hold vacuously");
        Result k514 = Explorer.check(b("ukl-5.14", "fork-signal").build());
        assertTrue(k514.violated(Property.RETURN_MISMATCH), k514.toString());
        String why = k514.properties().get(Property.RETURN_MISMATCH).trace().why();
        assertTrue(why.contains("fork fix") && why.contains("SIG("), why);
    }

    /**
     * Issue 13, exec: kernel_init starts with mode 0 and IF on, check_ukl_exec makes it 1, and the
     * first app step sees 2 with interrupts on (start_thread's X86_EFLAGS_IF), on ukl-5.14 (the exec
     * fix and the fork fix cancel) and ukl-6x (neither runs). Both modes are seen, so the scenario
     * does not hold vacuously; deleting either fix of 5.14 breaks it.
     */
    @Test
    void execGoesFromModeZeroToOneToTwoAndItsStackFixesArePaired() {
        for (String preset : List.of("ukl-5.14", "ukl-6x")) {
            Explorer ex = Explorer.exact(b(preset, "exec").option(Option.RET).build());
            Result r = ex.run();
            assertEquals("ok", r.verdict(), preset + ": " + r);
            Machine m = ex.machine();
            int t = 0;
            assertTrue(m.isExec(t));
            boolean zero = false, one = false, left = false;
            for (byte[] e : ex.states()) {
                State st = State.decode(e, m.nCpu, m.nThr, m.nMm);
                if (st.mode(t) == 0 && st.status(t) != State.DONE) zero = true;
                if (st.mode(t) == 1) one = true;
                if (st.status(t) == State.DONE) left = true;   // its first app step was reached
            }
            assertTrue(zero && one && left, preset + ": mode 0 " + zero + ", mode 1 " + one + ", first app step " + left);
        }
        Result noExecFix = Explorer.check(Scenario.builder().paths("k514-exec-no-fix.ukl", "extends ukl-5.14\npatch ret_from_fork:\n    delete exec_fix\n").workload("exec").option(Option.RET).build());
        assertTrue(noExecFix.violated(Property.RETURN_MISMATCH), noExecFix.toString());
        assertTrue(noExecFix.properties().get(Property.RETURN_MISMATCH).trace().why().contains("is empty"));
        Result noForkFix = Explorer.check(Scenario.builder().paths("k514-fork-no-fix.ukl", "extends ukl-5.14\npatch ret_from_fork:\n    delete fork_fix\n").workload("exec").option(Option.RET).build());
        assertTrue(noForkFix.violated(Property.RETURN_MISMATCH), noForkFix.toString());
        assertTrue(noForkFix.properties().get(Property.RETURN_MISMATCH).trace().why().contains("GAP("));
    }
}
