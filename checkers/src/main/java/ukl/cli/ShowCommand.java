package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import ukl.model.InputError;
import ukl.model.Presets;
import ukl.model.lang.PathPrinter;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "show", mixinStandardHelpOptions = true, description = "Print a preset's paths, with the source each line follows.")
final class ShowCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PRESET") String preset;

    public Integer call() {
        if (!Presets.exists(preset))
            throw InputError.arg("ukl show", "unknown preset '" + preset + "'; expected one of " + String.join(", ", Presets.NAMES));
        PrintWriter out = spec.commandLine().getOut();
        out.print(PathPrinter.print(Presets.load(preset)));
        out.flush();
        return 0;
    }
}
