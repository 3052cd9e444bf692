package ukl.cli;

import picocli.CommandLine.Option;
import ukl.model.InputError;

/** Random simulation, the same options for both engines ('ukl check --simulate' and 'ukl tlc --simulate'). */
final class SimulateOptions {
    @Option(names = "--simulate", description = "random simulation instead of exhaustive checking (finds violations, proves nothing)") boolean simulate;
    @Option(names = "--depth", paramLabel = "D", description = "with --simulate: steps per behavior (default 100)") Integer depth;
    @Option(names = "--seed", paramLabel = "S", description = "with --simulate: the random seed (default 1)") Long seed;
    @Option(names = "--traces", paramLabel = "N", description = "with --simulate: number of behaviors (default 1000)") Integer traces;

    int depth() { return depth == null ? 100 : depth; }
    long seed() { return seed == null ? 1 : seed; }
    int traces() { return traces == null ? 1000 : traces; }

    void validate() {
        if (!simulate && (depth != null || seed != null || traces != null))
            throw InputError.arg("command line", "--depth, --seed and --traces go with --simulate");
        if (depth() < 1 || depth() > 1_000_000) throw InputError.arg("--depth", "expected 1 to 1000000 steps per behavior, not " + depth());
        if (traces() < 1 || traces() > 1_000_000_000) throw InputError.arg("--traces", "expected 1 to 1000000000 behaviors, not " + traces());
    }
}
