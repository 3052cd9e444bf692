package ukl.props;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import ukl.model.Event;
import ukl.model.Explorer;
import ukl.model.Option;
import ukl.model.Presets;
import ukl.model.Property.Kind;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.model.lang.Ast;
import ukl.model.lang.Cond;
import ukl.model.lang.PathCompiler;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Suite 4: metamorphic properties of verdicts. Renaming identical threads never changes one;
 * disabling an event never adds a violation; an option no path mentions (and the machine does not
 * read) never changes one; raising a bound never turns violated into holds.
 */
class MetamorphicProperties {
    record Config(String preset, String workload, String events, int threads, int cpus, List<Option> options) {
        Scenario.Builder builder() {
            Scenario.Builder b = Runs.scenario(preset, workload, events, threads, cpus);
            options.forEach(b::option);
            return b;
        }
        @Override public String toString() { return preset + "+" + workload + " " + events + " " + threads + "t/" + cpus + "c " + options; }
    }

    static final List<Config> CONFIGS = List.of(
            new Config("ukl-paper", "getppid", "TIMER:1,NMI:1", 2, 2, List.of()),
            new Config("ukl-5.14", "getppid", "TIMER:2", 2, 1, List.of()),
            new Config("ukl-paper", "stack-grow", "TIMER:1", 2, 2, List.of()),
            new Config("ukl-paper", "compute", "TIMER:2,NMI:1", 2, 2, List.of(Option.RET)),
            new Config("ukl-rfc", "shortcut-bare", "TIMER:1", 2, 2, List.of()),
            new Config("ukl-paper", "mmap", "TIMER:1", 1, 1, List.of(Option.NSS, Option.PF_DF)),
            new Config("linux", "blocking-read", "TIMER:1,WAKEUP:1,SIGNAL:1", 2, 2, List.of()),
            new Config("ukl-6x", "getppid", "TIMER:1", 2, 1, List.of(Option.BYP)));

    @Provide Arbitrary<Config> configs() { return Arbitraries.of(CONFIGS); }

    static Map<ukl.model.Property, Result.Status> verdicts(Scenario.Builder b) { return verdicts(b, false); }

    static Map<ukl.model.Property, Result.Status> verdicts(Scenario.Builder b, boolean mayBeIncomplete) {
        Result r = Explorer.check(b.build());
        if (!mayBeIncomplete) assertNull(r.incompleteReason(), r.incompleteReason());
        Map<ukl.model.Property, Result.Status> m = new EnumMap<>(ukl.model.Property.class);
        r.properties().forEach((p, pr) -> m.put(p, pr.status()));
        return m;
    }

    static Set<ukl.model.Property> violated(Map<ukl.model.Property, Result.Status> v) {
        Set<ukl.model.Property> s = new HashSet<>();
        v.forEach((p, st) -> { if (st == Result.Status.VIOLATED) s.add(p); });
        return s;
    }

    static Scenario.Builder with(Config c, Consumer<Scenario.Builder> change) {
        Scenario.Builder b = c.builder();
        change.accept(b);
        return b;
    }

    /**
     * Symmetry reduction (--symmetry, issue 15) never changes a safety verdict: random presets,
     * workloads, events and options on two CPUs with identical threads (no co-runner, so the CPU
     * swap is a symmetry), the reduced search against the full one. Liveness is not checked under
     * symmetry, so the full search's liveness results are not compared.
     */
    @Property(tries = 20, seed = "20261207")
    void symmetryReductionNeverChangesASafetyVerdict(@ForAll("presets") String preset, @ForAll("symWorkloads") String workload,
                                                     @ForAll("symEvents") String events, @ForAll("symOptions") List<Option> options,
                                                     @ForAll("twoOrFour") int threads) {
        Scenario.Builder full = Runs.scenario(preset, workload, events, threads, 2);
        full.coRunner = false;
        options.forEach(full::option);
        if (options.contains(Option.BYP)) full.bypassLimit = 2;
        Scenario fs;
        try { fs = full.build(); } catch (ukl.model.InputError e) { net.jqwik.api.Assume.that(false); return; }   // an option set the preset does not allow
        Scenario.Builder red = Runs.scenario(preset, workload, events, threads, 2);
        red.coRunner = false;
        options.forEach(red::option);
        if (options.contains(Option.BYP)) red.bypassLimit = 2;
        red.symmetry = true;
        Result a = Explorer.check(fs), b = Explorer.check(red.build());
        String what = preset + "+" + workload + " " + events + " " + threads + "t/2c " + options;
        assertNull(a.incompleteReason(), what + ": " + a.incompleteReason());
        assertTrue(b.stats().states() < a.stats().states(), what + ": the CPU swap reduces (" + b.stats().states() + " of " + a.stats().states() + ")");
        for (ukl.model.Property p : ukl.model.Property.values()) {
            if (p.kind == Kind.LIVENESS) { assertEquals(Result.Status.NOT_CHECKED, b.properties().get(p).status(), what + " " + p); continue; }
            assertEquals(a.properties().get(p).status(), b.properties().get(p).status(), what + " " + p);
            if (a.properties().get(p).trace() != null)
                assertEquals(a.properties().get(p).trace().steps().size(), b.properties().get(p).trace().steps().size(), what + " " + p + ": as short");
        }
    }

