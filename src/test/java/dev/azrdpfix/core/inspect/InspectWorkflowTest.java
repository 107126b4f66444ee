package dev.azrdpfix.core.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.fakes.FakeAzure;
import dev.azrdpfix.core.fakes.FakeGuest;
import dev.azrdpfix.core.guest.GuestScenarios;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.Progress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link InspectWorkflow} against fake ports: the one command that renders a VM that does not resolve as a report,
 * and the same guest-diagnosis sequence as repair.
 */
class InspectWorkflowTest {
  final FakeAzure azure = new FakeAzure().with(FakeAzure.windowsVm("rg1", "vm1"));
  final FakeGuest guest = new FakeGuest();

  InspectReport inspect(String vm, boolean azureOnly) {
    return new InspectWorkflow(azure, Progress.NONE, new GuestDiagnostics(guest))
        .run(new InspectWorkflow.Request(VmRef.parse(vm, null), 3389, null, azureOnly));
  }

  static List<String> ids(InspectReport r) {
    return r.findings().stream().map(f -> f.id().id()).toList();
  }

  @Test
  void an_unknown_name_is_a_report_with_one_finding_and_exit_3() {
    InspectReport r = inspect("ghost", false);
    assertEquals(ExitCode.AZURE, r.exitCode());
    assertEquals(List.of("vm-not-found"), ids(r));
    assertEquals("ghost", r.target());
    assertNull(r.vm());
    assertEquals("VM not found", r.guest().skippedBecause());
    assertEquals(List.of("list"), azure.calls);
  }

  @Test
  void a_name_in_several_groups_is_a_report_naming_them_with_exit_2() {
    azure.with(FakeAzure.windowsVm("rg-b", "app")).with(FakeAzure.windowsVm("rg-a", "app"));
    InspectReport r = inspect("app", false);
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertEquals(List.of("vm-name-ambiguous"), ids(r));
    assertTrue(r.findings().get(0).evidence().contains("rg-a, rg-b"), r.findings().get(0).evidence());
  }

  @Test
  void a_vm_azure_does_not_know_in_the_named_group_is_not_found_too() {
    InspectReport r = inspect("rg9/vm1", false);
    assertEquals(ExitCode.AZURE, r.exitCode());
    assertEquals(List.of("vm-not-found"), ids(r));
    assertEquals("rg9/vm1", r.target());
  }

  @Test
  void the_guest_is_diagnosed_with_the_shared_sequence_and_its_findings_decide_the_exit_code() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()));
    InspectReport r = inspect("rg1/vm1", false);
    assertEquals(ExitCode.RDP_BLOCKED, r.exitCode());
    assertTrue(r.guest().diagnosed());
    assertTrue(ids(r).contains("machinekeys-acl-not-default"), ids(r)::toString);
    assertEquals(List.of("diagnose"), guest.calls);
  }

  @Test
  void azure_only_never_reaches_the_guest() {
    InspectReport r = inspect("rg1/vm1", true);
    assertFalse(r.guest().diagnosed());
    assertEquals(List.of(), guest.calls);
  }

  @Test
  void a_failed_guest_diagnosis_keeps_the_azure_findings_and_says_the_guest_was_not_diagnosed() {
    guest.diagnoses(FakeGuest.failed("diagnose", "no result line"));
    InspectReport r = inspect("rg1/vm1", false);
    assertEquals(ExitCode.PRECONDITION, r.exitCode());
    Finding g = r.findings().stream().filter(f -> f.id() == FindingId.GUEST_NOT_DIAGNOSED).findFirst().orElseThrow();
    assertTrue(g.evidence().contains("no result line"), g::toString);
    assertFalse(r.guest().diagnosed());
  }
}
