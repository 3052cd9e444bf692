package ukl.cli;

import ukl.model.Scenario;

/** Public entry to scenario files for other packages (the TLC tests and runners). */
public final class ScenarioFiles {
    private ScenarioFiles() {}

    public static Scenario build(String file) { return ScenarioFile.read(file).builder().build(); }
}
