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
