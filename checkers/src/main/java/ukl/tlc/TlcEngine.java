package ukl.tlc;

import ukl.model.Machine;
import ukl.model.Property;
import ukl.model.Replay;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.model.State;
import ukl.model.TlaState;
import ukl.model.Trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a scenario with TLC and reports it in the same {@link Result} form as the Java explorer
 * ("engine": "tlc"). Verdicts come from TLC's own states (the err variable of every state it
 * found); each violated property's shortest counterexample comes from a TLC run with that one
 * invariant (or temporal property), mapped back to ops, paths and lines by replaying it on the
 * Java machine.
 */
public final class TlcEngine {
    private final Scenario sc;
    private final Machine m;
    private final Path work;
    private final int workers;
    private final long timeout;
    private List<byte[]> healthyStates = new ArrayList<>();
    private final Map<Property, Boolean> traceReplayed = new EnumMap<>(Property.class);
    private double statesRunSeconds;

    public TlcEngine(Scenario sc, Path work, int workers, long timeoutSeconds) {
        this.sc = sc;
        this.m = new Machine(sc);
        this.work = work;
        this.workers = workers;
        this.timeout = timeoutSeconds;
    }

    public Machine machine() { return m; }

    /** Canonical encodings of every healthy state TLC found (after {@link #check()}). */
    public List<byte[]> states() { return healthyStates; }

    /** Whether each violation's TLC trace replayed step by step on the Java machine. */
    public Map<Property, Boolean> traceReplayed() { return traceReplayed; }

    /** Wall-clock seconds of TLC's state-space run alone (one TLC process, JVM start-up included). */
    public double statesRunSeconds() { return statesRunSeconds; }

    static String invariantOf(Property p) {
        StringBuilder sb = new StringBuilder();
        for (String part : p.name().split("_")) sb.append(part.charAt(0)).append(part.substring(1).toLowerCase());
        return sb.append(p.kind == Property.Kind.LIVENESS ? "Prop" : "Inv").toString();
    }

    /**
     * How the TLC runs of a check are laid out. TUNED: one run checks every safety property,
     * DEADLOCK and both liveness properties (-continue, -lncheck final), with further runs only
     * for a shortest trace or to tell two violated liveness properties apart. PER_PROPERTY (the
     * layout before issue 16, kept to measure against): a state-space run, then one run per
     * violated safety property, DEADLOCK and each liveness property.
     */
    public enum Plan { TUNED, PER_PROPERTY }

    private Plan plan = Plan.TUNED;
    private boolean keepStates, typeOk;
    private int checkpointMinutes;
    private Path recover;
    private Distributed distributed;
    private long peakRss = -1;
    private final List<String> notes = new ArrayList<>();

    public TlcEngine plan(Plan p) { plan = p; return this; }
    /** Dump TLC's state set (the cross-check compares it); costs a -dump of every state. */
    public TlcEngine keepStates(boolean k) { keepStates = k; return this; }
    /** Check Kernel.tla's TypeOK too (one more invariant on every state). */
    public TlcEngine typeOk(boolean t) { typeOk = t; return this; }
    /** TLC checkpoints every N minutes (0: none) in the main run's metadir; recover from a checkpoint directory. */
    public TlcEngine checkpoint(int minutes, Path recoverFrom) { checkpointMinutes = minutes; recover = recoverFrom; return this; }
    /** Check the safety properties with distributed TLC (TLCServer and TLCWorker processes). */
    public TlcEngine distributed(Distributed d) { distributed = d; return this; }
    /** What the runs noticed that the result should say (a lost distributed worker, for one). */
    public List<String> notes() { return notes; }

    /** Distributed TLC's layout: local worker processes, remote hosts that join, the server's address and RMI port. */
    public record Distributed(int localWorkers, List<String> remoteHosts, String serverHost, int port) {}

    private TlcRunner runner(String job, int w) { return new TlcRunner(work.resolve(job), w, timeout); }

    private TlcRunner.Run track(TlcRunner.Run r) {
        peakRss = Math.max(peakRss, r.peakRssBytes());
        return r;
    }

