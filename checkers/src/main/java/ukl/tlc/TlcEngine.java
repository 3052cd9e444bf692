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

    public Result check() {
        long t0 = System.nanoTime();
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        String incomplete = null;
        TlcRunner.Run all;
        try {
            all = new TlcRunner(work.resolve("states"), workers, timeout)
                    .run(TlaModelWriter.write(m, TlaModelWriter.Mode.STATES, List.of("TypeOK")), true);
        } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
            return incompleteResult(e.getMessage(), t0);
        }
        statesRunSeconds = all.seconds();
        if (all.violatedInvariant() != null)
            throw new IllegalStateException("Kernel.tla's " + all.violatedInvariant() + " is violated: the spec or its generated constants are wrong\n" + all.output());
        Set<String> errs = new HashSet<>();
        long healthy = 0;
        try {
            for (Map<String, Object> st : TlcRunner.readDump(all.dump())) {
                String err = TlaState.err(st);
                if (err.equals("none")) { healthy++; healthyStates.add(TlaState.toState(st, m).encode()); }
                else errs.add(err);
            }
        } catch (TlcRunner.TlcFailure e) {
            healthyStates = new ArrayList<>();
            return incompleteResult(e.getMessage(), t0);
        }
        if (all.distinct() >= 0 && healthy + errs.size() > all.distinct())
            return incompleteResult("TLC's state dump holds more states than TLC reported (" + all.distinct() + "): the dump is not this run's", t0);
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
                one = new TlcRunner(work.resolve(p.name()), workers, timeout).run(TlaModelWriter.write(m, mode, List.of(invariantOf(p))), false);
            } catch (TlcRunner.TimeoutError | TlcRunner.TlcFailure e) {
                // A run that did not finish proves nothing about p (a killed child is not "holds").
                props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                if (incomplete == null) incomplete = p + ": " + e.getMessage();
                continue;
            }
            boolean found = one.violatedInvariant() != null || one.temporalViolated();
            if (!found && !one.complete()) {
                props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                if (incomplete == null) incomplete = p + ": TLC's run did not finish the state space";
                continue;
            }
            if (!found && p != Property.DEADLOCK && p.kind != Property.Kind.LIVENESS) {
                // The state dump has a state violating p, yet TLC's own run of p found none.
                props.put(p, new Result.PropertyResult(p, Result.Status.UNKNOWN, null));
                if (incomplete == null) incomplete = p + ": TLC's run of " + invariantOf(p) + " did not reproduce the violation in its state dump";
                continue;
            }
            if (!found) {
                props.put(p, new Result.PropertyResult(p, incomplete == null ? Result.Status.HOLDS : Result.Status.UNKNOWN, null));
                continue;
            }
            props.put(p, new Result.PropertyResult(p, Result.Status.VIOLATED, mapTrace(p, one)));
        }
        boolean any = props.values().stream().anyMatch(r -> r.status() == Result.Status.VIOLATED);
        double secs = (System.nanoTime() - t0) / 1e9;
        Result.Stats stats = new Result.Stats(healthy, all.generated(), all.depth(), secs, secs > 0 ? healthy / secs : 0, -1);
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
            return incompleteResult(e.getMessage(), t0);
        }
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        Property found = null;
        for (Property p : Property.values())
            if (invariantOf(p).equals(run.violatedInvariant())) found = p;
        if (run.violatedInvariant() != null && found == null)
            throw new IllegalStateException("Kernel.tla's " + run.violatedInvariant() + " is violated in simulation\n" + run.output());
        for (Property p : Property.values()) {
            Result.Status st = !sc.checks(p) ? Result.Status.NOT_CHECKED : p == found ? Result.Status.VIOLATED : Result.Status.UNKNOWN;
            props.put(p, new Result.PropertyResult(p, st, p == found ? notShortest(mapTrace(p, run)) : null));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String why = "simulation: " + traces + " random behaviors of up to " + depth + " steps (seed " + seed + ") prove nothing";
        return new Result(sc, "tlc", found != null ? "violation" : "incomplete", props,
                new Result.Stats(run.distinct() < 0 ? 0 : run.distinct(), run.generated(), depth, secs, 0, -1), found != null ? null : why);
    }

    private static Trace notShortest(Trace t) { return new Trace(t.steps(), t.loopStart(), t.property(), t.why(), false); }

    private Result incompleteResult(String why, long t0) {
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        for (Property p : Property.values())
            props.put(p, new Result.PropertyResult(p, sc.checks(p) ? Result.Status.UNKNOWN : Result.Status.NOT_CHECKED, null));
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Result(sc, "tlc", "incomplete", props, new Result.Stats(0, 0, 0, secs, 0, -1), why);
    }

    /** TLC's counterexample as a trace: each step replayed on the Java machine for its op, path and line. */
    private Trace mapTrace(Property p, TlcRunner.Run run) {
        List<Trace.Step> steps = new ArrayList<>();
        List<Map<String, Object>> tr = run.trace();
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
            if (!err.equals("none")) {   // the violating step: TLC's error state keeps the pre-state's variables
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
            loopStart = run.loopBackTo() > 0 ? run.loopBackTo() : steps.size();
            if (run.loopBackTo() > 0 && prev != null && run.loopBackTo() <= tr.size()) {
                State back = TlaState.toState(tr.get(run.loopBackTo() - 1), m);
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

    /**
     * Removes a temporary TLC work directory (its state dumps reach hundreds of MB). Only for
     * directories made by {@link #tempWork()}: a --work DIR the user named is kept.
     */
    public static void deleteTree(Path dir) {
        if (dir == null) return;
        Children.removed(dir);
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            List<Path> all = new java.util.ArrayList<>(walk.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove TLC's temporary directory " + dir, e);
        }
    }
}
