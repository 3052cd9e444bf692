package ukl.model;

import ukl.model.lang.Ast;
import ukl.model.lang.Cond;
import ukl.model.lang.Op;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Options that apply to every preset: the kernel's and the app's build, not an entry path's. */
    public static final Set<Option> EVERY_PRESET = EnumSet.of(Option.RUN_TO_COMPLETION, Option.NOHZ_FULL, Option.APP_REDZONE);

    /**
     * Options a preset's build has outside its paths: PF_SS is an IDT setting (CONFIG_UKL_USE_IST_PF,
     * in the 5.14 and 6.x trees and the dissertation, not in the RFC), STACK_VMA_CHECK a #PF handler
     * change of the dissertation's only.
     */
    static Set<Option> outsidePaths(String basePreset) {
        return switch (basePreset) {
            case "ukl-paper" -> EnumSet.of(Option.PF_SS, Option.STACK_VMA_CHECK);
            case "ukl-5.14", "ukl-6x" -> EnumSet.of(Option.PF_SS);
            default -> EnumSet.noneOf(Option.class);
        };
    }

    private static final Map<String, Set<Option>> PRESET_ADMITS = new ConcurrentHashMap<>();

    /** The options a bundled preset has a branch for (see {@link #admitted}). */
    public static Set<Option> admitted(String preset) {
        return PRESET_ADMITS.computeIfAbsent(preset, p -> admitted(p, Presets.load(p)));
    }

    /**
     * The options a program has a branch for: those its paths test with {@code if option}, BYP when
     * it runs {@code bypass_check} (the counter rule reads it), the base preset's options outside
     * its paths, and {@link #EVERY_PRESET}. Any other option would be silently ignored.
     */
    public static Set<Option> admitted(String basePreset, Ast.PathFile merged) {
        Set<Option> r = EnumSet.copyOf(EVERY_PRESET);
        r.addAll(outsidePaths(basePreset));
        for (Ast.PathDef d : merged.paths()) collect(d.body(), r);
        return r;
    }

    private static void collect(List<Ast.Stmt> stmts, Set<Option> into) {
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o && o.op() == Op.BYPASS_CHECK) into.add(Option.BYP);
            if (s instanceof Ast.IfStmt i) {
                if (i.cond().kind() == Cond.Kind.OPTION && !i.cond().option().equals("PREEMPT")) into.add(Option.valueOf(i.cond().option()));
                collect(i.then(), into);
                collect(i.orElse(), into);
            }
        }
    }

    /** {@link #contradiction(String, Set, Set)} for a bundled preset's own program. */
    public static String contradiction(String basePreset, Set<Option> options) {
        return contradiction(basePreset, admitted(basePreset), options);
    }

    /**
     * The first contradiction in {@code options} for a program based on {@code basePreset} that
     * has branches for {@code admitted}, or null.
     */
    public static String contradiction(String basePreset, Set<Option> admitted, Set<Option> options) {
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
        for (Option o : options)
            if (!admitted.contains(o))
                return "option " + o + " has no branch in preset " + basePreset
                        + (o == Option.PF_SS ? " (its build has no CONFIG_UKL_USE_IST_PF, and no path tests PF_SS)"
                           : " (no 'if option " + o + "' in its paths" + (o == Option.BYP ? " and no bypass_check" : "") + ")")
                        + ", so it would change nothing; "
                        + "drop it, or write a path file that extends " + basePreset + " and tests it";
        return null;
    }
}