    public Result check() {
        if (plan == Plan.PER_PROPERTY) return checkPerProperty();
        long t0 = System.nanoTime();
        // An invariant for every error state, checked or not (an unchecked property's violation is
        // still an error state in both engines), so that TLC reports each error state once and the
        // healthy states are its distinct count less those.
        List<String> invs = new ArrayList<>(List.of("BoundInv"));
        List<Property> liveProps = new ArrayList<>();
        if (typeOk) invs.add("TypeOK");
        for (Property p : Property.values()) {
            if (p.kind == Property.Kind.LIVENESS) { if (sc.checks(p)) liveProps.add(p); }
            else if (p != Property.DEADLOCK || sc.checks(p)) invs.add(invariantOf(p));
        }
        invs.add("DeadlockErrInv");
        // TLC 2.18 crashes recovering a checkpoint of a run with temporal properties (measured:
        // "TLC threw an unexpected exception ... RuntimeException" right after "Recovery
        // completed"), so checkpointed runs check safety only; liveness stays unknown.
        boolean checkpointed = checkpointMinutes > 0 || recover != null;
        List<String> lives = checkpointed ? List.of() : liveProps.stream().map(TlcEngine::invariantOf).toList();
        TlcRunner.Run main;
        Map<String, TlcRunner.Violation> found = new LinkedHashMap<>();
        try {
            if (distributed != null) {
                main = distributedSafety(invs, found);
            } else {
                TlcRunner.Options o = new TlcRunner.Options(keepStates, true, !lives.isEmpty(), checkpointMinutes, recover);
                main = track(runner("main", workers).run(TlaModelWriter.write(m, invs, lives), o));
                for (TlcRunner.Violation v : main.violations()) if (!v.temporal()) found.putIfAbsent(v.invariant(), v);
            }
        } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
            return incompleteResult(e, t0);
        }
        statesRunSeconds = main.seconds();
        if (found.containsKey("TypeOK"))
            throw new IllegalStateException("Kernel.tla's TypeOK is violated: the spec or its generated constants are wrong\n" + main.output());
        // Error states are one per property (Kernel.tla's Commit): the healthy states are TLC's
        // distinct states less the error states it reached.
        long errorStates = (distributed != null ? found.values().stream() : main.violations().stream().filter(v -> !v.temporal()))
                .map(TlcRunner.Violation::lastErr).filter(e -> e != null && !e.equals("none")).distinct().count();
        long healthy = main.distinct() - errorStates;
        if (keepStates && distributed == null) {
            // With a temporal property in the run, TLC 2.18's -dump writes each state twice (measured:
            // 15,148 dump entries for 7,574 distinct states): count distinct encodings.
            Set<java.nio.ByteBuffer> seen = new HashSet<>();
            try {
                TlcRunner.readDump(main.dump(), st -> {
                    if (!TlaState.err(st).equals("none")) return;
                    byte[] enc = TlaState.toState(st, m).encode();
                    if (seen.add(java.nio.ByteBuffer.wrap(enc))) healthyStates.add(enc);
                });
            } catch (TlcRunner.TlcFailure e) {
                healthyStates = new ArrayList<>();
                return incompleteResult(e, t0);
            }
            long dumped = healthyStates.size();
            if (dumped != healthy)
                return incompleteResult(new TlcRunner.TlcFailure("TLC's state dump holds " + dumped + " healthy states, its count says " + healthy + ": the dump is not this run's"), t0);
        }
        String incomplete = null;
        if (found.containsKey("BoundInv")) incomplete = "nesting depth " + sc.maxNesting + " reached (raise --max-nesting)";
        if (!main.complete()) incomplete = "TLC did not finish the state space";
        // TLC does not print again a violation it found before the checkpoint, so a recovered run
        // decides only what it finds violated; "holds" needs a run from the start.
        if (recover != null && incomplete == null)
            incomplete = "recovered from a checkpoint: TLC does not report again the violations it found before it, so only"
                    + " violations are decided (and the state count may include error states); run without --recover for 'holds'";
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        for (Property p : Property.values()) {
            if (!sc.checks(p)) { props.put(p, new Result.PropertyResult(p, Result.Status.NOT_CHECKED, null)); continue; }
            if (p.kind == Property.Kind.LIVENESS) continue;   // below
            // DEADLOCK is either invariant's violation: the earlier (shallower) one TLC reported.
            TlcRunner.Violation v = found.entrySet().stream()
                    .filter(e -> e.getKey().equals(invariantOf(p)) || (p == Property.DEADLOCK && e.getKey().equals("DeadlockErrInv")))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (v == null) { props.put(p, new Result.PropertyResult(p, incomplete == null ? Result.Status.HOLDS : Result.Status.UNKNOWN, null)); continue; }
            // A -continue run with one worker finds each error state first at its least depth (BFS),
            // so its trace is a shortest one; with more workers, or from distributed TLC (which
            // prints only the first and last states), a run of p alone on one worker gives it.
            TlcRunner.Run shortest = null;
            if (workers > 1 || distributed != null) {
                try {
                    shortest = track(runner(p.name(), 1).run(TlaModelWriter.write(m, List.of(invariantOf(p)), List.of()), TlcRunner.Options.PLAIN));
                } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
                    props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                    if (incomplete == null) incomplete = p + " (its shortest trace): " + e.getMessage();
                    continue;
                }
                if (!invariantOf(p).equals(shortest.violatedInvariant())) {
                    props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                    if (incomplete == null) incomplete = p + ": TLC's run of " + invariantOf(p) + " alone did not reproduce the violation";
                    continue;
                }
            }
            List<Map<String, Object>> tr = shortest != null ? shortest.trace() : v.trace();
            props.put(p, new Result.PropertyResult(p, Result.Status.VIOLATED, mapTrace(p, tr, -1)));
        }
        if (!liveProps.isEmpty() && checkpointed) {
            for (Property p : liveProps) props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
            if (incomplete == null)
                incomplete = "liveness is not checked in a checkpointed run (TLC 2.18 cannot recover a run with temporal properties); run without --checkpoint for it";
        } else if (!liveProps.isEmpty()) {
            TlcRunner.Run live = main;
            if (distributed != null && incomplete == null) {
                // Distributed TLC checks no temporal properties: one local run checks both.
                try {
                    live = track(runner("liveness", workers).run(TlaModelWriter.write(m, List.of(), lives),
                            TlcRunner.Options.LIVENESS));
                } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
                    live = null;
                    incomplete = "liveness: " + e.getMessage();
                }
            }
            for (Property p : liveProps) {
                if (incomplete != null || live == null) { props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null)); continue; }
                if (!live.temporalViolated()) { props.put(p, new Result.PropertyResult(p, Result.Status.HOLDS, null)); continue; }
                TlcRunner.Run one = live;
                if (liveProps.size() > 1) {
                    // TLC's report does not say which property the lasso violates: ask each alone.
                    try {
                        one = track(runner(p.name(), workers).run(TlaModelWriter.write(m, List.of(), List.of(invariantOf(p))),
                                TlcRunner.Options.LIVENESS));
                    } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
                        props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                        if (incomplete == null) incomplete = p + ": " + e.getMessage();
                        continue;
                    }
                    if (!one.temporalViolated()) {
                        props.put(p, new Result.PropertyResult(p, one.complete() ? Result.Status.HOLDS : Result.Status.UNKNOWN, null));
                        if (!one.complete() && incomplete == null) incomplete = p + ": TLC's run did not finish the state space";
                        continue;
                    }
                }
                props.put(p, new Result.PropertyResult(p, Result.Status.VIOLATED, mapTrace(p, one.trace(), one.loopBackTo())));
            }
        }
        // Results in Property order (the liveness ones were filled in last).
        Map<Property, Result.PropertyResult> ordered = new LinkedHashMap<>();
        for (Property p : Property.values()) ordered.put(p, props.get(p));
        boolean any = ordered.values().stream().anyMatch(r -> r.status() == Result.Status.VIOLATED);
        double secs = (System.nanoTime() - t0) / 1e9;
        Result.Stats stats = new Result.Stats(healthy, main.generated(), main.depth(), secs, secs > 0 ? healthy / secs : 0, peakRss);
        return new Result(sc, "tlc", any ? "violation" : incomplete == null ? "ok" : "incomplete", ordered, stats, incomplete);
    }

    /**
     * The safety properties with distributed TLC. It has no -continue and stops at the first
     * violation, so each violated property found is dropped and the run repeated until one
     * finishes clean; that last run explored the whole state space (error states included).
     */
    private TlcRunner.Run distributedSafety(List<String> invs, Map<String, TlcRunner.Violation> found) {
        List<String> left = new ArrayList<>(invs);
        for (int round = 1; ; round++) {
            TlcRunner.Run r = track(new TlcRunner(work.resolve("distributed-" + round), workers, timeout)
                    .runDistributed(TlaModelWriter.write(m, left, List.of()), distributed, notes));
            if (r.violations().isEmpty()) return r;
            TlcRunner.Violation v = r.violations().get(0);
            String err = v.lastErr();
            String inv = err == null || err.equals("none") ? (left.contains("DeadlockInv") ? "DeadlockInv" : null)
                    : err.equals("BOUND") ? "BoundInv"
                    : err.equals("DEADLOCK") ? (left.contains("DeadlockInv") ? "DeadlockInv" : "DeadlockErrInv")
                    : invariantOf(Property.valueOf(err));
            if (inv == null || !left.remove(inv))
                throw new TlcRunner.TlcFailure("distributed TLC reported a violation of none of the invariants it checked (last err " + v.lastErr() + ")");
            found.put(inv, v);
        }
    }

    /** The layout before issue 16: one TLC process for the state space and one per property to decide. */
    private Result checkPerProperty() {
        long t0 = System.nanoTime();
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        String incomplete = null;
        TlcRunner.Run all;
        try {
            all = track(runner("states", workers).run(TlaModelWriter.write(m, TlaModelWriter.Mode.STATES, List.of("TypeOK")), true));
        } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
            return incompleteResult(e, t0);
        }
        statesRunSeconds = all.seconds();
        if (all.violatedInvariant() != null)
            throw new IllegalStateException("Kernel.tla's " + all.violatedInvariant() + " is violated: the spec or its generated constants are wrong\n" + all.output());
        Set<String> errs = new HashSet<>();
        long[] healthyCount = {0};
        try {
            TlcRunner.readDump(all.dump(), st -> {
                String err = TlaState.err(st);
                if (err.equals("none")) { healthyCount[0]++; if (keepStates) healthyStates.add(TlaState.toState(st, m).encode()); }
                else errs.add(err);
            });
        } catch (TlcRunner.TlcFailure e) {
            healthyStates = new ArrayList<>();
            return incompleteResult(e, t0);
        }
        long healthy = healthyCount[0];
        if (all.distinct() >= 0 && healthy + errs.size() > all.distinct())
            return incompleteResult(new TlcRunner.TlcFailure("TLC's state dump holds more states than TLC reported (" + all.distinct() + "): the dump is not this run's"), t0);
        if (errs.contains("BOUND")) incomplete = "nesting depth " + sc.maxNesting + " reached (raise --max-nesting)";
        if (!all.complete()) incomplete = "TLC did not finish the state space";
        for (Property p : Property.values()) {
            if (!sc.checks(p)) { props.put(p, new Result.PropertyResult(p, Result.Status.NOT_CHECKED, null)); continue; }
            boolean violated;
            if (p == Property.DEADLOCK || p.kind == Property.Kind.LIVENESS) {
                if (p.kind == Property.Kind.LIVENESS && incomplete != null) { props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null)); continue; }
                violated = true;   // decided by its own run below
            } else {
                violated = errs.contains(p.name());
            }
            if (!violated) {
                props.put(p, new Result.PropertyResult(p, incomplete == null ? Result.Status.HOLDS : Result.Status.UNKNOWN, null));
                continue;
            }
            TlcRunner.Run one;
            try {
                TlaModelWriter.Mode mode = p.kind == Property.Kind.LIVENESS ? TlaModelWriter.Mode.LIVENESS : TlaModelWriter.Mode.INVARIANT;
                one = track(runner(p.name(), workers).run(TlaModelWriter.write(m, mode, List.of(invariantOf(p))), false));
            } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
                // A run that did not finish proves nothing about p (a killed child is not "holds").
                props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                if (incomplete == null) incomplete = p + ": " + e.getMessage();
                continue;
            }
            boolean isFound = one.violatedInvariant() != null || one.temporalViolated();
            if (!isFound && !one.complete()) {
                props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                if (incomplete == null) incomplete = p + ": TLC's run did not finish the state space";
                continue;
            }
            if (!isFound && p != Property.DEADLOCK && p.kind != Property.Kind.LIVENESS) {
                // The state dump has a state violating p, yet TLC's own run of p found none.
                props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                if (incomplete == null) incomplete = p + ": TLC's run of " + invariantOf(p) + " did not reproduce the violation in its state dump";
                continue;
            }
            if (!isFound) {
                props.put(p, new Result.PropertyResult(p, incomplete == null ? Result.Status.HOLDS : Result.Status.UNKNOWN, null));
                continue;
            }
            props.put(p, new Result.PropertyResult(p, Result.Status.VIOLATED, mapTrace(p, one.trace(), one.loopBackTo())));
        }
        boolean any = props.values().stream().anyMatch(r -> r.status() == Result.Status.VIOLATED);
        double secs = (System.nanoTime() - t0) / 1e9;
        Result.Stats stats = new Result.Stats(healthy, all.generated(), all.depth(), secs, secs > 0 ? healthy / secs : 0, peakRss);
        return new Result(sc, "tlc", any ? "violation" : incomplete == null ? "ok" : "incomplete", props, stats, incomplete);
    }

    /**
     * TLC's random simulation (-simulate): up to {@code traces} behaviors of at most {@code depth}
     * steps with the given seed, checking every safety invariant and the deadlock condition. It can
     * find a violation; it never proves a property, so what it does not find is "unknown".
     */
    public Result simulate(int depth, long seed, int traces) {
        long t0 = System.nanoTime();
        List<String> invs = new ArrayList<>(List.of("TypeOK"));
        for (Property p : Property.values())
            if (sc.checks(p) && p.kind != Property.Kind.LIVENESS) invs.add(invariantOf(p));
        TlcRunner.Run run;
        try {
            run = new TlcRunner(work.resolve("simulate"), workers, timeout)
                    .simulate(TlaModelWriter.write(m, TlaModelWriter.Mode.INVARIANT, invs), depth, seed, traces);
        } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
            return incompleteResult(e, t0);
        }
        track(run);
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        Property found = null;
        for (Property p : Property.values())
            if (invariantOf(p).equals(run.violatedInvariant())) found = p;
        if (run.violatedInvariant() != null && found == null)
            throw new IllegalStateException("Kernel.tla's " + run.violatedInvariant() + " is violated in simulation\n" + run.output());
        for (Property p : Property.values()) {
            Result.Status st = !sc.checks(p) ? Result.Status.NOT_CHECKED : p == found ? Result.Status.VIOLATED : Result.Status.UNKNOWN;
            props.put(p, new Result.PropertyResult(p, st, p == found ? notShortest(mapTrace(p, run.trace(), -1)) : null));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String why = "simulation: " + traces + " random behaviors of up to " + depth + " steps (seed " + seed + ") prove nothing";
        return new Result(sc, "tlc", found != null ? "violation" : "incomplete", props,
                new Result.Stats(run.distinct() < 0 ? 0 : run.distinct(), Math.max(run.generated(), 0), depth, secs, secs > 0 ? Math.max(run.generated(), 0) / secs : 0, peakRss), found != null ? null : why);
    }

    private static Trace notShortest(Trace t) { return new Trace(t.steps(), t.loopStart(), t.property(), t.why(), false); }

    /**
     * A run cut short (time limit, Ctrl-C, a killed or crashed TLC): every checked property is
     * unknown, and the stats say how far TLC got (its last progress line), never "states 0"
     * when it had reported more.
     */
    private Result incompleteResult(RuntimeException e, long t0) {
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        for (Property p : Property.values())
            props.put(p, new Result.PropertyResult(p, sc.checks(p) ? Result.Status.UNKNOWN : Result.Status.NOT_CHECKED, null));
        double secs = (System.nanoTime() - t0) / 1e9;
        TlcRunner.Reached r = TlcRunner.reachedOf(e);
        long states = r != null && r.distinct() > 0 ? r.distinct() : 0;
        return new Result(sc, "tlc", "incomplete", props,
                new Result.Stats(states, r != null ? Math.max(r.generated(), 0) : 0, r != null ? Math.max(r.depth(), 0) : 0, secs, secs > 0 ? states / secs : 0, peakRss),
                e.getMessage());
    }

    /** TLC's counterexample as a trace: each step replayed on the Java machine for its op, path and line. */
    private Trace mapTrace(Property p, List<Map<String, Object>> tr, int loopBackTo) {
        List<Trace.Step> steps = new ArrayList<>();
        boolean replayed = true;
        State prev = null;
        String why = null;
        for (int i = 0; i < tr.size(); i++) {
            Map<String, Object> st = tr.get(i);
            String err = TlaState.err(st);
            State cur = TlaState.toState(st, m);
            if (i == 0) {
                if (!Replay.initial(m, cur)) { replayed = false; steps.add(Replay.unreplayed(1, "TLC's initial state is not the Java machine's")); }
                prev = cur;
                continue;
            }
            if (!err.equals("none")) {   // the violating step: TLC's error state is canonical (Kernel.tla's Commit); its pre-state is prev
                Trace.Step s = Replay.violation(m, prev, p, steps.size() + 1);
                if (s == null) { replayed = false; s = Replay.unreplayed(steps.size() + 1, "the Java machine has no step violating " + p + " here"); }
                else why = Replay.why(m, prev, p);
                steps.add(s);
                break;
            }
            Trace.Step s = Replay.step(m, prev, cur, steps.size() + 1);
            if (s == null) { replayed = false; s = Replay.unreplayed(steps.size() + 1, "no Java transition from state " + i + " to state " + (i + 1)); }
            steps.add(s);
            prev = cur;
        }
        int loopStart = -1;
        if (p.kind == Property.Kind.LIVENESS) {
            loopStart = loopBackTo > 0 ? loopBackTo : steps.size();
            if (loopBackTo > 0 && prev != null && loopBackTo <= tr.size()) {
                State back = TlaState.toState(tr.get(loopBackTo - 1), m);
                Trace.Step s = Replay.step(m, prev, back, steps.size() + 1);
                if (s == null && !java.util.Arrays.equals(prev.encode(), back.encode())) { replayed = false; s = Replay.unreplayed(steps.size() + 1, "no Java transition closing the loop"); }
                if (s != null) steps.add(s);
            }
            why = p == Property.RESCHED_STARVATION ? "TLC: ReschedStarvationProp is violated: needResched is never serviced on this fair loop"
                    : "TLC: SignalStarvationProp is violated: a pending signal is never delivered on this fair loop";
        } else if (p == Property.DEADLOCK && why == null && prev != null) {
            why = m.stuck(prev);
            if (why == null && steps.stream().noneMatch(Trace.Step::violating)) why = "TLC: DeadlockInv is violated";
        }
        traceReplayed.put(p, replayed);
        return new Trace(steps, loopStart, p.name(), why == null ? "TLC: " + invariantOf(p) + " is violated" : why);
    }

    public static Path tempWork() {
        try {
            Path d = Files.createTempDirectory("ukl-tlc-");
            Children.tempDir(d);   // removed on every exit, Ctrl-C and SIGTERM included
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 50 ms even on a thread Ctrl-C has interrupted (its flag is kept for the caller). */
    private static void pause50ms() {
        boolean interrupted = Thread.interrupted();
        long until = System.nanoTime() + 50_000_000L;
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            try { Thread.sleep(Math.max(1, left / 1_000_000)); } catch (InterruptedException e) { interrupted = true; }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * Removes a temporary TLC work directory (its state dumps reach hundreds of MB). Only for
     * directories made by {@link #tempWork()}: a --work DIR the user named is kept.
     */
    public static void deleteTree(Path dir) {
        if (dir == null) return;
        Children.removed(dir);
        // A dying TLC child, or the command's own thread while the SIGTERM hook runs, can still
        // add a file (tlc.out, a state dump) during the walk: walk again until the tree is gone.
        IOException last = null;
        for (int attempt = 0; attempt < 20 && Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS); attempt++) {
            try (var walk = Files.walk(dir)) {
                List<Path> all = new java.util.ArrayList<>(walk.toList());
                java.util.Collections.reverse(all);
                for (Path p : all) Files.deleteIfExists(p);
                return;
            } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.NoSuchFileException e) {
                last = e;
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) throw new UncheckedIOException("cannot remove TLC's temporary directory " + dir, e.getCause());
                last = e.getCause();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove TLC's temporary directory " + dir, e);
            }
            pause50ms();
        }
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS))
            throw new UncheckedIOException("cannot remove TLC's temporary directory " + dir + " (something keeps writing into it)", last == null ? new IOException("still there") : last);
    }
}
