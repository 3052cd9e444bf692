package ukl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import ukl.model.InputError;

import java.io.PrintWriter;

/**
 * The {@code ukl} command. Exit codes: 0 every checked property holds (or a scenario matched its
 * expectations), 1 a violation (or a mismatch), 2 bad input, 3 incomplete.
 */
@Command(name = "ukl", mixinStandardHelpOptions = true, version = Report.TOOL + " " + Report.VERSION,
        description = "Model-check Unikernel Linux (UKL) kernel transition paths.",
        subcommands = {CheckCommand.class, ExplainCommand.class, MatrixCommand.class, ReviewCommand.class, BenchCommand.class, TlcCommand.class, CrossCheckCommand.class, AlloyCommand.class, ListCommand.class, ShowCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every checked property holds / the scenario matched", "1:a violation / a mismatch",
                "2:bad input", "3:incomplete (a bound was hit)", "70:internal error (a bug in ukl-model)"})
public final class Main implements Runnable {
    /** EX_SOFTWARE: an internal error, distinct from every verdict and from bad input. */
    static final int INTERNAL_ERROR = 70;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    public static void main(String[] args) {
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        ukl.tlc.Children.commandDone();   // lets a SIGTERM hook that is already running finish its clean-up now
        System.exit(code);
    }

    /** Runs the CLI with the given streams; tests call this. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof InputError ie) {
                cmd.getErr().println("ukl: " + ie.render());
                return 2;
            }
            if (ex.getCause() instanceof OutOfMemoryError) {
                // A bound, not a bug and not a verdict (exit 1 is a violation): incomplete, with a hint.
                cmd.getErr().println("ukl: incomplete: out of memory (heap " + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MiB); give Java more heap (JAVA_TOOL_OPTIONS=-Xmx<size>) or lower --max-states");
                return 3;
            }
            // A bug in ukl-model, never a verdict: say so, with the stack trace, and use its own code.
            cmd.getErr().println("ukl: internal error (please report): " + ex);
            ex.printStackTrace(new PrintWriter(cmd.getErr(), true));
            return INTERNAL_ERROR;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            String n = ex.getCommandLine().getCommandName();
            // One line, as every other input error (README "Exit codes").
            ex.getCommandLine().getErr().println("ukl: " + ex.getMessage().strip().replace('\n', ' ')
                    + " (run '" + (n.equals("ukl") ? "ukl" : "ukl " + n) + " --help' for usage)");
            return 2;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("ukl: incomplete: out of memory (heap " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB); give Java more heap (JAVA_TOOL_OPTIONS=-Xmx<size>) or lower --max-states");
            code = 3;
        }
        out.flush();
        err.flush();
        return code;
    }
}
