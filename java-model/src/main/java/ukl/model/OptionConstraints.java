package ukl.model;

import java.util.List;
import java.util.Set;

/**
 * Which option sets are contradictions (MODEL.md §5: bad input, not a verdict). The same rules are
 * the {@code valid} predicate of specs/alloy/options.als; AlloyAgreementTest enumerates that
 * model's valid configurations and checks that this class accepts exactly those.
 *
 * A configuration that breaks one of the dissertation's requirements (a red zone at CPL 0, NSS
 * with a co-running process, NSS without a stack-fault fix) is not a contradiction: it is
 * accepted, and the checker reports the hazard as a property violation.
 */
public final class OptionConstraints {
    private OptionConstraints() {}

    /** Options only UKL has (the baseline ring-3 process has none of them). */
    public static final List<Option> UKL_OPTIONS = List.of(Option.NSS, Option.NSS_PS, Option.PF_DF, Option.PF_SS,
            Option.RET, Option.BYP, Option.STACK_VMA_CHECK);
    /** Options the dissertation describes and the code does not have (UKL-CODE-NOTES). */
    public static final List<Option> DISSERTATION_ONLY = List.of(Option.NSS_PS, Option.STACK_VMA_CHECK);

    /** The first contradiction in {@code options} for a path file based on {@code basePreset}, or null. */
    public static String contradiction(String basePreset, Set<Option> options) {
        if (options.contains(Option.NSS) && options.contains(Option.NSS_PS))
            return "contradictory options: NSS and NSS_PS are two ways to share stacks; pick one";
        if (options.contains(Option.PF_DF) && options.contains(Option.PF_SS))
            return "contradictory options: PF_DF and PF_SS are alternative stack-fault fixes (§5.11); pick one";
        if (Presets.CODE_PRESETS.contains(basePreset))
            for (Option o : DISSERTATION_ONLY)
                if (options.contains(o))
                    return "option " + o + " is described in the dissertation only; preset " + basePreset
                            + " follows the code, which has no such option (use ukl-paper)";
        if (basePreset.equals("linux"))
            for (Option o : UKL_OPTIONS)
                if (options.contains(o)) return "option " + o + " is a UKL option; preset linux has none";
        return null;
    }
}
