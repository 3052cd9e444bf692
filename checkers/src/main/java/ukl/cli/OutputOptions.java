package ukl.cli;

import picocli.CommandLine.Option;
import ukl.model.InputError;
import ukl.model.Result;

import java.io.PrintWriter;
import java.util.List;

/** --format and --out, shared by the commands that print a check report (a picocli mixin). */
final class OutputOptions {
    @Option(names = "--format", paramLabel = "text|json", description = "output format (default text)") String format = "text";
    @Option(names = "--out", paramLabel = "FILE", description = "write the report here instead of stdout") String out;

    void validate() {
        if (!format.equals("text") && !format.equals("json"))
            throw InputError.arg("--format", "expected text or json, not '" + format + "'");
    }

    boolean json() { return format.equals("json"); }

    /** Prints a result (with the scenario file's mismatches, or null) in the chosen format. */
    void emit(Result r, List<String> mismatches, PrintWriter pw) {
        Output.emit(json() ? Json.write(Report.json(r, mismatches)) : Report.text(r, mismatches), out, pw);
    }
}
