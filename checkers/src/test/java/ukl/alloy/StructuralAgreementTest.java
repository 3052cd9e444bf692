package ukl.alloy;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import ukl.cli.ScenarioFiles;
import ukl.model.Explorer;
import ukl.model.Property;
import ukl.model.Result;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 5's agreement table: each structural counterexample the Alloy models find has a scenario
 * in which ukl check finds the corresponding violation, and each structural pass one in which it
 * finds none. The table is also in proofs-notes/alloy/agreement.md.
 */
class StructuralAgreementTest {
    /** An Alloy command, the scenario that plays it out, and the property that corresponds. */
    record Row(String model, String command, String scenario, Property property) {}

    static final List<Row> TABLE = List.of(
            // NSS with a co-running process: the remote IPI handler cannot read the data (§5.10).
            new Row("address_spaces", "nss_ipi_data_with_corunner", "paper-nss-tlb-corunner", Property.UNHANDLED_KERNEL_FAULT),
            new Row("address_spaces", "nss_ipi_data_without_corunner", "paper-nss-tlb-alone", Property.UNHANDLED_KERNEL_FAULT),
            new Row("address_spaces", "nss_ps_ipi_data_with_corunner", "paper-nssps-tlb-corunner", Property.UNHANDLED_KERNEL_FAULT),
            new Row("address_spaces", "no_sharing_ipi_data", "paper-tlb-corunner", Property.UNHANDLED_KERNEL_FAULT),
            // #PF on an IST stack with a sleeping handler (PF_SS), #PF handling on the #DF stack (PF_DF) (§5.11).
            new Row("ist_assignment", "pf_ss_stack_fault_sleeps_on_ist", "paper-nss-deep-mmap-pfss", Property.SLEEP_ON_IST),
            new Row("ist_assignment", "pf_df_stack_fault_sleeps_on_ist", "paper-nss-deep-mmap-pfdf", Property.SLEEP_ON_IST),
            new Row("ist_assignment", "pf_ss_vma_check_stack_fault", "paper-nss-deep-mmap-pfss-vmacheck", Property.SLEEP_ON_IST),
            new Row("ist_assignment", "pf_ss_vma_check_user_access", "k6x-read-user-pfss", Property.SLEEP_ON_IST),
            new Row("ist_assignment", "linux_no_sleep_on_ist", "linux-deep-mmap", Property.SLEEP_ON_IST),
            // Requirements that a valid configuration can break: ukl check reports each as a hazard.
            new Row("options", "red_zone_hazard_is_valid", "paper-redzone", Property.RED_ZONE_CLOBBER),
            new Row("options", "nss_corunner_hazard_is_valid", "paper-nss-tlb-corunner", Property.UNHANDLED_KERNEL_FAULT),
            new Row("options", "unfixed_stack_fault_hazard_is_valid", "paper-nss-mmap-nofix", Property.DOUBLE_FAULT_PANIC),
            new Row("options", "nss_ps_without_fault_fix_is_sound", "paper-nssps-tlb-corunner", Property.DOUBLE_FAULT_PANIC));

    @TestFactory
    Stream<DynamicTest> alloyAndUklCheckAgree() {
        String specs = System.getProperty("ukl.specs.dir");
        return TABLE.stream().map(r -> DynamicTest.dynamicTest(r.model() + " " + r.command() + " ~ " + r.scenario(), () -> {
            AlloyRunner.Outcome o = AlloyModelsTest.outcome(AlloyModelsTest.fromSpecs(r.model()), r.command());
            assertTrue(o.ok(), "the Alloy command meets its expect");
            // A check's counterexample, or a run's witness of a hazard, is a violation; else none.
            boolean structuralHazard = o.check() ? o.found() : !r.command().endsWith("_is_sound");
            Result res = Explorer.check(ScenarioFiles.build(specs + "/scenarios/" + r.scenario() + ".scenario"));
            assertNull(res.incompleteReason(), "the scenario finishes");
            Result.Status st = res.properties().get(r.property()).status();
            assertEquals(structuralHazard ? Result.Status.VIOLATED : Result.Status.HOLDS, st,
                    r.scenario() + " " + r.property() + " vs Alloy " + r.command() + " " + o.got());
        }));
    }

    /** The table covers the three structural counterexamples issue 5 names, each with a passing twin. */
    @Test
    void tableCoversEachStructuralCounterexampleAndAPass() {
        for (String cmd : List.of("nss_ipi_data_with_corunner", "pf_ss_stack_fault_sleeps_on_ist", "pf_df_stack_fault_sleeps_on_ist"))
            assertTrue(TABLE.stream().anyMatch(r -> r.command().equals(cmd)), cmd);
        for (String cmd : List.of("nss_ps_ipi_data_with_corunner", "no_sharing_ipi_data", "linux_no_sleep_on_ist"))
            assertTrue(TABLE.stream().anyMatch(r -> r.command().equals(cmd)), cmd);
    }
}
