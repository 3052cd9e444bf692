package ukl.model;

import java.util.List;
import java.util.Map;

/** The outcome of one check; the JSON schema of {@code ukl check --format json} mirrors it. */
public record Result(Scenario scenario, String engine, String verdict, Map<Property, PropertyResult> properties,
                     Stats stats, String incompleteReason) {
    public enum Status {
        HOLDS("holds"), VIOLATED("violated"), UNKNOWN("unknown"), NOT_CHECKED("not-checked");
        public final String word;
        Status(String w) { word = w; }
        public static Status byWord(String w) {
            for (Status s : values()) if (s.word.equals(w)) return s;
            return null;
        }
    }

    public record PropertyResult(Property property, Status status, Trace trace) {}

    /**
     * fpCollision: the fingerprint explorer's estimated chance that two distinct states shared a
     * fingerprint (NaN for an engine that compares whole states); storeBytes: the memory it
     * accounts for (fingerprint table, parent log, peak queue, starvation subgraph), -1 if none;
     * diskBytes: what it wrote to disk (trace log past its memory share, the queue's peak spill);
     * workers: threads that expanded states; storeDetail: storeBytes by part, for the text report.
     */
    public record Stats(long states, long transitions, int depth, double seconds, double statesPerSecond, long peakMemoryBytes,
                        double fpCollision, long storeBytes, long diskBytes, int workers, String storeDetail) {
        public Stats(long states, long transitions, int depth, double seconds, double statesPerSecond, long peakMemoryBytes) {
            this(states, transitions, depth, seconds, statesPerSecond, peakMemoryBytes, Double.NaN, -1, 0, 1, null);
        }
    }

    public boolean violated(Property p) { return properties.get(p).status() == Status.VIOLATED; }

    public List<Property> violations() {
        return properties.values().stream().filter(r -> r.status() == Status.VIOLATED).map(PropertyResult::property).toList();
    }

    /** Exit code of MODEL's CLI contract: 0 all hold, 1 a violation, 3 incomplete. */
    public int exitCode() {
        return switch (verdict) { case "ok" -> 0; case "violation" -> 1; default -> 3; };
    }
}
