package ukl.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import ukl.model.Explorer;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Runs every {@code specs/scenarios/*.scenario} and checks its expectations. */
class ScenarioSuiteTest {
    static Path specs() {
        String dir = System.getProperty("ukl.specs.dir");
        assertNotNull(dir, "Surefire sets ukl.specs.dir");
        return Path.of(dir);
    }

    static List<Path> scenarioFiles() throws IOException {
        try (Stream<Path> s = Files.list(specs().resolve("scenarios"))) {
            return s.filter(p -> p.toString().endsWith(".scenario")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioMatchesItsExpectations() throws IOException {
        return scenarioFiles().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            ScenarioFile.Parsed p = ScenarioFile.read(f.toString());
            Scenario sc = p.builder().build();
            Result r = Explorer.check(sc);
            assertNull(r.incompleteReason(), "scenario must finish: " + r.incompleteReason());
            List<String> mm = Report.mismatches(r, p.defaultExpect());
            assertTrue(mm.isEmpty(), f.getFileName() + ": " + mm);
            // every violation comes with a trace that ends in the violating step or a loop
            for (Result.PropertyResult pr : r.properties().values())
                if (pr.status() == Result.Status.VIOLATED) {
                    assertNotNull(pr.trace(), pr.property() + " has a trace");
                    assertFalse(pr.trace().steps().isEmpty() && pr.property() != Property.DEADLOCK, pr.property() + " trace has steps");
                }
        }));
    }

    /**
     * Issue 15: the fingerprint explorer (two workers) and the exact one agree on every scenario of
     * the corpus: distinct states, transitions, depth, verdict, every property's status and every
     * trace step by step. Ids, first violations and lassos are the one-threaded search's, so a
     * worker count or a lost state would show here as a different count or trace.
     */
    @TestFactory
    Stream<DynamicTest> fingerprintAndExactExplorersAgree() throws IOException {
        return scenarioFiles().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Scenario sc = ScenarioFile.read(f.toString()).builder().build();
            Result exact = Explorer.exact(sc).run();
            Result fp = Explorer.fingerprint(sc, 2).run();
            assertTrue(Double.isNaN(exact.stats().fpCollision()), "the exact explorer reports no collision estimate");
            assertFalse(Double.isNaN(fp.stats().fpCollision()), "the fingerprint explorer reports its collision estimate");
            assertEquals(exact.stats().states(), fp.stats().states(), "distinct states");
            assertEquals(exact.stats().transitions(), fp.stats().transitions(), "transitions");
            assertEquals(exact.stats().depth(), fp.stats().depth(), "depth");
            assertEquals(exact.verdict(), fp.verdict(), "verdict");
            for (Property prop : Property.values()) {
                Result.PropertyResult a = exact.properties().get(prop), b = fp.properties().get(prop);
                assertEquals(a.status(), b.status(), prop + " status");
                assertEquals(a.trace(), b.trace(), prop + " trace");
            }
        }));
    }

    /** MODEL.md §6: every property has a scenario that violates it and one that satisfies it, and the suite checks both. */
    @Test
    void everyPropertyHasAViolatingAndASatisfyingScenario() throws IOException {
        Map<Property, Set<String>> violated = new EnumMap<>(Property.class), holds = new EnumMap<>(Property.class);
        for (Path f : scenarioFiles()) {
            ScenarioFile.Parsed p = ScenarioFile.read(f.toString());
            Scenario sc = p.builder().build();
            for (Property prop : Property.values()) {
                String exp = sc.expected.get(prop);
                if (exp == null && p.defaultExpect() != null && sc.checks(prop)) exp = p.defaultExpect().word;
                if ("violated".equals(exp)) violated.computeIfAbsent(prop, k -> new HashSet<>()).add(f.getFileName().toString());
                if ("holds".equals(exp)) holds.computeIfAbsent(prop, k -> new HashSet<>()).add(f.getFileName().toString());
            }
        }
        List<String> missing = new ArrayList<>();
        for (Property prop : Property.values()) {
            if (!violated.containsKey(prop)) missing.add(prop + " has no violating scenario");
            if (!holds.containsKey(prop)) missing.add(prop + " has no satisfying scenario");
        }
        assertTrue(missing.isEmpty(), String.join("\n", missing));
    }
}
