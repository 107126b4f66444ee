package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.OutcomeUnknownException;
import dev.azrdpfix.core.guest.GuestDiagnosis;
import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.guest.RepairSteps;
import dev.azrdpfix.core.inspect.GuestDiagnostics;
import dev.azrdpfix.core.inspect.NetworkFindings;
import dev.azrdpfix.core.inspect.VmResolver;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.Thumbprint;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Confirmer;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.probe.RdpProber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code repair}: read-only diagnosis, a plan in the documented order, confirmation, all steps in one Run Command,
 * then as {@link RestartPolicy} says: either no VM restart (the bundle restarted the services and checked its own
 * result inside the guest) and the probe, escalating to one restart when RDP still fails; or one restart through
 * Azure, a bounded wait for the VM and its agent (reapply when the agent's keys were renamed away), then verification
 * inside the guest and a protocol-level probe from outside. Everything it does goes
 * into the {@link RunJournal} the caller hands in.
 */
public final class RepairWorkflow {
  private final AzureGateway azure;
  private final GuestChannel guest;
  private final RunChecks checks;
  private final Confirmer confirmer;
  private final Progress progress;
  private final Clock clock;
  private final VmResolver resolver;
  private final VmPreparation preparation;
  private final VmWaiter waiter;

  public RepairWorkflow(AzureGateway azure, GuestChannel guest, RdpProber prober, Confirmer confirmer,
      Progress progress, Clock clock, VmWaiter waiter) {
    this.azure = azure;
    this.guest = guest;
    this.checks = new RunChecks(new GuestDiagnostics(guest), prober, progress, clock);
    this.confirmer = confirmer;
    this.progress = progress;
    this.clock = clock;
    this.resolver = new VmResolver(azure, progress);
    this.waiter = waiter;
    this.preparation = new VmPreparation(azure, confirmer, progress, waiter);
  }

  /** Runs the repair, recording into {@code journal}; returns the journal's final report. */
  public RepairReport repair(RepairRequest request, RunJournal journal) {
    VmSnapshot vm = preparation.ready(journal, resolver.resolve(request.vm()), stoppedVm(request), request.waits());
    VmRef ref = vm.ref();

    GuestDiagnostics.Result before = diagnoseBefore(journal, vm, request);
    GuestDiagnosis dx = before.diagnosis();
    if (!dx.blockedSteps().isEmpty()) {
      return journal.finish(ExitCode.PRECONDITION, "refused: " + String.join("; ", dx.blockedSteps()));
    }
    if (dx.plan().isEmpty()) {
      return nothingToRepair(journal, vm, request, before.run().facts());
    }

    GuestChannel.Preview bundle = guest.previewApply(journal.runId(), dx.plan());
    journal.addScript(bundle);
    RepairReport.RestartPath path = plannedRestart(request.restart(), dx, before.run().facts());
    journal.restart(path);
    if (request.dryRun()) {
      return journal.finish(ExitCode.OK, "dry run: " + dx.plan().size() + " step(s) planned, nothing changed");
    }
    if (!confirmer.confirm("Apply " + dx.plan().size() + " repair step(s) to " + ref.display() + " ("
        + String.join(", ", dx.planIds()) + ")" + restartQuestion(path, dx) + "?")) {
      return journal.finish(ExitCode.NOT_CONFIRMED, "not confirmed: nothing was changed");
    }

    GuestRun applied = apply(journal, ref, dx, bundle.sha256());
    String hung = applied.failed() ? hungService(applied) : null;
    if (hung != null) {
      return hungServiceAfterApply(journal, vm, request, path, hung, before.run().facts());
    }
    if (applied.failed()) {
      return journal.finish(ExitCode.REPAIR_FAILED, "a repair step failed: " + applied.error() + ". Changes made"
          + " before it are listed; undo them with " + undo(journal));
    }

    return afterApply(journal, vm, request, dx, path, applied, before.run().facts());
  }

  /** A stopped VM is started only with --start, and never on a dry run. */
  private static VmPreparation.StoppedVm stoppedVm(RepairRequest request) {
    return new VmPreparation.StoppedVm(request.consents().startStoppedVm(), request.dryRun(),
        "Rerun with --start to start it first (it will be billed while running).");
  }

  /** The read-only diagnosis and the findings and plan it gives; a diagnosis that fails stops the run. */
  private GuestDiagnostics.Result diagnoseBefore(RunJournal journal, VmSnapshot vm, RepairRequest request) {
    progress.step("Diagnosing inside the guest through Run Command (read-only)...");
    GuestDiagnostics.Result dx = diagnose(journal, vm.ref(), "diagnose (read-only)", request.repairOptions());
    if (dx.failed()) {
      throw new AzrdpfixException(ExitCode.AZURE, "diagnosing " + vm.ref().display() + " failed: " + dx.error()
          + ". Rerun with --verbose; check the Run Command log on the VM.");
    }
    GuestFacts.Lock lock = dx.run().facts() == null ? null : dx.run().facts().lock();
    if (lock != null) {
      // One run at a time: refused before the bundle is sent (the bundle checks again, atomically).
      throw AzrdpfixException.precondition(lock.refusal(vm.ref().display(),
          GuestFacts.parseTime(dx.run().facts().time())));
    }
    journal
        .addFindingsBefore(NetworkFindings.evaluate(vm, rdpPort(request, dx.run().facts()), null, new ArrayList<>()));
    journal.addFindingsBefore(dx.diagnosis().findings());
    journal.plan(dx.diagnosis().plan(), dx.diagnosis().blockedSteps());
    return dx;
  }

  private GuestDiagnostics.Result diagnose(RunJournal journal, VmRef ref, String purpose, RepairOptions options) {
    return checks.diagnose(journal, ref, purpose, options);
  }

  private GuestRun apply(RunJournal journal, VmRef ref, GuestDiagnosis dx, String sha256) {
    progress.step("Applying " + dx.plan().size() + " step(s) in one Run Command (backups first, run "
        + journal.runId() + ")...");
    GuestRun applied = journal.recordChange(OperationKind.RUN_COMMAND, "repair bundle: "
        + String.join(", ", dx.planIds()), sha256, () -> guest.apply(ref, journal.runId(), dx.plan()),
        GuestRun::sha256);
    journal.addGuestRun(applied);
    return applied;
  }

  /** Whether the agent came back Ready after the restart (and the reapply, if one was needed). */
  private record AfterRestart(boolean agentReady, boolean reapplied) {}

  /**
   * Exactly one restart through Azure, then the wait. After a MachineKeys rename the agent cannot come back before a
   * reapply, so only the VM is awaited and the model is reapplied; a reapply also follows when the agent does not
   * come back on its own.
   */
  private AfterRestart restart(RunJournal journal, VmRef ref, boolean requiresReapply, VmWaits waits) {
    progress.step("Restarting " + ref.display() + " through Azure...");
    journal.recordChange(OperationKind.RESTART, "apply the repair (one restart)",
        () -> azure.restart(ref, waits.timeout()));
    boolean agentReady = waiter.await(journal, ref, waits.timeout(), "after the restart", !requiresReapply);
    if (!requiresReapply && agentReady) {
      return new AfterRestart(true, false);
    }
    progress.step("Reapplying the VM model so the guest agent re-creates its transport certificate...");
    return new AfterRestart(reapply(journal, ref, requiresReapply, waits), true);
  }

  static final int REAPPLY_ATTEMPTS = 3;
  static final Duration REAPPLY_BACKOFF = Duration.ofSeconds(30);

  /**
   * Reapplies the VM model, up to {@link #REAPPLY_ATTEMPTS} times: after a reapply Azure refused, it waits (30 s,
   * then 60 s) and sends it again; after one whose end was not read it first waits for the agent, and sends another
   * only when the agent is still not Ready. Returns whether the agent came back Ready. When every attempt fails
   * after a MachineKeys rename, the agent cannot come back (and Run Command with it), so the error says how to undo
   * the rename without the agent.
   */
  private boolean reapply(RunJournal journal, VmRef ref, boolean afterRename, VmWaits waits) {
    String why = afterRename ? "MachineKeys was renamed: the agent needs new keys"
        : "the agent did not come back Ready";
    AzrdpfixException last = null;
    for (int attempt = 1; attempt <= REAPPLY_ATTEMPTS; attempt++) {
      if (last != null && !(last instanceof OutcomeUnknownException)) {
        Duration pause = REAPPLY_BACKOFF.multipliedBy(1L << (attempt - 2));
        progress.step("The reapply failed; trying again in " + pause.toSeconds() + " s (attempt " + attempt + " of "
            + REAPPLY_ATTEMPTS + ")...");
        waiter.pause(pause);
      }
      try {
        journal.recordChange(OperationKind.REAPPLY, why + (attempt > 1 ? " (attempt " + attempt + ")" : ""),
            () -> azure.reapply(ref, waits.timeout()));
        return waiter.await(journal, ref, waits.timeout(), "after the reapply", true);
      } catch (OutcomeUnknownException e) {
        last = e;
        if (waiter.await(journal, ref, waits.timeout(), "after a reapply whose end was not read", true)) {
          return true;
        }
      } catch (AzrdpfixException e) {
        last = e;
      }
    }
    if (!afterRename) {
      throw last;
    }
    throw new AzrdpfixException(ExitCode.AZURE, "reapplying " + ref.display() + " failed " + REAPPLY_ATTEMPTS
        + " times (" + last.getMessage() + "). MachineKeys was renamed, so the guest agent (and Run Command) cannot"
        + " come back until a reapply succeeds: retry 'az vm reapply -g " + ref.resourceGroup() + " -n " + ref.name()
        + "', or undo the rename offline: 'az vm repair create -g " + ref.resourceGroup() + " -n " + ref.name()
        + "', rename C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys.azrdpfix-" + journal.runId().value()
        + " back to MachineKeys on the attached disk, then 'az vm repair restore' (or rename it from the Serial"
        + " Console)", last);
  }

  /** Where a failed step says a VM restart clears it (a service hung in a pending state); one home of the words. */
  static final String RESTART_CLEARS_IT = "a VM restart through Azure clears it";

  /** The chosen steps that take effect only after a VM restart (the manifest's requiresReboot). */
  private static List<String> rebootSteps(GuestDiagnosis dx) {
    return dx.plan().stream().filter(PlannedStep::requiresReboot).map(PlannedStep::templateId).toList();
  }

  /** The restart path the policy and the plan choose, and why, before anything changes. */
  static RepairReport.RestartPath plannedRestart(RestartPolicy policy, GuestDiagnosis dx, GuestFacts facts) {
    List<String> reboot = rebootSteps(dx);
    boolean services = dx.planIds().contains(RepairSteps.RESTART_RDP_SERVICES);
    String inGuest = services ? "the bundle restarts TermService and SessionEnv inside the guest (bounded) and checks"
        + " for a valid certificate and a listener" : "no step needs a service restart";
    String reason = switch (policy) {
      case ALWAYS -> "--restart always: the VM is restarted through Azure after the repair";
      case AUTO -> reboot.isEmpty()
          ? "no chosen step needs a reboot: " + inGuest + "; the VM is restarted through Azure only if RDP still"
              + " fails afterwards"
          : String.join(", ", reboot) + " take(s) effect only after a VM restart: the VM is restarted through Azure";
      case NEVER -> reboot.isEmpty()
          ? "--restart never; no chosen step needs a reboot: " + inGuest
          : "--restart never: " + String.join(", ", reboot) + " take(s) effect at the next restart of the VM,"
              + " which azrdpfix will not make";
    };
    return new RepairReport.RestartPath(policy, reboot, false, reason, facts == null ? null : facts.sessions());
  }

  /** The end of the confirmation question: what restarts, and the signed-in sessions that drops. */
  private static String restartQuestion(RepairReport.RestartPath path, GuestDiagnosis dx) {
    boolean vmRestart = path.vmRestartPlanned();
    boolean services = dx.planIds().contains(RepairSteps.RESTART_RDP_SERVICES);
    String what = vmRestart ? " and restart it through Azure"
        : services ? " and restart TermService and SessionEnv inside the guest (no VM restart)" : " (no VM restart)";
    Integer sessions = path.activeSessions();
    if (sessions != null && sessions > 0 && (vmRestart || services)) {
      what += ", which ends the " + sessions + " signed-in RDP session(s)";
    }
    return what;
  }

  /** The message of a step that failed because a service hung and a VM restart clears it, else null. */
  static String hungService(GuestRun applied) {
    for (GuestRun step : applied.steps()) {
      if (step.failed() && step.error() != null && step.error().contains(RESTART_CLEARS_IT)) {
        return step.templateId() + ": " + step.error();
      }
    }
    return applied.error() != null && applied.error().contains(RESTART_CLEARS_IT) ? applied.error() : null;
  }

  /** A hung service: auto and always restart once through Azure and probe; never reports it. */
  private RepairReport hungServiceAfterApply(RunJournal journal, VmSnapshot vm, RepairRequest request,
      RepairReport.RestartPath path, String hung, GuestFacts before) {
    if (request.restart() == RestartPolicy.NEVER) {
      journal.restart(path.performed(false, "--restart never: not restarted although " + hung));
      return journal.finish(ExitCode.REPAIR_FAILED, "a repair step failed: " + hung + ". --restart never: restart"
          + " the VM to clear it (or rerun with --restart auto). Changes made before it are listed; undo them with "
          + undo(journal));
    }
    return escalate(journal, vm, request, path, "the bundle reported a hung service (" + hung + ")", before);
  }

  /**
   * After a successful bundle: restart through Azure when the policy or a step needs it (then verify inside the guest
   * and probe), else go straight to the probe: the bundle already checked its result inside the guest.
   */
  private RepairReport afterApply(RunJournal journal, VmSnapshot vm, RepairRequest request, GuestDiagnosis dx,
      RepairReport.RestartPath path, GuestRun applied, GuestFacts before) {
    RestartPolicy policy = request.restart();
    if (policy == RestartPolicy.ALWAYS || policy == RestartPolicy.AUTO && dx.requiresReboot()) {
      journal.restart(path.performed(true, path.reason()));
      AfterRestart after = restart(journal, vm.ref(), dx.requiresReapply(), request.waits());
      return verify(journal, vm, request, after);
    }
    String inside = insideCheck(applied);
    boolean pin = dx.planIds().stream().noneMatch(CERTIFICATE_STEPS::contains);
    RunChecks.Outside probe =
        probe(journal, vm, request, before, min(request.probe().waitAfterRestart(), NO_REBOOT_WAIT),
            pin);
    String later = dx.requiresReboot() ? "; " + String.join(", ", path.rebootSteps()) + " take(s) effect at the next"
        + " restart of the VM (--restart never: not restarted)" : "";
    if (probe.result() == null || probe.result().ok()) {
      journal.restart(path.performed(false, path.reason()));
      journal.verification(new RepairReport.Verification(List.of(), probe.result(), probe.address(),
          join(inside, probe.note())));
      return journal.finish(ExitCode.OK, "repaired: " + (probe.result() == null
          ? "the bundle verified it inside the guest (" + probe.note() + ")"
          : "RDP answers (" + probe.result().summary() + ")") + ", without a VM restart" + later);
    }
    if (policy == RestartPolicy.AUTO) {
      return escalate(journal, vm, request, path, "RDP still failed after the repair without a VM restart ("
          + probe.result().summary() + ")", before);
    }
    journal.restart(path.performed(false, path.reason()));
    journal.verification(new RepairReport.Verification(List.of(), probe.result(), probe.address(), inside));
    return journal.finish(ExitCode.RDP_BLOCKED, "still failing after repair: " + probe.result().summary() + later
        + ". Undo with " + undo(journal) + " if the changes made it worse");
  }

  /** Steps that may change the certificate the listener serves: the probe then expects none in particular. */
  private static final java.util.Set<String> CERTIFICATE_STEPS = java.util.Set.of(RepairSteps.CLEAR_STALE_BINDING,
      RepairSteps.REMOVE_RDP_CERTIFICATES, RepairSteps.RENAME_MACHINEKEYS);

  /** How long the probe keeps trying after a repair without a VM restart (the bundle saw the listener up). */
  static final Duration NO_REBOOT_WAIT = Duration.ofSeconds(30);

  /** What the bundle checked inside the guest, as the inside verification of a run without a verify Run Command. */
  private static String insideCheck(GuestRun applied) {
    boolean restarted = applied.steps().stream().anyMatch(s -> s.templateId().equals(RepairSteps.RESTART_RDP_SERVICES)
        && !s.failed());
    return restarted ? "verified inside the guest by the bundle: restart-rdp-services restarted TermService and"
        + " SessionEnv and found a valid RDP certificate and a listener (no separate verify Run Command)"
        : "verified inside the guest by the bundle: every step reported success (no separate verify Run Command)";
  }

  /** One restart through Azure as an escalation, a wait for the VM to run, and the probe: the run's last word. */
  private RepairReport escalate(RunJournal journal, VmSnapshot vm, RepairRequest request,
      RepairReport.RestartPath path, String why, GuestFacts before) {
    VmRef ref = vm.ref();
    journal.restart(path.performed(true, "escalation: " + why + ": one restart through Azure"));
    progress.step("Escalating: restarting " + ref.display() + " through Azure (" + why + ")...");
    journal.record(OperationKind.RESTART, "escalation: one restart (" + why + ")",
        () -> azure.restart(ref, request.waits().timeout()));
    waiter.await(journal, ref, request.waits().timeout(), "after the restart", false);
    // The port is the guest's; the certificate may have been replaced, so none is expected in particular.
    RunChecks.Outside probe = probe(journal, vm, request, before, request.probe().waitAfterRestart(), false);
    journal.verification(new RepairReport.Verification(List.of(), probe.result(), probe.address(),
        join("the VM was restarted through Azure as an escalation: " + why, probe.note())));
    if (probe.result() == null || probe.result().ok()) {
      return journal.finish(ExitCode.OK, "repaired: " + (probe.result() == null ? probe.note()
          : "RDP answers (" + probe.result().summary() + ")") + " after one VM restart (" + why + ")");
    }
    return journal.finish(ExitCode.RDP_BLOCKED, "still failing after repair and one VM restart: "
        + probe.result().summary() + ". Undo with " + undo(journal) + " if the changes made it worse");
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The guest's own view (when its agent is back) and the probe from outside decide the outcome. */
  private RepairReport verify(RunJournal journal, VmSnapshot vm, RepairRequest request, AfterRestart after) {
    VmRef ref = vm.ref();
    RunChecks.Inside inside = checks.inside(journal, ref, after.agentReady());
    List<Finding> findingsAfter = inside.findings();
    GuestFacts facts = inside.facts();
    String note = inside.note() != null ? inside.note() : after.reapplied() ? "the VM model was reapplied" : null;
    RunChecks.Outside probe = probe(journal, vm, request, facts, request.probe().waitAfterRestart());
    boolean guestClean = facts != null && findingsAfter.stream().noneMatch(Finding::blocksRdp);
    boolean ok = probe.result() != null ? probe.result().ok() && (guestClean || facts == null) : guestClean;
    journal.verification(new RepairReport.Verification(findingsAfter, probe.result(), probe.address(),
        join(note, probe.note())));
    if (ok) {
      return journal.finish(ExitCode.OK, "repaired: RDP answers" + (probe.result() == null ? " (guest verified; "
          + probe.note() + ")" : " (" + probe.result().summary() + ")"));
    }
    String why = probe.result() != null && !probe.result().ok() ? probe.result().summary()
        : "the guest still has findings that block RDP";
    return journal.finish(ExitCode.RDP_BLOCKED, "still failing after repair: " + why + ". Undo with "
        + undo(journal) + " if the changes made it worse");
  }

  private RepairReport nothingToRepair(RunJournal journal, VmSnapshot vm, RepairRequest request, GuestFacts facts) {
    progress.step("Nothing to repair inside the guest; checking RDP from outside...");
    // Nothing was restarted, so there is no boot window to wait through: one attempt tells.
    RunChecks.Outside probe = probe(journal, vm, request, facts, Duration.ZERO);
    journal.verification(new RepairReport.Verification(List.of(), probe.result(), probe.address(), probe.note()));
    if (probe.result() != null && probe.result().ok()) {
      return journal.finish(ExitCode.OK, "nothing to repair: RDP answers (" + probe.result().summary() + ")");
    }
    Finding azureBlocks = journal.findingsBefore().stream().filter(Finding::blocksRdp).findFirst().orElse(null);
    if (azureBlocks != null) {
      return journal.finish(ExitCode.RDP_BLOCKED, "refused: the guest is healthy but " + lower(azureBlocks.summary())
          + " azrdpfix does not change NSGs: " + azureBlocks.nextStep());
    }
    if (probe.result() == null) {
      return journal.finish(ExitCode.OK, "nothing to repair: the guest is healthy (" + probe.note() + ")");
    }
    return journal.finish(ExitCode.RDP_BLOCKED, "the guest diagnosis found nothing to repair, but the probe fails: "
        + probe.result().summary() + ". Check the network path (NSG, firewall appliances, routes)");
  }

  private RunChecks.Outside probe(RunJournal journal, VmSnapshot vm, RepairRequest request, GuestFacts facts,
      Duration wait) {
    return probe(journal, vm, request, facts, wait, true);
  }

  /** {@code pinCertificate} false: the repair may have replaced the certificate, so none is expected in particular. */
  private RunChecks.Outside probe(RunJournal journal, VmSnapshot vm, RepairRequest request, GuestFacts facts,
      Duration wait, boolean pinCertificate) {
    return checks.probe(journal, vm, request.probe(), facts, wait, pinCertificate, "not probed: the VM has no public"
        + " IP; rerun from inside the VNet with --via-private-ip");
  }

  /** The thumbprint the guest says the listener serves: the valid certificate in the Remote Desktop store. */
  static String expectedThumbprint(GuestFacts facts, Instant now) {
    if (facts == null || facts.certs() == null) {
      return null;
    }
    if (facts.binding() != null && facts.binding().tp() != null && Boolean.TRUE.equals(facts.binding().found())) {
      return Thumbprint.hexOf(facts.binding().tp());
    }
    List<GuestFacts.Cert> valid = facts.certs().stream().filter(GuestFacts.Cert::inRemoteDesktopStore)
        .filter(c -> c.notAfter() != null && GuestFacts.parseTime(c.notAfter()).isAfter(now))
        .toList();
    return valid.size() == 1 ? Thumbprint.hexOf(valid.get(0).tp()) : null;
  }

  private static int rdpPort(RepairRequest request, GuestFacts facts) {
    return probePort(request.probe().rdpPort(), facts);
  }

  /** The port to probe: the option, else the guest's PortNumber when it is a TCP port (the guest is untrusted). */
  static int probePort(Integer option, GuestFacts facts) {
    if (option != null) {
      return option;
    }
    Integer guest = facts == null || facts.registry() == null ? null : facts.registry().portNumber();
    return guest != null && guest >= 1 && guest <= 65535 ? guest : 3389;
  }

  private static String undo(RunJournal journal) {
    return "'" + journal.undoCommand() + "'";
  }

  private static String join(String a, String b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a + "; " + b;
  }

  private static String lower(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
