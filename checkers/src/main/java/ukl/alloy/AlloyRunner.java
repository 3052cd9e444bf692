package ukl.alloy;

import edu.mit.csail.sdg.alloy4.A4Reporter;
import edu.mit.csail.sdg.alloy4.Err;
import edu.mit.csail.sdg.ast.Command;
import edu.mit.csail.sdg.ast.CommandScope;
import edu.mit.csail.sdg.ast.Sig;
import edu.mit.csail.sdg.parser.CompModule;
import edu.mit.csail.sdg.parser.CompUtil;
import edu.mit.csail.sdg.translator.A4Options;
import edu.mit.csail.sdg.translator.A4Solution;
import edu.mit.csail.sdg.translator.A4Tuple;
import edu.mit.csail.sdg.translator.TranslateAlloyToKodkod;
import kodkod.engine.satlab.SATFactory;
import ukl.model.InputError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the commands of an Alloy model in-process (Alloy 6.2's edu.mit.csail.sdg API, SAT4J: no
 * native solver, works headless) and compares each outcome with the command's {@code expect}.
 * A command without {@code expect} fails: every claim must say what it should find.
 */
public final class AlloyRunner {
    /** The bundled models, in specs/alloy/ and carried in the jar under /alloy/. */
    public static final List<String> MODELS = List.of("address_spaces", "ist_assignment", "options");

    /** One command's outcome. {@code found} is true when Alloy found an instance (a counterexample of a check). */
    public record Outcome(String model, String command, boolean check, int expects, boolean found, double seconds,
                          String instance, Map<String, Object> instanceJson) {
        public String expected() {
            if (expects < 0) return "(no expect)";
            return check ? (expects == 1 ? "counterexample" : "holds") : (expects == 1 ? "instance" : "no instance");
        }
        public String got() { return check ? (found ? "counterexample" : "holds") : (found ? "instance" : "no instance"); }
        public boolean ok() { return expects >= 0 && (expects == 1) == found; }
    }

