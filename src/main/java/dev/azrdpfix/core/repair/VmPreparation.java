package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Confirmer;
import dev.azrdpfix.core.port.Progress;

/**
 * The start of every run that changes a VM: read it from Azure and refuse what Run Command cannot reach (not Windows,
 * not running, agent not Ready), or start a stopped VM when the user consented. Shared by repair and rollback.
 */
final class VmPreparation {
  private final AzureGateway azure;
  private final Confirmer confirmer;
  private final Progress progress;
  private final VmWaiter waiter;

  VmPreparation(AzureGateway azure, Confirmer confirmer, Progress progress, VmWaiter waiter) {
    this.azure = azure;
    this.confirmer = confirmer;
    this.progress = progress;
    this.waiter = waiter;
  }

  /** Azure's transitional power states: the VM is on its way somewhere, not stopped. */
  static boolean isTransitioning(String powerState) {
    return powerState != null && (powerState.equalsIgnoreCase("starting") || powerState.equalsIgnoreCase("stopping")
        || powerState.equalsIgnoreCase("deallocating"));
  }

  /** What to do with a stopped VM: refuse with this hint, or start it (never on a dry run). */
  record StoppedVm(boolean start, boolean dryRun, String hint) {}

  /**
   * The VM, running with its agent Ready, as Azure describes it.
   *
   * @throws AzrdpfixException PRECONDITION or NOT_CONFIRMED when the run cannot go on
   */
  VmSnapshot ready(RunJournal journal, VmRef ref, StoppedVm stopped, VmWaits waits) {
    journal.target(ref.display());
    progress.step("Reading " + ref.display() + " from Azure...");
    VmSnapshot vm = journal.record(OperationKind.INSPECT, "read VM, instance view and network",
        () -> azure.inspect(ref));
    journal.vm(vm);
    if (!vm.isWindows()) {
      throw AzrdpfixException.precondition(vm.name() + " runs " + vm.osType() + ", not Windows: there is no RDP to"
          + " repair. Use SSH tooling for Linux VMs.");
    }
    if (!vm.isRunning()) {
      return started(journal, vm, stopped, waits);
    }
    if (!vm.agent().ready()) {
      throw AzrdpfixException.precondition("the guest agent of " + vm.name() + " is '" + vm.agent().displayStatus()
          + "', so Run Command cannot reach the guest. Restart or reapply the VM ('az vm restart', 'az vm reapply'),"
          + " or repair offline with 'az vm repair create' or the Serial Console.");
    }
    return vm;
  }

  private VmSnapshot started(RunJournal journal, VmSnapshot vm, StoppedVm stopped, VmWaits waits) {
    if (isTransitioning(vm.powerState())) {
      // Starting or stopping is not stopped: something (perhaps another repair's restart) is changing it right now.
      throw AzrdpfixException.precondition(vm.name() + " is " + vm.powerState() + ": the VM is restarting or"
          + " changing state right now (perhaps another repair or rollback). Wait a few minutes, then rerun; see"
          + " 'azrdpfix rollback " + vm.ref().display() + " --list' for runs on it.");
    }
    if (!stopped.start()) {
      throw AzrdpfixException.precondition(vm.name() + " is " + vm.powerState() + ": Run Command needs a running"
          + " VM. " + stopped.hint());
    }
    if (stopped.dryRun()) {
      throw AzrdpfixException.precondition(vm.name() + " is " + vm.powerState() + ": a dry run cannot diagnose a"
          + " stopped VM and never starts one. Start it, or rerun without --dry-run and with --start.");
    }
    if (!confirmer.confirm("Start " + vm.name() + " (it is " + vm.powerState() + ")?")) {
      throw new AzrdpfixException(ExitCode.NOT_CONFIRMED, "not confirmed: " + vm.name() + " was not started.");
    }
    progress.step("Starting " + vm.name() + " through Azure...");
    journal.recordChange(OperationKind.START, "the VM was " + vm.powerState(),
        () -> azure.start(vm.ref(), waits.timeout()));
    if (!waiter.await(journal, vm.ref(), waits.timeout(), "after the start", true)) {
      throw AzrdpfixException.precondition(vm.name() + " started but its guest agent did not become Ready within "
          + waits.timeout().toSeconds() + " s. Check boot diagnostics; repair offline with 'az vm repair'.");
    }
    // The report keeps the VM as it was found; the run goes on with it as it is now.
    return journal.record(OperationKind.INSPECT, "re-read after the start", () -> azure.inspect(vm.ref()));
  }
}
