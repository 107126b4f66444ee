package dev.azrdpfix.core.repair;

import static dev.azrdpfix.core.fakes.FakeAzure.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.OutcomeUnknownException;
import dev.azrdpfix.core.VmNotResolvedException;
import dev.azrdpfix.core.fakes.FakeAzure;
import dev.azrdpfix.core.fakes.FakeGuest;
import dev.azrdpfix.core.fakes.FakeProber;
import dev.azrdpfix.core.fakes.ScriptedConfirmer;
import dev.azrdpfix.core.fakes.TestClock;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.GuestScenarios;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.probe.ProbeVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link RepairWorkflow} against fake ports: every outcome of a repair run, and what its journal says. */
class RepairWorkflowTest {
  static final Duration VM_TIMEOUT = Duration.ofMinutes(2);
  static final Duration POLL = Duration.ofSeconds(5);

  final TestClock clock = new TestClock(GuestScenarios.CALL_START);
  final FakeAzure azure = new FakeAzure().with(FakeAzure.windowsVm("rg1", "vm1"));
  final FakeGuest guest = new FakeGuest();
  final FakeProber prober = new FakeProber();
  ScriptedConfirmer confirmer = new ScriptedConfirmer(true);

  RepairWorkflow workflow() {
    return new RepairWorkflow(azure, guest, prober, confirmer, Progress.NONE, clock,
        new VmWaiter(azure, Progress.NONE, clock, clock.sleeper(), POLL));
  }

  RunJournal journal(boolean dryRun) {
    return RunJournal.start(RunMode.repair(dryRun), null, clock, Progress.NONE);
  }

  static RepairRequest request(String vm, boolean dryRun, RepairRequest.Consents consents) {
    return request(vm, dryRun, consents, RestartPolicy.AUTO);
  }

  static RepairRequest request(String vm, boolean dryRun, RepairRequest.Consents consents, RestartPolicy restart) {
    return new RepairRequest(VmRef.parse(vm, null), RepairRequest.StepSelection.fromDiagnosis(), consents,
        new RepairRequest.ProbeSettings(false, null, Duration.ofSeconds(5), Duration.ofMinutes(3)),
        new VmWaits(VM_TIMEOUT), dryRun, restart);
  }

  RepairReport repair(boolean dryRun) {
    return repair(dryRun, RestartPolicy.AUTO);
  }

  RepairReport repair(boolean dryRun, RestartPolicy restart) {
    return workflow().repair(request("vm1", dryRun, RepairRequest.Consents.none(), restart), journal(dryRun));
  }

  static List<OperationKind> kinds(RepairReport r) {
    return r.operations().stream().map(Operation::kind).toList();
  }