    static {
        // The dist jar carries slf4j-simple; Kodkod logs every translation step at INFO otherwise.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    private AlloyRunner() {}

    /**
     * SAT4J, pure Java. Taken as SATFactory.DEFAULT rather than looked up with SATFactory.find,
     * which probes every solver and leaves an empty alloy-plingeling*.cnf in the temp directory.
     */
    private static SATFactory sat4j() {
        SATFactory f = SATFactory.DEFAULT;
        if (!"sat4j".equals(f.id())) throw new IllegalStateException("Alloy's default solver is " + f.id() + ", not sat4j");
        return f;
    }

    /** The text of a bundled model (by name) or of an .als file (by path). */
    public static Source load(String nameOrPath) {
        if (MODELS.contains(nameOrPath)) {
            try (InputStream in = AlloyRunner.class.getResourceAsStream("/alloy/" + nameOrPath + ".als")) {
                if (in == null) throw new IllegalStateException("bundled Alloy model " + nameOrPath + " is missing from the jar");
                return new Source(nameOrPath, "specs/alloy/" + nameOrPath + ".als", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read bundled Alloy model " + nameOrPath, e);
            }
        }
        if (!nameOrPath.endsWith(".als"))
            throw InputError.arg("--model", "unknown model '" + nameOrPath + "'; expected one of " + String.join(", ", MODELS) + " or an .als file");
        try {
            String text = Files.readString(Path.of(nameOrPath), StandardCharsets.UTF_8);
            String name = Path.of(nameOrPath).getFileName().toString().replaceFirst("\\.als$", "");
            return new Source(name, nameOrPath, text);
        } catch (NoSuchFileException e) {
            throw new InputError(nameOrPath, 0, 0, "no such file");
        } catch (IOException e) {
            throw new InputError(nameOrPath, 0, 0, "cannot read: " + e.getMessage());
        }
    }

    public record Source(String name, String file, String text) {}

    /** Parses a model; a syntax or type error is an InputError at the file, line and column. */
    public static CompModule parse(Source src) {
        try {
            return CompUtil.parseEverything_fromString(A4Reporter.NOP, src.text());
        } catch (Err e) {
            throw new InputError(src.file(), e.pos == null ? 0 : e.pos.y, e.pos == null ? 0 : e.pos.x, "Alloy: " + firstLine(e.msg));
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int i = t.indexOf('\n');
        return i < 0 ? t : t.substring(0, i);
    }

    /**
     * Runs every command of the model (or only those labelled {@code only}, when not null), with
     * the overall scope replaced by {@code scope} when given, reporting each outcome as it ends.
     */
    public static List<Outcome> run(Source src, Integer scope, String only, Consumer<Outcome> progress) {
        CompModule world = parse(src);
        A4Options opt = new A4Options();
        opt.solver = sat4j();
        opt.skolemDepth = 1;   // names the quantified culprits (the counterexample's c, t, d)
        List<Outcome> out = new ArrayList<>();
        for (Command cmd : world.getAllCommands()) {
            if (only != null && !cmd.label.equals(only)) continue;
            long t0 = System.nanoTime();
            A4Solution sol;
            try {
                Command c = scope == null ? cmd : rescoped(cmd, scope);
                sol = TranslateAlloyToKodkod.execute_command(A4Reporter.NOP, world.getAllReachableSigs(), c, opt);
            } catch (Err e) {
                throw new InputError(src.file(), e.pos == null ? 0 : e.pos.y, e.pos == null ? 0 : e.pos.x,
                        "Alloy cannot run '" + cmd.label + "': " + firstLine(e.msg));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            boolean found = sol.satisfiable();
            String words = found ? InstanceText.describe(sol, world) : null;
            Map<String, Object> json = found ? InstanceText.json(sol, world) : null;
            Outcome o = new Outcome(src.name(), cmd.label, cmd.check, cmd.expects, found, secs, words, json);
            out.add(o);
            if (progress != null) progress.accept(o);
        }
        if (only != null && out.isEmpty())
            throw InputError.arg("--command", "model " + src.name() + " has no command '" + only + "'");
        return out;
    }

    /** The command with its overall scope and every non-exact sig scope set to n (exact scopes and steps stay). */
    private static Command rescoped(Command cmd, int n) throws Err {
        List<CommandScope> scopes = new ArrayList<>();
        for (CommandScope cs : cmd.scope)
            scopes.add(cs.isExact ? cs : new CommandScope(cs.pos, cs.sigPos, cs.sig, false, n, n, 1));
        return new Command(cmd.pos, cmd.nameExpr, cmd.label, cmd.check, n, cmd.bitwidth, cmd.maxseq,
                cmd.minprefix, cmd.maxprefix, cmd.expects, scopes, cmd.additionalExactScopes, cmd.commandKeyword, cmd.formula, cmd.parent);
    }

    /**
     * Every instance of a {@code run} command, each as the values (atom names, state 0) of the given
     * fields of a one-sig, e.g. Config's preset and options. Used to enumerate valid configurations.
     */
    public static List<Map<String, List<String>>> enumerate(Source src, String runLabel, String sig, List<String> fields, int max) {
        CompModule world = parse(src);
        A4Options opt = new A4Options();
        opt.solver = sat4j();
        Command cmd = world.getAllCommands().stream().filter(c -> c.label.equals(runLabel)).findFirst()
                .orElseThrow(() -> InputError.arg("--command", "model " + src.name() + " has no command '" + runLabel + "'"));
        Sig owner = world.getAllReachableSigs().stream().filter(x -> x.label.equals("this/" + sig)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sig " + sig));
        List<Map<String, List<String>>> all = new ArrayList<>();
        try {
            A4Solution sol = TranslateAlloyToKodkod.execute_command(A4Reporter.NOP, world.getAllReachableSigs(), cmd, opt);
            while (sol.satisfiable()) {
                if (all.size() >= max) throw new IllegalStateException("more than " + max + " instances of " + runLabel);
                Map<String, List<String>> row = new LinkedHashMap<>();
                for (String fn : fields) {
                    Sig.Field f = owner.getFields().makeCopy().stream().filter(x -> x.label.equals(fn)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("no field " + sig + "." + fn));
                    List<String> vals = new ArrayList<>();
                    for (A4Tuple t : sol.eval(f, 0)) vals.add(InstanceText.atom(t.atom(t.arity() - 1)).replaceFirst("0$", ""));
                    java.util.Collections.sort(vals);
                    row.put(fn, vals);
                }
                all.add(row);
                sol = sol.next();
            }
        } catch (Err e) {
            throw new InputError(src.file(), e.pos == null ? 0 : e.pos.y, e.pos == null ? 0 : e.pos.x, "Alloy: " + firstLine(e.msg));
        }
        return all;
    }

    /** Renders the table of outcomes. */
    public static String table(List<Outcome> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-16s %-38s %-15s %-15s %8s%n", "model", "command", "expected", "got", "seconds"));
        for (Outcome o : rows)
            sb.append(String.format(java.util.Locale.ROOT, "%-16s %-38s %-15s %-15s %8.2f%s%n", o.model(), o.command(), o.expected(), o.got(),
                    o.seconds(), o.ok() ? "" : "   << expectation failed"));
        return sb.toString();
    }

}
