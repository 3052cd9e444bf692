package ukl.model;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Random simulation on the Java machine, the counterpart of TLC's {@code -simulate}: {@code traces}
 * behaviors of at most {@code depth} steps from the initial state, each step a successor chosen
 * uniformly with a seeded generator (so a seed gives the same walks every time). It checks every
 * safety property and DEADLOCK on every state it visits. It finds violations; it proves nothing, so
 * a property it does not see violated is "unknown", and liveness is not judged (a finite walk has
 * no fair loop to show).
 */
public final class Simulator {
    /** What a simulation saw, for comparing with TLC's simulation statistics. */
    public record Stats(long behaviors, long steps, long distinct, int longest, double meanLength) {}

    private final Scenario sc;
    private final Machine m;
    private Stats last;

    public Simulator(Scenario sc) {
        this.sc = sc;
        this.m = new Machine(sc);
    }

    public Machine machine() { return m; }

    /** Statistics of the last {@link #run}. */
    public Stats stats() { return last; }

    public Result run(int depth, long seed, int traces) {
        long t0 = System.nanoTime();
        long deadline = sc.timeLimitMillis > 0 ? System.currentTimeMillis() + sc.timeLimitMillis : Long.MAX_VALUE;
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<Property, Trace> found = new EnumMap<>(Property.class);
        Set<Key> seen = new HashSet<>();
        long steps = 0, lengths = 0;
        int longest = 0, done = 0;
        String stop = null;
        State init = m.initial();
        seen.add(new Key(init.encode()));
        List<Machine.Transition> succ = new ArrayList<>();
        for (; done < traces; done++) {
            if (Thread.currentThread().isInterrupted()) { stop = "interrupted (Ctrl-C) after " + done + " behaviors"; break; }
            if (System.currentTimeMillis() > deadline) { stop = "time limit " + sc.timeLimitMillis / 1000 + "s reached after " + done + " behaviors"; break; }
            List<State> walk = new ArrayList<>();
            List<Machine.Transition> taken = new ArrayList<>();
            State s = init;
            walk.add(s);
            for (int d = 0; d < depth; d++) {
                String stuck = m.stuck(s);
                if (stuck != null && sc.checks(Property.DEADLOCK) && !found.containsKey(Property.DEADLOCK))
                    found.put(Property.DEADLOCK, trace(walk, null, Property.DEADLOCK, stuck));
                succ.clear();
                m.successors(s, succ::add);
                succ.removeIf(t -> t.bound() != null);   // a nesting bound is no behavior of the system
                if (succ.isEmpty()) break;
                Machine.Transition t = succ.get(rnd.nextInt(succ.size()));
                steps++;
                if (t.violated() != null) {
                    if (sc.checks(t.violated()) && !found.containsKey(t.violated()))
                        found.put(t.violated(), trace(walk, t, t.violated(), t.why()));
                    break;   // an error state has no successors, as in Kernel.tla
                }
                s = t.next();
                walk.add(s);
                taken.add(t);
                seen.add(new Key(s.encode()));
            }
            int len = walk.size() - 1;
            lengths += len;
            longest = Math.max(longest, len);
        }
        last = new Stats(done, steps, seen.size(), longest, done == 0 ? 0 : (double) lengths / done);
        Map<Property, Result.PropertyResult> props = new LinkedHashMap<>();
        for (Property p : Property.values()) {
            Result.Status st = !sc.checks(p) ? Result.Status.NOT_CHECKED : found.containsKey(p) ? Result.Status.VIOLATED : Result.Status.UNKNOWN;
            props.put(p, new Result.PropertyResult(p, st, found.get(p)));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String why = (stop != null ? stop + "; " : "") + "simulation: " + done + " random behaviors of up to " + depth
                + " steps (seed " + seed + ") prove nothing";
        return new Result(sc, "java", found.isEmpty() ? "incomplete" : "violation", props,
                new Result.Stats(seen.size(), steps, longest, secs, secs > 0 ? steps / secs : 0, Explorer.peakHeap()),
                found.isEmpty() ? why : null);
    }

    /** The walk so far as a trace, ending with the violating step when there is one (never claimed shortest). */
    private Trace trace(List<State> walk, Machine.Transition violating, Property p, String why) {
        List<Trace.Step> steps = new ArrayList<>();
        for (int i = 0; i + 1 < walk.size(); i++) steps.add(Replay.step(m, walk.get(i), walk.get(i + 1), steps.size() + 1));
        if (violating != null && violating.label() != null)
            steps.add(TraceText.step(m, violating.label(), walk.get(walk.size() - 1), null, steps.size() + 1, true));
        return new Trace(steps, -1, p.name(), why, false);
    }

    private record Key(byte[] b) {
        @Override public boolean equals(Object o) { return o instanceof Key k && java.util.Arrays.equals(b, k.b); }
        @Override public int hashCode() { return java.util.Arrays.hashCode(b); }
    }
}
