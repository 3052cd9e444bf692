package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import ukl.model.InputError;
import ukl.model.Presets;
import ukl.model.TextFiles;
import ukl.model.lang.PathCompiler;
import ukl.model.lang.PathParser;
import ukl.model.lang.PathPrinter;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Print a preset's paths, with the source each line follows; or, for a path file,",
                "the merged program it checks (its own paths and the ones it inherits), each line with its origin."})
final class ShowCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PRESET|FILE") String what;

    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String name = what.toLowerCase(Locale.ROOT);   // preset names are case-insensitive
        if (Presets.exists(name)) {
            out.print(PathPrinter.print(Presets.load(name)));
        } else if (what.endsWith(".ukl") || new java.io.File(what).exists()) {
            PathCompiler.Merged m = PathCompiler.merge(PathParser.parse(what, TextFiles.readUtf8(what)), Presets::load);
            PathCompiler.compile(what, m, Set.of());   // the same positioned errors a check would give (run targets, helpers)
            out.print(PathPrinter.printMerged(m));
        } else {
            throw InputError.arg("ukl show", "unknown preset '" + what + "' and no such file; expected one of "
                    + String.join(", ", Presets.NAMES) + ", or a path file (.ukl)");
        }
        out.flush();
        return 0;
    }
}
