package ukl.model;

import java.util.List;
import java.util.Map;

/**
 * A counterexample every engine can produce: numbered steps, each with the actor, what ran and
 * where it comes from, and only the state fields that changed. A liveness trace marks where its
 * loop starts.
 */
public record Trace(List<Step> steps, int loopStart, String property, String why, boolean shortest) {
    /** A trace from an exhaustive breadth-first search: no shorter one violates the property. */
    public Trace(List<Step> steps, int loopStart, String property, String why) { this(steps, loopStart, property, why, true); }

    public record Step(int index, String kind, int cpu, String thread, String action, String path, int line,
                       String citation, Map<String, String> changes, boolean violating) {}
}
