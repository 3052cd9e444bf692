package ukl.alloy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ukl.cli.Main;
import ukl.model.InputError;
import ukl.model.Option;
import ukl.model.OptionConstraints;
import ukl.model.Presets;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** The Alloy models: every command's expect holds, a flipped fact breaks one, and the option list agrees with ukl check. */
class AlloyModelsTest {
    static Path specs() { return Path.of(System.getProperty("ukl.specs.dir")); }

    static AlloyRunner.Source fromSpecs(String model) throws Exception {
        Path f = specs().resolve("alloy").resolve(model + ".als");
        return new AlloyRunner.Source(model, f.toString(), Files.readString(f));
    }

    static AlloyRunner.Source mutate(AlloyRunner.Source s, String from, String to) {
        assertTrue(s.text().contains(from), "the mutation's target text is in " + s.file() + ": " + from);
        return new AlloyRunner.Source(s.name(), s.file(), s.text().replace(from, to));
    }

    @Test
    void everyCommandMeetsItsExpectationAndEachModelCanFindAndRefute() throws Exception {
        for (String m : AlloyRunner.MODELS) {
            List<AlloyRunner.Outcome> rows = AlloyRunner.run(fromSpecs(m), null, null, null);
            assertFalse(rows.isEmpty(), m + " has commands");
            for (AlloyRunner.Outcome o : rows) {
                assertTrue(o.expects() >= 0, m + " " + o.command() + " has an expect");
                assertTrue(o.ok(), m + " " + o.command() + ": expected " + o.expected() + ", got " + o.got());
                if (o.found()) assertNotNull(o.instance(), "an instance is described in words");
            }
            // Both outcomes occur, so a broken model shows up either way.
            assertTrue(rows.stream().anyMatch(AlloyRunner.Outcome::found), m + " finds something");
            assertTrue(rows.stream().anyMatch(o -> !o.found()), m + " refutes something");
        }
    }

    @Test
    void theBundledCopyIsTheSpecsFile() throws Exception {
        for (String m : AlloyRunner.MODELS) assertEquals(fromSpecs(m).text(), AlloyRunner.load(m).text(), m);
    }

    /** Flip one fact per model and the expectation that depends on it breaks. */
    @Test
    void flippingOneFactBreaksAnExpectation() throws Exception {
        // App stacks in the kernel half: NSS's IPI data would be mapped everywhere.
        var a = mutate(fromSpecs("address_spaces"), "all s: AppStack | s.half = UserHalf", "all s: AppStack | s.half = KernelHalf");
        assertFalse(outcome(a, "nss_ipi_data_with_corunner").ok());
        // PF_DF's page-fault handling off the #DF stack: nothing would sleep on an IST stack.
        var i = mutate(fromSpecs("ist_assignment"), "+ (v = PF and PF_DF in Config.options => DF.ist else none)", "");
        assertFalse(outcome(i, "pf_df_stack_fault_sleeps_on_ist").ok());
        // PF_SS's #PF on the current stack (Linux's table): sleeping is fine again.
        var j = mutate(fromSpecs("ist_assignment"), "PF.ist = (PF_SS in Config.options => Ist6 else none)", "no PF.ist");
        assertFalse(outcome(j, "pf_ss_stack_fault_sleeps_on_ist").ok());
        // Dropping a contradiction makes Alloy's valid list differ from ukl check's.
        var o = mutate(fromSpecs("options"), "not (PF_DF + PF_SS in Config.options)", "");
        assertTrue(outcome(o, "valid_configurations").ok(), "still has instances");
        assertFalse(optionDisagreements(o).isEmpty(), "the enumeration test sees the dropped constraint");
    }

