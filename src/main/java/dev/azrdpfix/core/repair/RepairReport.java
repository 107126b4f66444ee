package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.probe.ProbeResult;
import java.time.Instant;
import java.util.List;

/**
 * The record of one repair (or rollback, or dry run) a reviewer can trust: who ran what against which VM, every Azure
 * operation in order, each script with the SHA-256 of the exact text sent, every change and backup, the
 * verification, and the exit code. Written as JSON and Markdown.
 */
public record RepairReport(
    RunId runId,
    RunMode mode,
    Instant started,
    Instant ended,
    Actor actor,
    String target,
    VmSnapshot vm,
    List<Finding> findingsBefore,
    List<PlannedStep> plan,
    List<String> blockedSteps,
    List<GuestChannel.Preview> scripts,
    List<GuestRun> guestRuns,
    List<Operation> operations,
    List<GuestRun.Change> changes,
    List<String> backups,
    Verification verification,
    String outcome,
    ExitCode exitCode,
    boolean changesUnknown,
    String undoCommand,
    String findOutCommand,
    RestartPath restart) {

  /** A report of a run that sent no change whose outcome is unknown. */
  public RepairReport(RunId runId, RunMode mode, Instant started, Instant ended, Actor actor, String target,
      VmSnapshot vm, List<Finding> findingsBefore, List<PlannedStep> plan, List<String> blockedSteps,
      List<GuestChannel.Preview> scripts, List<GuestRun> guestRuns, List<Operation> operations,
      List<GuestRun.Change> changes, List<String> backups, Verification verification, String outcome,
      ExitCode exitCode) {
    this(runId, mode, started, ended, actor, target, vm, findingsBefore, plan, blockedSteps, scripts, guestRuns,
        operations, changes, backups, verification, outcome, exitCode, false, null, null, null);
  }

  /** Who ran it and with what: the local user and host, the Azure auth mode and subscription, the tool version. */
  public record Actor(String user, String host, String auth, String subscription, String toolVersion) {}

  /**
   * Whether the run changed something on the VM, or may have (a change was sent whose outcome is unknown): what
   * rollback looks for.
   */
  public boolean changedSomething() {
    return !changes.isEmpty() || changesUnknown;
  }

  /**
   * Which restart path the run took and why: the {@code --restart} policy, the planned steps that need a VM restart
   * to take effect, whether the VM was restarted through Azure, why (or why not), and how many RDP sessions were
   * signed in before (a TermService restart drops them; null when the guest did not say).
   */
  public record RestartPath(
      RestartPolicy policy, List<String> rebootSteps, boolean performed, String reason, Integer activeSessions) {
    public RestartPath {
      rebootSteps = List.copyOf(rebootSteps);
    }

    /** Whether the policy and the plan call for a VM restart through Azure (an escalation comes on top). */
    public boolean vmRestartPlanned() {
      return policy == RestartPolicy.ALWAYS || policy == RestartPolicy.AUTO && !rebootSteps.isEmpty();
    }

    public RestartPath performed(boolean done, String why) {
      return new RestartPath(policy, rebootSteps, done, why, activeSessions);
    }
  }

  /** After the restart: the guest's own view and the protocol-level probe from outside. */
  public record Verification(List<Finding> findingsAfter, ProbeResult probe, String probedAddress, String note) {}
}
