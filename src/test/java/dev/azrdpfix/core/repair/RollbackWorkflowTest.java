package dev.azrdpfix.core.repair;

import static dev.azrdpfix.core.fakes.FakeAzure.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.fakes.FakeAzure;
import dev.azrdpfix.core.fakes.FakeGuest;
import dev.azrdpfix.core.fakes.FakeProber;
import dev.azrdpfix.core.fakes.ScriptedConfirmer;
import dev.azrdpfix.core.fakes.TestClock;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.GuestScenarios;
import dev.azrdpfix.core.guest.StepStatus;
import dev.azrdpfix.core.guest.VmRuns;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.probe.ProbeVerdict;
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

  final FakeProber prober = new FakeProber();
  boolean breakLock;

  RollbackWorkflow workflow() {
    return new RollbackWorkflow(azure, guest, prober, confirmer, Progress.NONE, store,
        new VmWaiter(azure, Progress.NONE, clock, clock.sleeper(), Duration.ofSeconds(5)), clock);
  }

  RepairReport rollback(String vm, Optional<RunId> run, boolean dryRun) {
    return rollback(vm, run, dryRun, false);
  }

  RepairReport rollback(String vm, Optional<RunId> run, boolean dryRun, boolean force) {
    if (guest.calls.isEmpty()) {
      guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.healthy()));
    }
    return workflow().rollback(new RollbackRequest(VmRef.parse(vm, null), run, new VmWaits(Duration.ofMinutes(1)),
        dryRun, force, RollbackRequest.DEFAULT_PROBE, breakLock),
        RunJournal.start(RunMode.rollback(dryRun), null, clock, Progress.NONE));
  }

  static VmRuns.Run run(String id, VmRuns.State state, int changes) {
    return new VmRuns.Run(new RunId(id), GuestScenarios.CALL_START, state, changes, List.of("step reg-set"), null, 0);
  }

  static List<OperationKind> kinds(RepairReport r) {
    return r.operations().stream().map(Operation::kind).toList();
  }

  @Test
  void a_named_run_is_restored_in_one_run_command_then_one_restart() {
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(RunMode.ROLLBACK, r.mode());
    assertTrue(r.outcome().startsWith("rolled back run " + RUN + ": every journaled change the VM still held is back"
        + " in its before-state (the rollback script says so). Now: RDP answers"), r.outcome());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RUN_COMMAND,
        OperationKind.RESTART, OperationKind.WAIT, OperationKind.RUN_COMMAND, OperationKind.PROBE), kinds(r));
    assertEquals(List.of("list-runs", "rollback " + RUN, "diagnose"), guest.calls);
    assertEquals(List.of(), asked, "the VM, not the local cache, says which runs exist");
    assertEquals(1, prober.requests.size(), "verified like a repair: diagnose and probe");
    assertEquals("Roll back run " + RUN + " (complete, 1 journaled change(s)) on rg1/vm1 and restart it through"
        + " Azure?", confirmer.questions.get(0));
  }

  @Test
  void without_a_run_the_latest_run_on_the_vm_that_is_not_rolled_back_is_undone() {
    latest = Optional.of(new RunId("20261123T040000Z-locall"));
    guest.runs(run("20261123T060000Z-rolled", VmRuns.State.ROLLED_BACK, 2),
        run("20261123T055000Z-second", VmRuns.State.COMPLETE, 1), run(RUN.value(), VmRuns.State.COMPLETE, 3));
    RepairReport r = rollback("vm1", Optional.empty(), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(List.of("list-runs", "rollback 20261123T055000Z-second", "diagnose"), guest.calls);
    assertEquals(1, azure.calls.stream().filter("list"::equals).count(), "the name is resolved once");
  }

  @Test
  void without_a_run_on_the_vm_nothing_is_sent_and_the_stale_local_report_is_named() {
    latest = Optional.of(new RunId("20261123T040000Z-locall"));
    guest.runs(run(RUN.value(), VmRuns.State.ROLLED_BACK, 1));
    RepairReport r = rollback("vm1", Optional.empty(), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertTrue(r.outcome().startsWith("nothing to roll back on rg1/vm1: no run on the VM changed something that is"
        + " not rolled back (runs on the VM: " + RUN + " (rolled back))"), r.outcome());
    assertTrue(r.outcome().contains("the local report of run 20261123T040000Z-locall is not on the VM"), r.outcome());
    assertEquals(List.of("list-runs"), guest.calls);
    assertEquals(List.of("list", "inspect"), azure.changesAndReads(), "nothing changed");
  }

  @Test
  void a_run_id_the_vm_does_not_have_is_refused_with_the_runs_it_has() {
    guest.runs(run(RUN.value(), VmRuns.State.COMPLETE, 1), run("20261123T040000Z-older1", VmRuns.State.ROLLED_BACK, 2));
    AzrdpfixException e = assertThrows(AzrdpfixException.class,
        () -> rollback("rg1/vm1", Optional.of(new RunId("20261123T050000Z-typo00")), false));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertEquals("run 20261123T050000Z-typo00 is not on rg1/vm1; the runs on the VM are: " + RUN + " (complete), "
        + "20261123T040000Z-older1 (rolled back). Pass one of them to --run, or see 'azrdpfix rollback rg1/vm1"
        + " --list'.", e.getMessage());
    assertEquals(List.of("list-runs"), guest.calls);
  }

  @Test
  void a_rolled_back_run_is_not_replayed_without_force() {
    guest.runs(run(RUN.value(), VmRuns.State.ROLLED_BACK, 1));
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertTrue(r.outcome().startsWith("nothing replayed: run " + RUN + " was rolled back on the VM"), r.outcome());
    assertEquals(List.of("list-runs"), guest.calls);
  }

  @Test
  void force_replays_a_rolled_back_run() {
    guest.runs(run(RUN.value(), VmRuns.State.ROLLED_BACK, 1));
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false, true);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(List.of("list-runs", "rollback " + RUN + " force", "diagnose"), guest.calls);
  }

  @Test
  void an_interrupted_latest_run_is_reported_with_the_commands_to_see_and_undo_it() {
    guest.runs(run("20261123T060000Z-broken", VmRuns.State.INTERRUPTED, 2), run(RUN.value(), VmRuns.State.COMPLETE, 1));
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    var f = r.findingsBefore().stream().filter(x -> x.id() == FindingId.RUN_INTERRUPTED).findFirst().orElseThrow();
    assertTrue(f.summary().startsWith("run 20261123T060000Z-broken on the VM did not finish"), f.summary());
    assertTrue(f.nextStep().contains("azrdpfix rollback rg1/vm1 --list")
        && f.nextStep().contains("azrdpfix rollback rg1/vm1 --run 20261123T060000Z-broken"), f.nextStep());
  }

  @Test
  void values_left_alone_are_said_and_a_failing_probe_is_the_reported_end_state() {
    guest.rollsBack(new GuestRun("rollback", "c".repeat(64), java.util.Map.of(), GuestScenarios.CALL_START,
        GuestScenarios.CALL_END, StepStatus.CHANGED, null, null,
        List.of("changed-since: enable-tls-server reg-set: now 5, this run set 1; left alone"),
        List.of(new GuestRun.Change("RDP-Tcp\\fEnableWinStation", "1", "0")), List.of(), List.of()));
    prober.answers(ProbeVerdict.TCP_REFUSED, "TCP connect refused");
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertTrue(r.outcome().contains("partly restored: 1 value(s) changed since the run were left alone (--force"
        + " overwrites them)"), r.outcome());
    assertTrue(r.outcome().contains("Now: RDP does not answer (TCP connect refused)"), r.outcome());
    assertTrue(!r.outcome().contains("back in its before-state"), r.outcome());
  }

  @Test
  void an_already_restored_run_changes_nothing_and_is_not_restarted() {
    guest.rollsBack(FakeGuest.noop("rollback"));
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals("nothing restored for run " + RUN + ": every value already holds its before-state", r.outcome());
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
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RUN_COMMAND,
        OperationKind.RESTART, OperationKind.WAIT, OperationKind.REAPPLY, OperationKind.WAIT,
        OperationKind.RUN_COMMAND, OperationKind.PROBE), kinds(r));
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
    assertEquals(List.of("list-runs"), guest.calls, "a dry run reads the VM's runs only");
    assertEquals(List.of(), confirmer.questions);
  }

  @Test
  void a_declined_confirmation_is_exit_6() {
    confirmer = new ScriptedConfirmer(false);
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.NOT_CONFIRMED, r.exitCode());
    assertEquals(List.of("list-runs"), guest.calls);
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

  @Test
  void a_lock_on_the_vm_refuses_with_exit_4_and_a_stale_one_says_the_run_was_cut_off() {
    guest.runs = new VmRuns(List.of(run(RUN.value(), VmRuns.State.INTERRUPTED, 1)), 0,
        java.time.Instant.parse("2026-11-23T07:00:00Z"),
        new dev.azrdpfix.core.guest.GuestFacts.Lock(RUN.value(), "repair", "2026-11-23T05:00:00Z"));
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> rollback("rg1/vm1", Optional.of(RUN), false));
    assertEquals(ExitCode.PRECONDITION, e.exitCode());
    assertEquals("rg1/vm1 is locked by run " + RUN + " (repair) since 2026-11-23T05:00:00Z, 120 min ago: older than"
        + " Run Command's 90-minute limit, so that run was cut off. See 'azrdpfix rollback rg1/vm1 --list'; clear the"
        + " lock with 'azrdpfix rollback rg1/vm1 --list --break-lock'.", e.getMessage());
    assertEquals(List.of("list-runs"), guest.calls, "nothing that changes was sent");
  }

  @Test
  void a_vm_that_is_starting_is_told_apart_from_a_stopped_one() {
    azure.with(FakeAzure.vm("rg2", "busy1", "Windows", "starting", "Not Ready", "20.1.2.5"));
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> rollback("rg2/busy1", Optional.of(RUN),
        false));
    assertEquals(ExitCode.PRECONDITION, e.exitCode());
    assertTrue(e.getMessage().startsWith("busy1 is starting: the VM is restarting or changing state right now"
        + " (perhaps another repair or rollback)"), e.getMessage());
    assertTrue(!e.getMessage().contains("az vm start"), e.getMessage());
    assertEquals(List.of(), guest.calls);
  }

  void lockedSince(String started) {
    guest.runs = new VmRuns(List.of(run(RUN.value(), VmRuns.State.INTERRUPTED, 1)), 0,
        java.time.Instant.parse("2026-11-23T07:00:00Z"),
        new dev.azrdpfix.core.guest.GuestFacts.Lock("20261123T040000Z-holder", "repair", started));
  }

  @Test
  void break_lock_clears_a_stale_lock_after_a_confirmation_then_rolls_back() {
    lockedSince("2026-11-23T05:00:00Z");
    breakLock = true;
    RepairReport r = rollback("rg1/vm1", Optional.of(RUN), false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(List.of("list-runs", "break-lock 20261123T040000Z-holder", "rollback " + RUN, "diagnose"),
        guest.calls);
    assertTrue(confirmer.questions.get(0).startsWith("Break the lock of run 20261123T040000Z-holder on rg1/vm1 (taken"
        + " 120 min ago"), confirmer.questions.toString());
  }

  @Test
  void break_lock_never_clears_a_lock_younger_than_90_minutes() {
    lockedSince("2026-11-23T06:00:00Z");
    breakLock = true;
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> rollback("rg1/vm1", Optional.of(RUN), false));
    assertEquals(ExitCode.PRECONDITION, e.exitCode());
    assertTrue(e.getMessage().contains("60 min ago: another repair or rollback is running")
        && e.getMessage().endsWith("--break-lock clears only a lock with a run id that is older than Run Command's"
            + " 90-minute limit."),
        e.getMessage());
    assertEquals(List.of("list-runs"), guest.calls);
  }
}
