package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ukl.alloy.AlloyRunner;
import ukl.model.InputError;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ukl alloy}: runs every command of the structural models (specs/alloy/), asserts each
 * one's {@code expect}, and prints the instances found in words. Exit 1 when an expectation fails.
 */
@Command(name = "alloy", mixinStandardHelpOptions = true,
        description = "Run the Alloy models of address spaces, IST stacks and option constraints; check every command's expect.")
final class AlloyCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", description = "address_spaces, ist_assignment, options, or an .als file (default: all three)")
    String model;
    @Option(names = "--command", paramLabel = "LABEL", description = "run only this command of the model")
    String command;
    @Option(names = "--scope", paramLabel = "N", description = "replace each command's overall scope (its 'but' scopes stay)")
    Integer scope;
    @CommandLine.Mixin OutputOptions output = new OutputOptions();

    public Integer call() {
        output.validate();
        if (scope != null && (scope < 1 || scope > 12)) throw InputError.arg("--scope", "expected 1 to 12, not " + scope);
        if (command != null && model == null) throw InputError.arg("--command", "give --model too: command labels are per model");
        List<AlloyRunner.Source> sources = new ArrayList<>();
        if (model == null) for (String m : AlloyRunner.MODELS) sources.add(AlloyRunner.load(m));
        else sources.add(AlloyRunner.load(model));
        for (AlloyRunner.Source s : sources) AlloyRunner.parse(s);   // every parse error before any solving
        PrintWriter err = spec.commandLine().getErr();
        List<AlloyRunner.Outcome> rows = new ArrayList<>();
        for (AlloyRunner.Source s : sources)
            rows.addAll(AlloyRunner.run(s, scope, command, o -> {
                err.printf(java.util.Locale.ROOT, "  %s %s: %s (%.2f s)%n", o.model(), o.command(), o.got(), o.seconds());
                err.flush();
            }));
        boolean allOk = rows.stream().allMatch(AlloyRunner.Outcome::ok);
        String text;
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tool", Report.TOOL);
            m.put("version", Report.VERSION);
            m.put("engine", "alloy");
            m.put("verdict", allOk ? "ok" : "expectation-failed");
            List<Object> cmds = new ArrayList<>();
            for (AlloyRunner.Outcome o : rows) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("model", o.model());
                c.put("command", o.command());
                c.put("kind", o.check() ? "check" : "run");
                c.put("expected", o.expected());
                c.put("got", o.got());
                c.put("ok", o.ok());
                c.put("seconds", o.seconds());
                c.put("instance", o.instanceJson());
                cmds.add(c);
            }
            m.put("commands", cmds);
            text = Json.write(m);
        } else {
            StringBuilder sb = new StringBuilder(AlloyRunner.table(rows));
            for (AlloyRunner.Outcome o : rows) {
                if (o.instance() == null) continue;
                sb.append('\n').append(o.model()).append(' ').append(o.command()).append(": ")
                  .append(o.check() ? "counterexample" : "instance").append(o.ok() ? " (expected)" : " (NOT expected)").append('\n')
                  .append(o.instance());
            }
            long bad = rows.stream().filter(o -> !o.ok()).count();
            sb.append('\n').append(rows.size()).append(" commands, ").append(bad == 0 ? "every expectation holds" : bad + " expectation(s) failed").append('\n');
            text = sb.toString();
        }
        Output.emit(text, output.out, spec.commandLine().getOut());
        return allOk ? 0 : 1;
    }
}
