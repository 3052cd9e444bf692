package ukl.cli;

import picocli.CommandLine.Option;
import ukl.model.InputError;
import ukl.model.Scenario;

import java.util.ArrayList;
import java.util.List;

/** The scenario flags shared by check, tlc and cross-check (a picocli mixin). */
final class ScenarioOptions {
    @Option(names = "--preset", paramLabel = "NAME", description = "linux, ukl-paper, ukl-5.14, ukl-rfc or ukl-6x") String preset;
    @Option(names = "--paths", paramLabel = "FILE", description = "a path file (may 'extends PRESET')") String paths;
    @Option(names = "--scenario", paramLabel = "FILE", description = "a scenario file with expectations") String scenario;
    @Option(names = "--option", paramLabel = "NAME[=VALUE]", description = "an option; repeatable (BYP, NSS, NSS_PS, RET, PF_DF, PF_SS, STACK_VMA_CHECK, RUN_TO_COMPLETION, NOHZ_FULL, APP_REDZONE, PREEMPT=none|full)") List<String> options = new ArrayList<>();
    @Option(names = "--workload", paramLabel = "NAME", description = "a bundled workload (ukl list workloads)") String workload;
    @Option(names = "--threads", paramLabel = "N", description = "app threads (default: the workload's)") Integer threads;
    @Option(names = "--co-runner", paramLabel = "user|none", description = "an ordinary process on the last CPU") String coRunner;
    @Option(names = "--cpus", paramLabel = "N") Integer cpus;
    @Option(names = "--events", paramLabel = "EVENT[:COUNT],...", description = "TIMER, IPI, NMI, MC, DB, SIGNAL, WAKEUP; COUNT a number or * (unbounded); 'none'") String events;
    @Option(names = "--preempt", paramLabel = "none|full") String preempt;
    @Option(names = "--bypass-limit", paramLabel = "N", description = "UKL_BYP limit (code default 50)") Integer bypassLimit;
    @Option(names = "--ist", paramLabel = "VECTOR=INDEX", description = "IDT IST assignment; repeatable") List<String> ist = new ArrayList<>();
    @Option(names = "--max-states", paramLabel = "N", description = "state bound (default 2000000)") Long maxStates;
    @Option(names = "--max-nesting", paramLabel = "N", description = "activation nesting bound (default 12)") Integer maxNesting;
    @Option(names = "--time-limit", paramLabel = "SECONDS", description = "time bound (default 600)") Long timeLimit;
    @Option(names = "--exact", description = "Java explorer: keep whole states (default: 64-bit fingerprints; the collision estimate is in the stats)") boolean exact;
    @Option(names = "--fp-memory", paramLabel = "SIZE", description = "Java explorer: a fingerprint table of this fixed size (e.g. 512m, 12g; TLC's -fpmem), for runs near a billion states; default: it grows") String fpMemory;
    @Option(names = "--symmetry", description = "Java explorer: one state per orbit of the permutations of identical threads and CPUs (proofs-notes/explorer.md); liveness is then not checked") boolean symmetry;
    @Option(names = "--java-workers", paramLabel = "N", description = "Java explorer: threads that expand states (default 0: one per core; verdicts, counts and traces do not depend on it)") Integer workers;

    /** Whether any flag that describes the scenario itself (not a bound) was given. */
    boolean scenarioFlags() {
        return preset != null || paths != null || !options.isEmpty() || workload != null || threads != null
                || coRunner != null || cpus != null || events != null || preempt != null || bypassLimit != null || !ist.isEmpty();
    }

    void applyBounds(Scenario.Builder b) {
        if (maxStates != null) { b.maxStates = maxStates; b.keyOrigin.put("max-states", "--max-states"); }
        if (maxNesting != null) { b.maxNesting = maxNesting; b.keyOrigin.put("max-nesting", "--max-nesting"); }
        if (timeLimit != null) { b.timeLimitSeconds = timeLimit; b.keyOrigin.put("time-limit", "--time-limit"); }
        if (exact) b.exact = true;
        if (symmetry) b.symmetry = true;
        if (fpMemory != null) {
            if (exact) throw InputError.arg("command line", "--fp-memory sizes the fingerprint table; --exact has none: give one or the other");
            b.fpMemoryBytes = size("--fp-memory", fpMemory);
        }
        if (workers != null) { b.workers = workers; b.keyOrigin.put("workers", "--java-workers"); }
    }

    /** A size such as 512m, 12g or 1048576 (bytes), at least 1 MiB. */
    static long size(String flag, String v) {
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("(?i)(\\d{1,12})([kmg]?)").matcher(v.trim());
        if (!mt.matches()) throw InputError.arg(flag, "expected a size such as 512m or 12g, not '" + v + "'");
        long n = Long.parseLong(mt.group(1));
        String u = mt.group(2).toLowerCase(java.util.Locale.ROOT);
        n = switch (u) { case "k" -> n << 10; case "m" -> n << 20; case "g" -> n << 30; default -> n; };
        if (n < (1 << 20) || n > (32L << 30)) throw InputError.arg(flag, "expected 1m to 32g, not '" + v + "'");
        return n;
    }

    /** The scenario from --scenario (with its parsed file) or from the flags. */
    record Resolved(Scenario scenario, ScenarioFile.Parsed file) {}

    Resolved resolve() {
        if (scenario != null) {
            if (scenarioFlags()) throw InputError.arg("command line", "--scenario FILE says everything about the run; do not combine it with scenario flags");
            ScenarioFile.Parsed p = ScenarioFile.read(scenario);
            applyBounds(p.builder());
            return new Resolved(p.builder().build(), p);
        }
        Scenario.Builder b = Scenario.builder();
        b.preset = preset;
        if (preset != null) b.keyOrigin.put("preset", "--preset");
        if (paths != null) { b.pathsFile = paths; b.keyOrigin.put("paths", "--paths"); }
        if (workload != null) { b.workload = workload; b.keyOrigin.put("workload", "--workload"); }
        for (String o : options) b.optionSpec(o);
        if (preempt != null) b.optionSpec("PREEMPT=" + preempt);
        if (threads != null) { b.threads = threads; b.keyOrigin.put("threads", "--threads"); }
        if (cpus != null) { b.cpus = cpus; b.keyOrigin.put("cpus", "--cpus"); }
        if (coRunner != null) {
            String cr = coRunner.toLowerCase(java.util.Locale.ROOT);
            if (!cr.equals("user") && !cr.equals("none")) throw InputError.arg("--co-runner", "expected user or none, not '" + coRunner + "'");
            b.coRunner = cr.equals("user");
        }
        if (events != null) { b.origin = "--events"; b.eventsSpec(events); }
        if (bypassLimit != null) { b.bypassLimit = bypassLimit; b.keyOrigin.put("bypass-limit", "--bypass-limit"); }
        b.origin = "--ist";
        for (String s : ist) b.istSpec(s);
        b.origin = "command line";
        applyBounds(b);
        return new Resolved(b.build(), null);
    }
}