    /** Through the CLI: a model whose expectation fails exits 1 and says which. */
    @Test
    void cliExitsOneOnAFailedExpectation(@TempDir Path tmp) throws Exception {
        var a = mutate(fromSpecs("address_spaces"), "all s: AppStack | s.half = UserHalf", "all s: AppStack | s.half = KernelHalf");
        Path f = tmp.resolve("flipped.als");
        Files.writeString(f, a.text());
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[]{"alloy", "--model", f.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(1, code, out + "\n" + err);
        assertTrue(out.toString().contains("nss_ipi_data_with_corunner") && out.toString().contains("expectation failed"), out.toString());
    }

    @Test
    void cliReportsBadModelsAsInputErrors(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.als");
        Files.writeString(f, "sig A {}\nfact { all a: A | a.nosuch = a }\nrun {} expect 1\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(2, Main.execute(new String[]{"alloy", "--model", f.toString()}, new PrintWriter(out), new PrintWriter(err)));
        assertTrue(err.toString().startsWith("ukl: " + f + ":2:"), err.toString());
        assertEquals("", out.toString(), "nothing half-written");
        err = new StringWriter();
        assertEquals(2, Main.execute(new String[]{"alloy", "--model", "nosuch"}, new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().contains("unknown model 'nosuch'"), err.toString());
        err = new StringWriter();
        assertEquals(2, Main.execute(new String[]{"alloy", "--model", tmp.resolve("missing.als").toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().contains("no such file"), err.toString());
    }

    @Test
    void cliJsonAndScope() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[]{"alloy", "--model", "ist_assignment", "--scope", "2", "--format", "json"}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("\"engine\": \"alloy\"") && out.toString().contains("\"pf_ss_nested_pf\""), out.toString());
    }

    static AlloyRunner.Outcome outcome(AlloyRunner.Source s, String command) {
        List<AlloyRunner.Outcome> r = AlloyRunner.run(s, null, command, null);
        assertEquals(1, r.size());
        return r.get(0);
    }

    // ---- the option list: Alloy's valid configurations = what ukl check accepts

    static final Map<String, String> PRESET_ATOMS = Map.of("Linux", "linux", "UklPaper", "ukl-paper", "Ukl514", "ukl-5.14",
            "UklRfc", "ukl-rfc", "Ukl6x", "ukl-6x");

    /** Alloy's option atoms: the Option enum, with PREEMPT=full as PREEMPT_FULL. */
    static List<String> optionAtoms() {
        List<String> r = new ArrayList<>();
        for (Option o : Option.values()) r.add(o.name());
        r.add("PREEMPT_FULL");
        return r;
    }

    /** Configurations accepted by one side only, as "preset options co-runner" lines. */
    static List<String> optionDisagreements(AlloyRunner.Source options) {
        Set<String> alloy = new TreeSet<>();
        for (Map<String, List<String>> row : AlloyRunner.enumerate(options, "valid_configurations", "Config",
                List.of("preset", "options", "co_runner"), 100_000)) {
            String preset = PRESET_ATOMS.get(row.get("preset").get(0));
            assertNotNull(preset, "known preset atom " + row.get("preset"));
            alloy.add(key(preset, new TreeSet<>(row.get("options")), !row.get("co_runner").isEmpty()));
        }
        Set<String> java = new TreeSet<>();
        List<String> atoms = optionAtoms();
        for (String preset : Presets.NAMES)
            for (int mask = 0; mask < 1 << atoms.size(); mask++) {
                Set<Option> opts = EnumSet.noneOf(Option.class);
                TreeSet<String> names = new TreeSet<>();
                for (int b = 0; b < atoms.size(); b++)
                    if ((mask & 1 << b) != 0) {
                        names.add(atoms.get(b));
                        if (!atoms.get(b).equals("PREEMPT_FULL")) opts.add(Option.valueOf(atoms.get(b)));
                    }
                if (OptionConstraints.contradiction(preset, opts) != null) continue;
                for (boolean co : new boolean[]{false, true}) java.add(key(preset, names, co));
            }
        System.out.println("option constraints: Alloy lists " + alloy.size() + " valid configurations, ukl check accepts " + java.size());
        List<String> diff = new ArrayList<>();
        for (String k : alloy) if (!java.contains(k)) diff.add("only Alloy accepts: " + k);
        for (String k : java) if (!alloy.contains(k)) diff.add("only ukl check accepts: " + k);
        return diff;
    }

    static String key(String preset, Set<String> options, boolean co) {
        return preset + " {" + String.join(",", options) + "} co-runner=" + co;
    }

    @Test
    void alloyValidConfigurationsAreExactlyWhatUklCheckAccepts() throws Exception {
        List<String> diff = optionDisagreements(fromSpecs("options"));
        assertTrue(diff.isEmpty(), diff.size() + " disagreements, first: " + diff.subList(0, Math.min(5, diff.size())));
    }

    /** ukl check's builder goes through OptionConstraints: a contradiction is an InputError with its message. */
    @Test
    void scenarioBuilderUsesTheSameConstraints() {
        List<String> atoms = optionAtoms();
        for (String preset : Presets.NAMES)
            for (int mask = 0; mask < 1 << (atoms.size() - 1); mask += 7) {   // a spread of option sets per preset
                Set<Option> opts = EnumSet.noneOf(Option.class);
                for (int b = 0; b < atoms.size() - 1; b++) if ((mask & 1 << b) != 0) opts.add(Option.valueOf(atoms.get(b)));
                ukl.model.Scenario.Builder bld = new ukl.model.Scenario.Builder().preset(preset).workload("getppid");
                for (Option o : opts) bld.option(o);
                String why = OptionConstraints.contradiction(preset, opts);
                if (why == null) assertDoesNotThrow(bld::build, preset + " " + opts);
                else assertEquals(why, assertThrows(InputError.class, bld::build, preset + " " + opts).getMessage());
            }
    }
}
