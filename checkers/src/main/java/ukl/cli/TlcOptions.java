package ukl.cli;

import picocli.CommandLine.Option;
import ukl.model.InputError;
import ukl.tlc.TlcEngine;

/** How TLC runs, for 'ukl tlc' and 'ukl cross-check'. */
final class TlcOptions {
    @Option(names = "--workers", paramLabel = "N", description = "TLC worker threads (default: every core, ${sys:ukl.cores})") Integer workers;
    @Option(names = "--plan", paramLabel = "tuned|per-property",
            description = "TLC's runs: 'tuned' (default) checks every property in one run (-continue) and adds runs only for a"
                    + " shortest trace or to tell two violated liveness properties apart; 'per-property' is the earlier layout"
                    + " (a state-space run, then one run per property), kept for comparison") String plan = "tuned";
    @Option(names = "--progress", paramLabel = "auto|bar|lines|none",
            description = "TLC's progress on stderr: a status line on a terminal (auto), plain lines elsewhere, or none") String progress = "auto";

    static { System.setProperty("ukl.cores", String.valueOf(Runtime.getRuntime().availableProcessors())); }

    int workers() {
        int w = workers == null ? Math.min(64, Runtime.getRuntime().availableProcessors()) : workers;
        if (w < 1 || w > 64) throw InputError.arg("--workers", "expected 1 to 64 TLC worker threads, not " + w);
        return w;
    }

    TlcEngine.Plan plan() {
        return switch (plan.toLowerCase()) {
            case "tuned" -> TlcEngine.Plan.TUNED;
            case "per-property" -> TlcEngine.Plan.PER_PROPERTY;
            default -> throw InputError.arg("--plan", "expected tuned or per-property, not '" + plan + "'");
        };
    }

    ProgressView.Mode progress() {
        try {
            return ProgressView.Mode.valueOf(progress.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw InputError.arg("--progress", "expected auto, bar, lines or none, not '" + progress + "'");
        }
    }

    void validate() { workers(); plan(); progress(); }
}