  static final List<OperationKind> FULL_RUN = List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND,
      OperationKind.RUN_COMMAND, OperationKind.RESTART, OperationKind.WAIT, OperationKind.RUN_COMMAND,
      OperationKind.PROBE);

  @Test
  void restart_always_repairs_with_one_bundle_one_restart_and_a_verify_run_command() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()), FakeGuest.diagnosed(GuestScenarios.healthy()));
    azure.states(state("running", "Not Ready"), state("running", "Ready"));
    RunJournal journal = journal(false);
    RepairReport r = workflow().repair(request("vm1", false, RepairRequest.Consents.none(), RestartPolicy.ALWAYS),
        journal);

    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    assertTrue(r.outcome().startsWith("repaired: RDP answers"), r.outcome());
    assertEquals(RunMode.REPAIR, r.mode());
    assertEquals(journal.runId(), r.runId());
    assertEquals("rg1/vm1", r.target());
    assertEquals(FULL_RUN, kinds(r));
    assertTrue(r.operations().stream().allMatch(o -> o.outcome() == Operation.Outcome.OK));
    assertEquals(List.of("diagnose", "apply " + journal.runId()
        + " reset-machinekeys-acl,remove-rdp-certificates,restart-rdp-services", "diagnose"), guest.calls);
    assertEquals(List.of("list", "inspect", "restart"), azure.changesAndReads());
    assertEquals(1, confirmer.questions.size());
    assertTrue(confirmer.questions.get(0).contains("Apply 3 repair step(s) to rg1/vm1"), confirmer.questions::toString);
    assertTrue(confirmer.questions.get(0).endsWith("and restart it through Azure?"), confirmer.questions::toString);
    assertEquals(new RepairReport.RestartPath(RestartPolicy.ALWAYS, List.of(), true,
        "--restart always: the VM is restarted through Azure after the repair", 0), r.restart());
    assertEquals(1, r.changes().size());
    assertEquals(Duration.ofMinutes(3), prober.requests.get(0).waitFor(), "after a restart the probe waits");
    assertEquals("20.1.2.3:3389", r.verification().probedAddress());
    assertEquals(GuestScenarios.HEALTHY_THUMBPRINT, prober.requests.get(0).expectedThumbprint());
    assertTrue(r.findingsBefore().stream().anyMatch(f -> f.id() == FindingId.MACHINEKEYS_ACL_NOT_DEFAULT));
    assertEquals(r, journal.finished().orElseThrow());
  }

  static final List<OperationKind> NO_REBOOT_RUN = List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND,
      OperationKind.RUN_COMMAND, OperationKind.PROBE);

  /** A bundle whose restart-rdp-services step checked a valid certificate and a listener inside the guest. */
  static GuestRun bundleWithServiceRestart() {
    GuestRun services = FakeGuest.changed("restart-rdp-services",
        new GuestRun.Change("TermService restarted", "Running", "Running"));
    GuestRun b = FakeGuest.changed("bundle", new GuestRun.Change("MachineKeys ACL", "broken", "default"));
    return new GuestRun(b.templateId(), b.sha256(), b.parameters(), b.started(), b.ended(), b.status(), null, null,
        List.of(), b.changes(), b.backups(), List.of(services));
  }

  /** The bundle as the guest reports a TermService hung in StartPending (restart-rdp-services failed). */
  static GuestRun bundleWithHungService() {
    String hung = "TermService is hung in StartPending (PID 4242): not waiting for it; "
        + RepairWorkflow.RESTART_CLEARS_IT;
    GuestRun services = FakeGuest.failed("restart-rdp-services", hung);
    GuestRun b = FakeGuest.failed("bundle", "restart-rdp-services: " + hung,
        new GuestRun.Change("MachineKeys ACL", "broken", "default"));
    return new GuestRun(b.templateId(), b.sha256(), b.parameters(), b.started(), b.ended(), b.status(), b.error(),
        null, List.of(), b.changes(), b.backups(), List.of(services));
  }

  @Test
  void restart_auto_repairs_a_fault_without_a_reboot_with_two_run_commands_and_no_restart() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline())).applies(bundleWithServiceRestart());
    RunJournal journal = journal(false);
    RepairReport r = workflow().repair(request("vm1", false, RepairRequest.Consents.none()), journal);

    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    assertTrue(r.outcome().startsWith("repaired: RDP answers (RDP answers), without a VM restart"), r.outcome());
    assertEquals(NO_REBOOT_RUN, kinds(r), "diagnose + bundle, no restart, no verify Run Command, then the probe");
    assertEquals(List.of("diagnose", "apply " + journal.runId()
        + " reset-machinekeys-acl,remove-rdp-certificates,restart-rdp-services"), guest.calls);
    assertEquals(List.of("list", "inspect"), azure.changesAndReads());
    assertTrue(confirmer.questions.get(0).endsWith(
        "and restart TermService and SessionEnv inside the guest (no VM restart)?"), confirmer.questions::toString);
    RepairReport.RestartPath path = r.restart();
    assertEquals(RestartPolicy.AUTO, path.policy());
    assertFalse(path.performed());
    assertEquals(List.of(), path.rebootSteps());
    assertTrue(path.reason().startsWith("no chosen step needs a reboot"), path.reason());
    assertTrue(r.verification().note().contains("restart-rdp-services restarted TermService and SessionEnv and"
        + " found a valid RDP certificate and a listener"), r.verification().note());
    assertEquals(RepairWorkflow.NO_REBOOT_WAIT, prober.requests.get(0).waitFor());
    assertNull(prober.requests.get(0).expectedThumbprint(), "the certificate was replaced: none is pinned");
  }

  @Test
  void restart_auto_restarts_through_azure_when_a_step_needs_a_reboot() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.tlsDisabled()), FakeGuest.diagnosed(GuestScenarios.healthy()));
    RepairReport r = repair(false);
    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    assertEquals(FULL_RUN, kinds(r));
    assertEquals(List.of("enable-tls-server"), r.restart().rebootSteps());
    assertTrue(r.restart().performed());
    assertTrue(r.restart().reason().startsWith("enable-tls-server take(s) effect only after a VM restart"),
        r.restart().reason());
    assertTrue(confirmer.questions.get(0).endsWith("and restart it through Azure?"), confirmer.questions::toString);
  }

  @Test
  void restart_auto_escalates_to_one_restart_when_rdp_still_fails_after_a_repair_without_one() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline())).applies(bundleWithServiceRestart());
    prober.answersOnce(ProbeVerdict.TCP_TIMEOUT, "the connect timed out");
    RepairReport r = repair(false);
    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    assertEquals("repaired: RDP answers (RDP answers) after one VM restart (RDP still failed after the repair"
        + " without a VM restart (the connect timed out))", r.outcome());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RUN_COMMAND,
        OperationKind.PROBE, OperationKind.RESTART, OperationKind.WAIT, OperationKind.PROBE), kinds(r));
    assertEquals(2, guest.calls.size(), "no verify Run Command on the escalation either");
    assertTrue(r.restart().performed());
    assertTrue(r.restart().reason().startsWith("escalation: RDP still failed"), r.restart().reason());
    assertEquals(Duration.ofMinutes(3), prober.requests.get(1).waitFor(), "after the restart the probe waits");
  }

  @Test
  void restart_auto_escalation_that_still_fails_is_exit_5_with_the_rollback_command() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline())).applies(bundleWithServiceRestart());
    prober.answers(ProbeVerdict.TCP_TIMEOUT, "the connect timed out");
    RepairReport r = repair(false);
    assertEquals(ExitCode.RDP_BLOCKED, r.exitCode());
    assertTrue(r.outcome().startsWith("still failing after repair and one VM restart: the connect timed out"),
        r.outcome());
    assertTrue(r.outcome().contains("'azrdpfix rollback rg1/vm1 --run " + r.runId() + "'"), r.outcome());
    assertEquals(1, azure.calls.stream().filter("restart"::equals).count(), "one restart, never two");
  }

  @Test
  void restart_never_with_a_step_that_needs_a_reboot_says_it_takes_effect_at_the_next_restart() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.tlsDisabled()));
    prober.answers(ProbeVerdict.TLS_HANDSHAKE_FAILED, "TLS closed after the ClientHello");
    RepairReport r = repair(false, RestartPolicy.NEVER);
    assertEquals(ExitCode.RDP_BLOCKED, r.exitCode(), "the probe's code");
    assertTrue(r.outcome().contains("enable-tls-server take(s) effect at the next restart of the VM"), r.outcome());
    assertEquals(NO_REBOOT_RUN, kinds(r));
    assertFalse(azure.calls.contains("restart"));
    assertFalse(r.restart().performed());
    assertTrue(confirmer.questions.get(0).endsWith("(no VM restart)?"), confirmer.questions::toString);

    // The same with a probe that answers: exit 0, and still said plainly.
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.tlsDisabled()));
    prober.answers(ProbeVerdict.OK, "RDP answers");
    RepairReport ok = repair(false, RestartPolicy.NEVER);
    assertEquals(ExitCode.OK, ok.exitCode(), ok.outcome());
    assertTrue(ok.outcome().contains("take(s) effect at the next restart of the VM"), ok.outcome());
    assertFalse(azure.calls.contains("restart"));
  }

  @Test
  void restart_never_does_not_escalate_a_failing_probe() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline())).applies(bundleWithServiceRestart());
    prober.answers(ProbeVerdict.TCP_TIMEOUT, "the connect timed out");
    RepairReport r = repair(false, RestartPolicy.NEVER);
    assertEquals(ExitCode.RDP_BLOCKED, r.exitCode());
    assertEquals(NO_REBOOT_RUN, kinds(r));
    assertFalse(azure.calls.contains("restart"));
  }

  @Test
  void a_hung_termservice_is_escalated_to_one_restart_in_auto_and_reported_in_never() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline())).applies(bundleWithHungService());
    RepairReport r = repair(false);
    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RUN_COMMAND,
        OperationKind.RESTART, OperationKind.WAIT, OperationKind.PROBE), kinds(r));
    assertTrue(r.restart().performed());
    assertTrue(r.restart().reason().contains("hung service (restart-rdp-services: TermService is hung in"
        + " StartPending (PID 4242)"), r.restart().reason());
    assertTrue(r.outcome().startsWith("repaired: RDP answers (RDP answers) after one VM restart (the bundle reported"
        + " a hung service"), r.outcome());

    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()));
    azure.calls.clear();
    RepairReport never = repair(false, RestartPolicy.NEVER);
    assertEquals(ExitCode.REPAIR_FAILED, never.exitCode());
    assertTrue(never.outcome().contains("TermService is hung in StartPending (PID 4242)")
        && never.outcome().contains("--restart never: restart the VM to clear it"), never.outcome());
    assertFalse(azure.calls.contains("restart"));
    assertFalse(never.restart().performed());
  }

  @Test
  void signed_in_rdp_sessions_are_counted_in_the_plan_and_the_question() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headlineWithSessions(2)));
    RepairReport dry = repair(true);
    assertEquals(Integer.valueOf(2), dry.restart().activeSessions());
    assertFalse(dry.restart().performed());

    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headlineWithSessions(2))).applies(bundleWithServiceRestart());
    repair(false);
    assertTrue(confirmer.questions.get(0).endsWith("inside the guest (no VM restart), which ends the 2 signed-in RDP"
        + " session(s)?"), confirmer.questions::toString);
  }

  @Test
  void the_words_that_mark_a_hung_service_are_the_ones_the_template_and_the_simulated_guest_print() throws Exception {
    String helpers = java.nio.file.Files.readString(java.nio.file.Path.of("templates/common/helpers.ps1"));
    String simulated = java.nio.file.Files.readString(
        java.nio.file.Path.of("src/main/java/dev/azrdpfix/simulator/guest/Steps.java"));
    assertTrue(helpers.contains("not waiting for it; " + RepairWorkflow.RESTART_CLEARS_IT + "'"), "helpers.ps1");
    // Java string literals split over lines ("a VM restart through " + "Azure clears it") read as one text.
    String joined = simulated.replaceAll("\"\\s*\\+\\s*\"", "");
    assertTrue(joined.contains(RepairWorkflow.RESTART_CLEARS_IT), "simulator/guest/Steps.java");
  }

  @Test
  void restart_policy_parses_the_three_values_and_refuses_others_naming_them() {
    assertEquals(RestartPolicy.AUTO, RestartPolicy.parse(null));
    assertEquals(RestartPolicy.NEVER, RestartPolicy.parse("never"));
    assertEquals(RestartPolicy.ALWAYS, RestartPolicy.parse("Always"));
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> RestartPolicy.parse("sometimes"));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("auto") && e.getMessage().contains("always or never"), e.getMessage());
  }

  @Test
  void a_probe_still_failing_after_the_repair_is_exit_5_with_the_rollback_command() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()), FakeGuest.diagnosed(GuestScenarios.healthy()));
    prober.answers(ProbeVerdict.TLS_HANDSHAKE_FAILED, "TLS closed after the ClientHello");
    RepairReport r = repair(false, RestartPolicy.ALWAYS);
    assertEquals(ExitCode.RDP_BLOCKED, r.exitCode());
    assertTrue(r.outcome().startsWith("still failing after repair: TLS closed after the ClientHello"), r.outcome());
    assertTrue(r.outcome().contains("'azrdpfix rollback rg1/vm1 --run " + r.runId() + "'"), r.outcome());
    assertEquals(FULL_RUN, kinds(r));
  }

  @Test
  void a_guest_still_blocking_rdp_after_the_repair_is_exit_5_even_when_the_probe_answers() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()),
        FakeGuest.diagnosed(GuestScenarios.rdpDisabled()));
    RepairReport r = repair(false, RestartPolicy.ALWAYS);
    assertEquals(ExitCode.RDP_BLOCKED, r.exitCode());
    assertTrue(r.outcome().contains("the guest still has findings that block RDP"), r.outcome());
    assertTrue(r.verification().findingsAfter().stream().anyMatch(Finding::blocksRdp));
  }

  @Test
  void a_dry_run_previews_the_exact_bundle_and_changes_nothing() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()));
    RepairReport r = repair(true);
    assertEquals(ExitCode.OK, r.exitCode());
    assertEquals(RunMode.DRY_RUN, r.mode());
    assertEquals("dry run: 3 step(s) planned, nothing changed", r.outcome());
    assertEquals(1, r.scripts().size());
    assertEquals(r.runId().value(), r.scripts().get(0).parameters().get("RunId"));
    assertEquals(List.of("diagnose"), guest.calls);
    assertEquals(List.of("list", "inspect"), azure.changesAndReads());
    assertEquals(List.of(), confirmer.questions, "a dry run asks nothing");
  }

  @Test
  void a_declined_confirmation_is_exit_6_and_nothing_changes() {
    confirmer = new ScriptedConfirmer(false);
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()));
    RepairReport r = repair(false);
    assertEquals(ExitCode.NOT_CONFIRMED, r.exitCode());
    assertEquals("not confirmed: nothing was changed", r.outcome());
    assertEquals(List.of("diagnose"), guest.calls);
    assertEquals(List.of("list", "inspect"), azure.changesAndReads());
  }

  @Test
  void a_step_that_needs_a_flag_is_refused_with_exit_4_before_any_change() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.corruptMachineKeys()));
    RepairReport r = repair(false);
    assertEquals(ExitCode.PRECONDITION, r.exitCode());
    assertTrue(r.outcome().startsWith("refused: ") && r.outcome().contains("--allow-machinekeys-rename"),
        r.outcome());
    assertEquals(List.of("diagnose"), guest.calls);
    assertEquals(List.of(), r.scripts());
    assertEquals(List.of(), confirmer.questions);
  }

  @Test
  void a_step_failing_inside_the_guest_is_exit_7_lists_the_changes_and_does_not_restart() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()))
        .applies(FakeGuest.failed("bundle", "remove-rdp-certificates failed: access denied",
            new GuestRun.Change("MachineKeys ACL", "broken", "default")));
    RepairReport r = repair(false);
    assertEquals(ExitCode.REPAIR_FAILED, r.exitCode());
    assertTrue(r.outcome().contains("remove-rdp-certificates failed: access denied"), r.outcome());
    assertTrue(r.outcome().contains("'azrdpfix rollback rg1/vm1 --run " + r.runId() + "'"), r.outcome());
    assertEquals("MachineKeys ACL", r.changes().get(0).what());
    assertFalse(azure.calls.contains("restart"));
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RUN_COMMAND), kinds(r));
  }

  @Test
  void a_healthy_guest_needs_nothing_and_is_probed_once_without_waiting() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.healthy()));
    RepairReport r = repair(false);
    assertEquals(ExitCode.OK, r.exitCode());
    assertTrue(r.outcome().startsWith("nothing to repair: RDP answers"), r.outcome());
    assertEquals(Duration.ZERO, prober.requests.get(0).waitFor());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.PROBE), kinds(r));
    assertEquals(List.of(), confirmer.questions);
  }

  @Test
  void a_healthy_guest_that_rdp_still_does_not_reach_is_exit_5_pointing_at_the_network() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.healthy()));
    prober.answers(ProbeVerdict.TCP_TIMEOUT, "the connect timed out");
    RepairReport r = repair(false);
    assertEquals(ExitCode.RDP_BLOCKED, r.exitCode());
    assertTrue(r.outcome().contains("found nothing to repair, but the probe fails"), r.outcome());
  }

  @Test
  void a_healthy_guest_behind_an_azure_side_block_is_refused_with_exit_5_since_nsgs_are_not_changed() {
    azure.with(FakeAzure.closedByAzure("rg2", "closed1"));
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.healthy()));
    prober.answers(ProbeVerdict.TCP_TIMEOUT, "the connect timed out");
    RepairReport r = workflow().repair(request("rg2/closed1", false, RepairRequest.Consents.none()),
        journal(false));
    assertEquals(ExitCode.RDP_BLOCKED, r.exitCode());
    assertTrue(r.outcome().startsWith("refused: the guest is healthy but ") && r.outcome().contains(
        "azrdpfix does not change NSGs"), r.outcome());
    assertFalse(azure.calls.contains("restart"));
  }

  @Test
  void a_healthy_guest_without_a_public_ip_is_not_probed_and_says_how_to_probe() {
    azure.with(FakeAzure.vm("rg2", "private1", "Windows", "running", "Ready", null));
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.healthy()));
    RepairReport r = workflow().repair(request("rg2/private1", false, RepairRequest.Consents.none()),
        journal(false));
    assertEquals(ExitCode.OK, r.exitCode());
    assertTrue(r.outcome().contains("--via-private-ip"), r.outcome());
    assertTrue(prober.requests.isEmpty());
  }

  @Test
  void a_machinekeys_rename_waits_only_for_the_vm_then_reapplies_and_waits_for_the_agent() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.corruptMachineKeys()),
        FakeGuest.diagnosed(GuestScenarios.healthy()));
    // Right after the restart the agent cannot be Ready (its keys were renamed away): the first wait ends on
    // "running" alone.
    azure.states(state("running", "Not Ready"), state("running", "Not Ready"), state("running", "Ready"));
    RepairReport r = workflow().repair(request("vm1", false, new RepairRequest.Consents(true, false, false)),
        journal(false));
    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RUN_COMMAND,
        OperationKind.RESTART, OperationKind.WAIT, OperationKind.REAPPLY, OperationKind.WAIT,
        OperationKind.RUN_COMMAND, OperationKind.PROBE), kinds(r));
    Operation reapply = r.operations().get(5);
    assertEquals("MachineKeys was renamed: the agent needs new keys", reapply.purpose());
    assertEquals("VM running after the restart", r.operations().get(4).purpose());
    assertTrue(r.verification().note().contains("the VM model was reapplied"), r.verification().note());
    assertTrue(guest.calls.get(1).contains("rename-machinekeys"), guest.calls::toString);
  }

  @Test
  void a_refused_reapply_after_a_rename_is_retried_with_backoff_and_then_succeeds() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.corruptMachineKeys()),
        FakeGuest.diagnosed(GuestScenarios.healthy()));
    azure.states(state("running", "Not Ready"), state("running", "Ready"));
    int[] reapplies = {0};
    azure.onCall = name -> {
      if (name.equals("reapply") && ++reapplies[0] == 1) {
        throw new AzrdpfixException(ExitCode.AZURE, "reapplying VM 'rg1/vm1': Azure returned 500 after retries.");
      }
    };
    Instant before = clock.instant();
    RepairReport r = workflow().repair(request("vm1", false, new RepairRequest.Consents(true, false, false)),
        journal(false));
    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    List<Operation> reapplyOps = r.operations().stream().filter(o -> o.kind() == OperationKind.REAPPLY).toList();
    assertEquals(2, reapplyOps.size());
    assertEquals(Operation.Outcome.FAILED, reapplyOps.get(0).outcome());
    assertEquals(Operation.Outcome.OK, reapplyOps.get(1).outcome());
    assertTrue(reapplyOps.get(1).purpose().endsWith("(attempt 2)"), reapplyOps.get(1).purpose());
    assertTrue(Duration.between(reapplyOps.get(0).ended(), reapplyOps.get(1).started())
        .compareTo(RepairWorkflow.REAPPLY_BACKOFF) >= 0, "waited through the sleeper before the second attempt");
    assertTrue(clock.instant().isAfter(before));
  }

  @Test
  void a_reapply_that_keeps_failing_after_a_rename_says_how_to_undo_the_rename_offline() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.corruptMachineKeys()));
    azure.states(state("running", "Not Ready"));
    azure.onCall = name -> {
      if (name.equals("reapply")) {
        throw new AzrdpfixException(ExitCode.AZURE, "reapplying VM 'rg1/vm1': Azure returned 500 after retries.");
      }
    };
    RunJournal journal = journal(false);
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> workflow().repair(request("vm1", false,
        new RepairRequest.Consents(true, false, false)), journal));
    assertEquals(RepairWorkflow.REAPPLY_ATTEMPTS, journal.operations().stream()
        .filter(o -> o.kind() == OperationKind.REAPPLY).count());
    assertTrue(e.getMessage().contains("az vm repair create -g rg1 -n vm1") && e.getMessage().contains(
        "MachineKeys.azrdpfix-" + journal.runId().value()) && e.getMessage().contains("Serial Console"),
        e.getMessage());
    assertTrue(journal.mayHaveChanged());
    RepairReport recorded = journal.failed(ExitCode.AZURE, e.getMessage());
    assertFalse(recorded.changes().isEmpty(), "the rename is in the record");
    assertTrue(recorded.outcome().contains("undo them with azrdpfix rollback rg1/vm1 --run "), recorded.outcome());
  }

  @Test
  void a_change_whose_end_was_not_read_is_unknown_and_a_refused_one_is_failed() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()));
    azure.onCall = name -> {
      if (name.equals("restart")) {
        throw new OutcomeUnknownException("restarting VM 'rg1/vm1': Azure accepted the request, but its end was"
            + " not read", null);
      }
    };
    RunJournal journal = journal(false);
    assertThrows(OutcomeUnknownException.class, () -> workflow().repair(request("vm1", false,
        RepairRequest.Consents.none(), RestartPolicy.ALWAYS), journal));
    Operation restart = journal.operations().get(journal.operations().size() - 1);
    assertEquals(Operation.Outcome.UNKNOWN, restart.outcome());
    assertTrue(restart.result().startsWith("sent, outcome unknown: restarting VM"), restart.result());
    RepairReport r = journal.failed(ExitCode.AZURE, "restarting failed");
    assertTrue(r.changesUnknown());
    assertTrue(r.changedSomething(), "rollback must consider it");
    assertTrue(r.outcome().contains("find out with azrdpfix rollback rg1/vm1 --list"), r.outcome());
  }

  @Test
  void an_agent_that_does_not_come_back_gets_a_reapply_and_then_is_verified_from_outside_only() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()));
    azure.states(state("running", "Not Ready"));
    RepairReport r = repair(false, RestartPolicy.ALWAYS);
    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.RUN_COMMAND, OperationKind.RUN_COMMAND,
        OperationKind.RESTART, OperationKind.WAIT, OperationKind.REAPPLY, OperationKind.WAIT, OperationKind.PROBE),
        kinds(r));
    assertEquals("the agent did not come back Ready", r.operations().get(5).purpose());
    assertTrue(r.verification().note().contains("verified from outside only"), r.verification().note());
    assertEquals(List.of("diagnose", guest.calls.get(1)), guest.calls, "no verify script without an agent");
    // Each wait polled every 5 s until its 2-minute deadline, on the test clock.
    long polls = azure.calls.stream().filter("state"::equals).count();
    assertEquals(2 * (VM_TIMEOUT.toSeconds() / POLL.toSeconds() + 1), polls);
  }

  @Test
  void a_vm_that_stays_stopped_after_the_restart_ends_the_run_with_exit_4() {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()));
    azure.states(state("stopped", "Not Ready"));
    RunJournal journal = journal(false);
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> workflow().repair(
        request("vm1", false, RepairRequest.Consents.none(), RestartPolicy.ALWAYS), journal));
    assertEquals(ExitCode.PRECONDITION, e.exitCode());
    assertTrue(e.getMessage().contains("vm1 is still stopped 120 s after the restart"), e.getMessage());
    Operation wait = journal.operations().get(journal.operations().size() - 1);
    assertEquals(Operation.Outcome.FAILED, wait.outcome());
  }

  @Test
  void ctrl_c_reads_the_journal_while_the_workflow_runs_on_another_thread() throws Exception {
    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.headline()), FakeGuest.diagnosed(GuestScenarios.healthy()));
    CountDownLatch restarting = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    azure.onCall = name -> {
      if (name.equals("restart")) {
        restarting.countDown();
        await(release);
      }
    };
    RunJournal journal = journal(false);
    CompletableFuture<RepairReport> run = CompletableFuture.supplyAsync(() -> workflow().repair(
        request("vm1", false, RepairRequest.Consents.none(), RestartPolicy.ALWAYS), journal));
    assertTrue(restarting.await(10, TimeUnit.SECONDS));

    RepairReport partial = journal.interruptedReport();
    assertEquals(ExitCode.INTERRUPTED, partial.exitCode());
    Operation last = partial.operations().get(partial.operations().size() - 1);
    assertEquals(OperationKind.RESTART, last.kind());
    assertEquals(Operation.Outcome.UNKNOWN, last.outcome(), "a restart that was sent may have happened");
    assertNull(last.ended());
    assertEquals("sent, outcome unknown: interrupted while it ran", last.result());
    assertEquals(1, partial.changes().size(), "the bundle's changes are in the partial report");
    assertTrue(partial.changesUnknown(), "the restart's outcome is unknown, so the changes are");
    assertTrue(partial.outcome().contains("undo with azrdpfix rollback rg1/vm1 --run " + journal.runId().value()),
        partial.outcome());
    assertTrue(journal.finished().isEmpty());

    release.countDown();
    RepairReport done = run.get(10, TimeUnit.SECONDS);
    assertEquals(ExitCode.OK, done.exitCode());
    assertEquals(done, journal.interruptedReport(), "after the end the hook sees the final report");
  }

  @Test
  void a_stopped_vm_is_started_only_with_consent_and_never_on_a_dry_run() {
    azure.with(FakeAzure.vm("rg3", "off1", "Windows", "deallocated", "Unknown", "20.1.2.4"));
    AzrdpfixException refused = assertThrows(AzrdpfixException.class, () -> workflow().repair(
        request("rg3/off1", false, RepairRequest.Consents.none()), journal(false)));
    assertEquals(ExitCode.PRECONDITION, refused.exitCode());
    assertTrue(refused.getMessage().contains("--start"), refused.getMessage());
    AzrdpfixException dry = assertThrows(AzrdpfixException.class, () -> workflow().repair(
        request("rg3/off1", true, new RepairRequest.Consents(false, false, true)), journal(true)));
    assertTrue(dry.getMessage().contains("a dry run cannot diagnose a stopped VM"), dry.getMessage());
    assertFalse(azure.calls.contains("start"));

    guest.diagnoses(FakeGuest.diagnosed(GuestScenarios.healthy()));
    RepairReport r = workflow().repair(request("rg3/off1", false, new RepairRequest.Consents(false, false, true)),
        journal(false));
    assertEquals(ExitCode.OK, r.exitCode(), r.outcome());
    assertEquals(List.of(OperationKind.INSPECT, OperationKind.START, OperationKind.WAIT, OperationKind.INSPECT,
        OperationKind.RUN_COMMAND, OperationKind.PROBE), kinds(r));
    assertTrue(confirmer.questions.get(0).startsWith("Start off1"), confirmer.questions::toString);
  }

  @Test
  void what_run_command_cannot_reach_is_refused_before_the_guest_is_touched() {
    azure.with(FakeAzure.vm("rg4", "linux1", "Linux", "running", "Ready", "20.1.2.5"))
        .with(FakeAzure.vm("rg4", "noagent1", "Windows", "running", "Not Ready", "20.1.2.6"));
    AzrdpfixException linux = assertThrows(AzrdpfixException.class, () -> workflow().repair(
        request("rg4/linux1", false, RepairRequest.Consents.none()), journal(false)));
    assertTrue(linux.getMessage().contains("not Windows"), linux.getMessage());
    AzrdpfixException agent = assertThrows(AzrdpfixException.class, () -> workflow().repair(
        request("rg4/noagent1", false, RepairRequest.Consents.none()), journal(false)));
    assertEquals(ExitCode.PRECONDITION, agent.exitCode());
    assertTrue(agent.getMessage().contains("guest agent"), agent.getMessage());
    assertEquals(List.of(), guest.calls);
  }

  @Test
  void a_failed_diagnosis_stops_the_run_with_exit_3() {
    guest.diagnoses(FakeGuest.failed("diagnose", "no result line"));
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> repair(false));
    assertEquals(ExitCode.AZURE, e.exitCode());
    assertTrue(e.getMessage().startsWith("diagnosing rg1/vm1 failed: no result line"), e.getMessage());
  }

  @Test
  void a_name_that_is_unknown_or_in_several_groups_throws_before_the_vm_is_read() {
    VmNotResolvedException none = assertThrows(VmNotResolvedException.class, () -> workflow().repair(
        request("ghost", false, RepairRequest.Consents.none()), journal(false)));
    assertEquals(ExitCode.AZURE, none.exitCode());
    assertTrue(none.getMessage().startsWith("VM 'ghost' was not found: no VM named 'ghost'"), none.getMessage());
    azure.with(FakeAzure.windowsVm("rg-green", "app")).with(FakeAzure.windowsVm("rg-blue", "app"));
    VmNotResolvedException two = assertThrows(VmNotResolvedException.class, () -> workflow().repair(
        request("app", false, RepairRequest.Consents.none()), journal(false)));
    assertEquals(ExitCode.USAGE, two.exitCode());
    assertTrue(two.getMessage().contains("rg-blue, rg-green"), two.getMessage());
    assertEquals(List.of("list", "list"), azure.calls);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
