package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import ukl.model.Event;
import ukl.model.InputError;
import ukl.model.Option;
import ukl.model.Presets;
import ukl.model.Property;
import ukl.model.Workload;
import ukl.model.lang.Op;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List presets, options, workloads, properties, ops or events.")
final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "WHAT", description = "presets | options | workloads | properties | ops | events") String what;

    @CommandLine.Option(names = "--format", paramLabel = "text|markdown", description = "text (default); markdown for ops and properties: the reference pages docs/ops.md and docs/properties.md")
    String format = "text";

    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!format.equals("text") && !format.equals("markdown")) throw InputError.arg("--format", "expected text or markdown, not '" + format + "'");
        if (format.equals("markdown")) {
            if (what.equals("ops")) out.print(ukl.report.ReferenceDoc.ops());
            else if (what.equals("properties")) out.print(ukl.report.ReferenceDoc.properties());
            else throw InputError.arg("--format", "markdown is for 'ops' and 'properties', not '" + what + "'");
            out.flush();
            return 0;
        }
        switch (what) {
            case "presets" -> Presets.NAMES.forEach(out::println);
            case "options" -> {
                for (Option o : Option.values()) out.printf("%-18s %s%n", o.name(), o.description);
                out.printf("%-18s %s%n", "PREEMPT=none|full", "kernel preemption model (preempt_check schedules only with full)");
            }
            case "workloads" -> Workload.ALL.values().forEach(w -> out.printf("%-18s %s%n", w.name(), w.description()));
            case "properties" -> { for (Property p : Property.values()) out.printf("%-24s %-9s %s%n", p.name(), p.kind.name().toLowerCase(), p.description); }
            case "ops" -> { for (Op o : Op.values()) out.printf("%-14s %-22s %s%n", o.word, o.takesArg() ? String.join("|", o.args) : "", o.summary); }
            case "events" -> { for (Event e : Event.values()) out.printf("%-8s %s%n", e.name(), e.description); }
            default -> throw InputError.arg("ukl list", "unknown list '" + what + "'; expected presets, options, workloads, properties, ops or events");
        }
        out.flush();
        return 0;
    }
}
