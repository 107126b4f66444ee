package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.inspect.VmResolver;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Confirmer;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.ReportStore;

/**
 * {@code rollback}: restores what one repair run changed, from the backups and journal it left on the VM, in one Run
 * Command, then restarts once through Azure and waits for the VM (reapplying when the agent does not come back).
 * The run to undo is the one asked for, or the latest recorded run of the VM that changed something.
 */
public final class RollbackWorkflow {
  private final AzureGateway azure;
  private final GuestChannel guest;
  private final Confirmer confirmer;
  private final Progress progress;
  private final ReportStore reports;
  private final VmResolver resolver;
  private final VmPreparation preparation;
  private final VmWaiter waiter;

  public RollbackWorkflow(AzureGateway azure, GuestChannel guest, Confirmer confirmer, Progress progress,
      ReportStore reports, VmWaiter waiter) {
    this.azure = azure;
    this.guest = guest;
    this.confirmer = confirmer;
    this.progress = progress;
    this.reports = reports;
    this.resolver = new VmResolver(azure, progress);
    this.waiter = waiter;
    this.preparation = new VmPreparation(azure, confirmer, progress, waiter);
  }

  /** Runs the rollback, recording into {@code journal}; returns the journal's final report. */
  public RepairReport rollback(RollbackRequest request, RunJournal journal) {
    VmRef ref = resolver.resolve(request.vm());
    RunId runId = request.run().orElseGet(() -> latestChange(ref));
    VmRef vm = preparation.ready(journal, ref, stoppedVm(ref, request), request.waits()).ref();

    journal.addScript(guest.previewRollback(runId));
    if (request.dryRun()) {
      return journal.finish(ExitCode.OK, "dry run: would roll back run " + runId + ", nothing changed");
    }
    if (!confirmer.confirm("Roll back run " + runId + " on " + vm.display() + " and restart it through Azure?")) {
      return journal.finish(ExitCode.NOT_CONFIRMED, "not confirmed: nothing was changed");
    }

    progress.step("Rolling back run " + runId + " in one Run Command...");
    GuestRun restored = journal.recordChange(OperationKind.RUN_COMMAND, "rollback of run " + runId, null,
        () -> guest.rollback(vm, runId), GuestRun::sha256);
    journal.addGuestRun(restored);
    if (restored.failed()) {
      return journal.finish(ExitCode.REPAIR_FAILED, "rollback failed: " + restored.error()
          + ". What was restored is listed");
    }
    if (!restored.changedSomething()) {
      return journal.finish(ExitCode.OK, "nothing to roll back for run " + runId + " (already restored)");
    }

    restart(journal, vm, request.waits());
    return journal.finish(ExitCode.OK, "rolled back run " + runId + ": the VM is back in its before-state");
  }

  /** Rollback never starts a VM: the user does, then reruns. */
  private static VmPreparation.StoppedVm stoppedVm(VmRef ref, RollbackRequest request) {
    return new VmPreparation.StoppedVm(false, request.dryRun(),
        "Start it first ('az vm start -g " + ref.resourceGroup() + " -n " + ref.name() + "'), then rerun.");
  }

  private RunId latestChange(VmRef ref) {
    RunId latest = reports.latestChange(ref).orElseThrow(() -> new AzrdpfixException(ExitCode.USAGE,
        "no recorded repair of " + ref.display() + " that changed something on this machine: pass --run ID (the run"
            + " ids are the folders under C:\\ProgramData\\azrdpfix\\backup on the VM)."));
    progress.step("Rolling back the latest recorded repair of " + ref.display() + ": run " + latest);
    return latest;
  }

  /** One restart through Azure; a reapply when the agent does not come back Ready on its own. */
  private void restart(RunJournal journal, VmRef vm, VmWaits waits) {
    progress.step("Restarting " + vm.display() + " through Azure...");
    journal.recordChange(OperationKind.RESTART, "apply the rollback (one restart)", () -> azure.restart(vm, waits.timeout()));
    if (!waiter.await(journal, vm, waits.timeout(), "after the restart", true)) {
      journal.recordChange(OperationKind.REAPPLY, "the agent did not come back Ready",
          () -> azure.reapply(vm, waits.timeout()));
      waiter.await(journal, vm, waits.timeout(), "after the reapply", true);
    }
  }
}
