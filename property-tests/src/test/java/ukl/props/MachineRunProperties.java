package ukl.props;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import org.junit.jupiter.api.Test;
import ukl.model.Machine;
import ukl.model.Option;
import ukl.model.Scenario;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Suite 1: stateful runs of the machine, longer and wider than the explorer's bounds (more
 * threads, CPUs and unbounded events), with every named property as an invariant. The actions are
 * the machine's own transitions; a violation fails the chain, and jqwik shrinks it to the list of
 * transitions, each described like a line of a `ukl check` trace.
 */
class MachineRunProperties {
    /** Presets and options the exhaustive checker says satisfy every property, run at wider bounds. */
    static List<Supplier<Scenario>> configs() {
        return List.of(
                () -> Runs.scenario("linux", "getppid", "TIMER:*,NMI:*,SIGNAL:*", 2, 2).build(),
                () -> Runs.scenario("linux", "tlb-shootdown", "TIMER:*,NMI:3", 2, 2).build(),
                () -> Runs.scenario("ukl-6x", "getppid", "TIMER:*,NMI:3,SIGNAL:3", 2, 2).build(),
                () -> Runs.scenario("ukl-paper", "compute", "TIMER:*,NMI:*", 2, 1).option(Option.RET).build(),
                () -> Runs.scenario("ukl-paper", "stack-grow", "TIMER:*,NMI:2", 2, 2).option(Option.PF_SS).build(),
                () -> Runs.scenario("ukl-paper", "shortcut-wrapped", "TIMER:*,NMI:2", 2, 1).preempt(true).build());
    }

    static net.jqwik.api.state.ActionChainArbitrary<Runs.Run> chains(Supplier<Scenario> cfg, Machine.Perturbation p, int length) {
        return ActionChain.<Runs.Run>startWith(() -> {
                    Machine m = new Machine(cfg.get(), p);
                    return new Runs.Run(m, m.initial(), 0);
                })
                .withAction(new MachineStep())
                .withMaxTransformations(length);
    }

    /** One transition of the machine: a CPU's step or an event, chosen among those enabled. */
    static final class MachineStep implements Action.Dependent<Runs.Run> {
        @Override public boolean precondition(Runs.Run r) { return !Runs.moves(r.m(), r.s()).isEmpty(); }

        @Override public Arbitrary<Transformer<Runs.Run>> transformer(Runs.Run r) {
            List<Transformer<Runs.Run>> ts = Runs.moves(r.m(), r.s()).stream()
                    .map(mv -> Transformer.<Runs.Run>transform(mv.description(), run -> {
                        if (mv.violation() != null) throw new AssertionError("violates " + mv.violation());
                        return run.next(mv.next());
                    }))
                    .toList();
            return Arbitraries.of(ts);
        }
    }

    @Provide
    Arbitrary<ActionChain<Runs.Run>> runs() {
        List<Supplier<Scenario>> cs = configs();
        return Arbitraries.integers().between(0, cs.size() - 1)
                .flatMap(i -> chains(cs.get(i), Machine.Perturbation.NONE, 400));
    }

    @Property(tries = 60, seed = "20261122")
    void longRunsKeepEveryProperty(@ForAll("runs") ActionChain<Runs.Run> chain) {
        chain.run();
    }

    /** The suite can fail: with set_mode broken (ukl_mode never changes) the chains report a violation. */
    @Test
    void aPlantedBugIsReported() {
        Supplier<Scenario> cfg = () -> Runs.scenario("ukl-paper", "getppid", "TIMER:*", 1, 1).build();
        int failures = 0;
        String message = null;
        for (ActionChain<Runs.Run> c : chains(cfg, Machine.Perturbation.SET_MODE_NOOP, 100).sampleStream().limit(10).toList()) {
            try {
                c.run();
            } catch (AssertionError e) {
                failures++;
                message = e.getMessage();
            }
        }
        assertTrue(failures > 0, "no chain met the planted bug");
        assertTrue(message.contains("violates "), message);
    }
}
