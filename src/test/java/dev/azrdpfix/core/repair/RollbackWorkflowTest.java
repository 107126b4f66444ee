package dev.azrdpfix.core.repair;

import static dev.azrdpfix.core.fakes.FakeAzure.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.fakes.FakeAzure;
import dev.azrdpfix.core.fakes.FakeGuest;
import dev.azrdpfix.core.fakes.ScriptedConfirmer;
import dev.azrdpfix.core.fakes.TestClock;
import dev.azrdpfix.core.guest.GuestScenarios;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.ReportStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link RollbackWorkflow} against fake ports: which run it undoes, and every way a rollback ends. */
class RollbackWorkflowTest {
  static final RunId RUN = new RunId("20261123T050000Z-k3x9q2");

  final TestClock clock = new TestClock(GuestScenarios.CALL_START);
  final FakeAzure azure = new FakeAzure().with(FakeAzure.windowsVm("rg1", "vm1"));
  final FakeGuest guest = new FakeGuest();
  ScriptedConfirmer confirmer = new ScriptedConfirmer(true);
  final List<VmRef> asked = new ArrayList<>();
  Optional<RunId> latest = Optional.of(RUN);

  final ReportStore store = new ReportStore() {
    @Override
    public Path save(RepairReport report) {
      throw new AssertionError("the workflow never saves: the command does");
    }

    @Override
    public Optional<RunId> latestChange(VmRef vm) {
      asked.add(vm);
      return latest;
    }
  };

  RepairReport rollback(String vm, Optional<RunId> run, boolean dryRun) {
    RollbackWorkflow w = new RollbackWorkflow(azure, guest, confirmer, Progress.NONE, store,
        new VmWaiter(azure, Progress.NONE, clock, clock.sleeper(), Duration.ofSeconds(5)));
    return w.rollback(new RollbackRequest(VmRef.parse(vm, null), run, new VmWaits(Duration.ofMinutes(1)), dryRun),
        RunJournal.start(RunMode.rollback(dryRun), null, clock, Progress.NONE));
  }

  static List<OperationKind> kinds(RepairReport r) {
    return r.operations().stream().map(Operation::kind).toList();
  }

  @Test
  void a_named_run_is_restored_in_one_run_command_then_one_restart() {
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(RunMode.ROLLBACK, r.mode());
    assertEquals("rolled back run " + RUN + ": the VM is back in its before-state", r.outcome());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RESTART,
        OperationKind.WAIT), kinds(r));
    assertEquals(List.of("rollback " + RUN), guest.calls);
    assertEquals(List.of(), asked, "a named run needs no look-up");
    assertTrue(confirmer.questions.get(0).contains("Roll back run " + RUN + " on rg1/vm1"));
  }

  @Test
  void without_a_run_the_latest_recorded_change_of_the_resolved_vm_is_undone() {
    RepairReport r = rollback("vm1", Optional.empty(), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(List.of(new VmRef(FakeAzure.SUB, "rg1", "vm1")), asked);
    assertEquals(List.of("rollback " + RUN), guest.calls);
    assertEquals(1, azure.calls.stream().filter("list"::equals).count(), "the name is resolved once");
  }

  @Test
  void without_a_recorded_run_it_asks_for_one_before_touching_the_vm() {
    latest = Optional.empty();
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> rollback("vm1", Optional.empty(), false));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith("no recorded repair of rg1/vm1 that changed something"), e.getMessage());
    assertEquals(List.of("list"), azure.calls);
  }

  @Test
  void an_already_restored_run_changes_nothing_and_is_not_restarted() {
    guest.rollsBack(FakeGuest.noop("rollback"));
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals("nothing to roll back for run " + RUN + " (already restored)", r.outcome());
    assertEquals(List.of("inspect"), azure.changesAndReads());
  }

  @Test
  void an_agent_that_does_not_come_back_after_the_restart_gets_a_reapply() {
    azure.states(state("running", "Not Ready"), state("running", "Not Ready"), state("running", "Not Ready"),
        state("running", "Not Ready"), state("running", "Not Ready"), state("running", "Not Ready"),
        state("running", "Not Ready"), state("running", "Not Ready"), state("running", "Not Ready"),
        state("running", "Not Ready"), state("running", "Not Ready"), state("running", "Not Ready"),
        state("running", "Not Ready"), state("running", "Ready"));
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RESTART,
        OperationKind.WAIT, OperationKind.REAPPLY, OperationKind.WAIT), kinds(r));
    assertEquals(List.of("inspect", "restart", "reapply"), azure.changesAndReads());
  }

  @Test
  void a_failed_rollback_script_is_exit_7_and_nothing_is_restarted() {
    guest.rollsBack(FakeGuest.failed("rollback", "journal.jsonl is missing"));
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.REPAIR_FAILED, r.exitCode());
    assertTrue(r.outcome().startsWith("rollback failed: journal.jsonl is missing"), r.outcome());
    assertEquals(List.of("inspect"), azure.changesAndReads());
  }

  @Test
  void a_dry_run_shows_the_rollback_script_and_sends_nothing() {
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), true);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(RunMode.ROLLBACK_DRY_RUN, r.mode());
    assertEquals(RUN.value(), r.scripts().get(0).parameters().get("RunId"));
    assertEquals(List.of(), guest.calls);
    assertEquals(List.of(), confirmer.questions);
  }

  @Test
  void a_declined_confirmation_is_exit_6() {
    confirmer = new ScriptedConfirmer(false);
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.NOT_CONFIRMED, r.exitCode());
    assertEquals(List.of(), guest.calls);
  }

  @Test
  void a_stopped_vm_is_refused_with_how_to_start_it() {
    azure.with(FakeAzure.vm("rg2", "off1", "Windows", "stopped", "Unknown", "20.1.2.4"));
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> rollback("rg2/off1", Optional.of(RUN),
        false));
    assertEquals(ExitCode.PRECONDITION, e.exitCode());
    assertTrue(e.getMessage().contains("az vm start -g rg2 -n off1"), e.getMessage());
    assertEquals(List.of(), guest.calls);
  }
}