    @Provide Arbitrary<String> presets() { return Arbitraries.of("linux", "ukl-paper", "ukl-5.14", "ukl-rfc", "ukl-6x"); }
    @Provide Arbitrary<String> symWorkloads() { return Arbitraries.of("getppid", "stack-grow", "mmap", "signal-getppid", "tlb-shootdown", "read-user", "kstack-overflow", "spinlock-syscall"); }
    @Provide Arbitrary<String> symEvents() { return Arbitraries.of("TIMER:1", "NMI:1", "TIMER:1,MC:1", "none"); }
    @Provide Arbitrary<List<Option>> symOptions() { return Arbitraries.of(List.of(), List.of(Option.RET), List.of(Option.BYP), List.of(Option.NSS, Option.PF_DF), List.of(Option.NOHZ_FULL)); }
    @Provide Arbitrary<Integer> twoOrFour() { return Arbitraries.of(2, 2, 2, 4); }

    @Property(tries = 8, seed = "20261122")
    void renamingIdenticalThreadsNeverChangesAVerdict(@ForAll("configs") Config c) {
        assertEquals(verdicts(c.builder()), verdicts(with(c, b -> b.reverseAppThreads = true)), c.toString());
    }

    @Property(tries = 8, seed = "20261122")
    void disablingAnEventNeverAddsAViolation(@ForAll("configs") Config c) {
        Set<ukl.model.Property> full = violated(verdicts(c.builder()));
        for (String ev : c.events().split(",")) {
            String rest = String.join(",", java.util.Arrays.stream(c.events().split(",")).filter(e -> !e.equals(ev)).toList());
            Set<ukl.model.Property> less = violated(verdicts(with(c, b -> b.eventsSpec(rest.isEmpty() ? "none" : rest))));
            // liveness may become violated when a fair timer is removed; safety and deadlock may not appear
            less.removeIf(p -> p.kind == Kind.LIVENESS);
            assertTrue(full.containsAll(less), c + " without " + ev + " adds " + less);
        }
    }

    /** Options read only through `if option` (the machine itself reads the others). */
    static final List<Option> PATH_ONLY = List.of(Option.NSS, Option.RET, Option.PF_DF);

    static Set<String> mentioned(String preset) {
        Set<String> out = new HashSet<>();
        for (Ast.PathDef d : PathCompiler.merge(Presets.load(preset), Presets::load).file().paths()) collect(d.body(), out);
        return out;
    }

    private static void collect(List<Ast.Stmt> b, Set<String> out) {
        for (Ast.Stmt s : b)
            if (s instanceof Ast.IfStmt i) {
                if (i.cond().kind() == Cond.Kind.OPTION) out.add(i.cond().option());
                collect(i.then(), out);
                collect(i.orElse(), out);
            }
    }

    /** An option no path mentions would change nothing: it is bad input, never silently ignored (issue 12). */
    @Property(tries = 8, seed = "20261122")
    void anOptionNoPathMentionsIsRejected(@ForAll("configs") Config c) {
        if (c.preset().equals("linux")) return;   // UKL options are input errors on linux for their own reason
        Set<String> used = mentioned(c.preset());
        for (Option o : PATH_ONLY) {
            if (used.contains(o.name()) || c.options().contains(o)) continue;
            if ((o == Option.PF_DF && c.options().contains(Option.PF_SS))) continue;
            ukl.model.InputError e = org.junit.jupiter.api.Assertions.assertThrows(ukl.model.InputError.class,
                    () -> with(c, b -> b.option(o)).build(), c + " + " + o);
            assertTrue(e.getMessage().contains("has no branch in preset " + c.preset()), e.getMessage());
        }
    }

    @Property(tries = 8, seed = "20261122")
    void raisingABoundNeverTurnsViolatedIntoHolds(@ForAll("configs") Config c) {
        Set<ukl.model.Property> before = violated(verdicts(c.builder()));
        // One more timer and deeper nesting; the larger run may end incomplete (then unknown), never holds.
        Map<ukl.model.Property, Result.Status> more = verdicts(with(c, b -> {
            b.eventsSpec(c.events().contains("TIMER:1") ? c.events().replace("TIMER:1", "TIMER:2") : c.events().replace("TIMER:2", "TIMER:3"));
            b.maxNesting = 14;
            b.maxStates = 400_000;
        }), true);
        for (ukl.model.Property p : before)
            if (p.kind != Kind.LIVENESS)
                assertNotEquals(Result.Status.HOLDS, more.get(p), c + ": " + p + " turned from violated into holds after raising the bounds");
    }
}
