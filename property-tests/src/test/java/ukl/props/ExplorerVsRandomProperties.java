package ukl.props;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;
import ukl.cli.ScenarioFiles;
import ukl.model.Explorer;
import ukl.model.Property.Kind;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.model.State;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Suite 2: on small scenarios, every state a random run visits is in the exhaustive explorer's
 * reachable set, and every violation a random run meets is one the explorer reports.
 */
class ExplorerVsRandomProperties {
    static final List<String> SMALL = List.of("paper-stackgrow-nofix", "paper-nss-mmap-pfdf", "rtc-compute-2threads",
            "compute-2threads", "paper-ret", "ret-early-sti", "paper-shortcut-bare", "byp-limit2", "k514-nohz-entry-window",
            "paper-nss-tlb-corunner");

    record Explored(Explorer ex, Set<String> states, Set<String> violated) {}

    static final List<Explored> EXPLORED = new ArrayList<>();

    @BeforeContainer
    static void explore() {
        if (!EXPLORED.isEmpty()) return;
        for (String n : SMALL) {
            Scenario sc = ScenarioFiles.build(Path.of(System.getProperty("ukl.specs.dir"), "scenarios", n + ".scenario").toString());
            Explorer ex = Explorer.exact(sc);   // whole states, to compare with the random walks' states
            Result r = ex.run();
            Set<String> states = new HashSet<>();
            for (byte[] b : ex.states()) states.add(java.util.Base64.getEncoder().encodeToString(b));
            Set<String> viol = new HashSet<>();
            r.violations().forEach(p -> { if (p.kind != Kind.LIVENESS) viol.add(p.name()); });
            EXPLORED.add(new Explored(ex, states, viol));
        }
    }

    @Property(tries = 300, seed = "20261122")
    void randomRunsStayInsideTheExploredSpace(@ForAll @IntRange(min = 0, max = 9) int which,
                                              @ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int steps) {
        Explored e = EXPLORED.get(which);
        Runs.Walk w = Runs.walk(e.ex().machine(), seed, steps);
        for (State s : w.states())
            assertTrue(e.states().contains(java.util.Base64.getEncoder().encodeToString(s.encode())),
                    SMALL.get(which) + ": a random run (seed " + seed + ") reached a state the explorer did not");
        for (String v : w.violations())
            assertTrue(e.violated().contains(v), SMALL.get(which) + ": a random run (seed " + seed + ") violated " + v + ", which the explorer did not report");
    }
}
