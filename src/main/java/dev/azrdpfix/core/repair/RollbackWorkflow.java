package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.VmRuns;
import dev.azrdpfix.core.inspect.GuestDiagnostics;
import dev.azrdpfix.core.inspect.VmResolver;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.Severity;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Confirmer;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.RdpProber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code rollback}: restores what one repair run changed, from the backups and journal it left on the VM. The VM is
 * the authority: one read-only Run Command lists its runs (list-runs), the run to undo is the one asked for (it must
 * be on the VM) or the latest run on the VM that changed something and is not rolled back; a run already rolled back
 * is not replayed without {@code --force}. Then one Run Command restores, one restart applies it, and a read-only
 * diagnosis and an RDP probe tell the real end state, as after a repair.
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
  private final RunChecks checks;

  public RollbackWorkflow(AzureGateway azure, GuestChannel guest, RdpProber prober, Confirmer confirmer,
      Progress progress, ReportStore reports, VmWaiter waiter, Clock clock) {
    this.azure = azure;
    this.guest = guest;
    this.confirmer = confirmer;
    this.progress = progress;
    this.reports = reports;
    this.resolver = new VmResolver(azure, progress);
    this.waiter = waiter;
    this.preparation = new VmPreparation(azure, confirmer, progress, waiter);
    this.checks = new RunChecks(new GuestDiagnostics(guest), prober, progress, clock);
  }

  /**
   * {@code rollback VM --list}: the runs on the VM, read with one read-only Run Command ({@code breakLock}: then a
   * stale lock is cleared, after a confirmation).
   */
  public VmRuns list(RollbackRequest request, RunJournal journal) {
    VmRef ref = resolver.resolve(request.vm());
    VmRef vm = preparation.ready(journal, ref, stoppedVm(ref, true), request.waits()).ref();
    VmRuns runs = listRuns(journal, vm);
    if (runs.lock() != null && request.breakLock()) {
      breakLock(journal, vm, runs);
    }
    reconcile(journal, vm, runs, null);
    return runs;
  }

  /** Runs the rollback, recording into {@code journal}; returns the journal's final report. */
  public RepairReport rollback(RollbackRequest request, RunJournal journal) {
    VmRef ref = resolver.resolve(request.vm());
    VmSnapshot snapshot = preparation.ready(journal, ref, stoppedVm(ref, request.dryRun()), request.waits());
    VmRef vm = snapshot.ref();
    VmRuns runs = listRuns(journal, vm);
    if (runs.lock() != null && request.breakLock() && !request.dryRun()) {
      breakLock(journal, vm, runs);
    } else if (runs.lock() != null) {
      // One run at a time: checked before anything that changes is sent (the script checks again, atomically).
      throw AzrdpfixException.precondition(runs.lock().refusal(vm.display(), runs.guestNow()));
    }
    Optional<VmRuns.Run> chosen = choose(request, runs, vm);
    reconcile(journal, vm, runs, chosen.map(VmRuns.Run::id).orElse(null));
    if (chosen.isEmpty()) {
      return journal.finish(ExitCode.OK, "nothing to roll back on " + vm.display() + ": no run on the VM changed"
          + " something that is not rolled back (runs on the VM: " + runs.ids() + ")" + localHint(vm, runs));
    }
    VmRuns.Run run = chosen.get();
    RunId runId = run.id();
    if (run.rolledBack() && !request.force()) {
      return journal.finish(ExitCode.OK, "nothing replayed: run " + runId + " was rolled back on the VM"
          + (run.rolledBackAt() == null ? "" : " at " + run.rolledBackAt()) + "; add --force to replay it");
    }

    journal.addScript(guest.previewRollback(runId, request.force()));
    if (request.dryRun()) {
      return journal.finish(ExitCode.OK, "dry run: would roll back run " + runId + " (" + runs.line(run)
          + "), nothing changed");
    }
    if (!confirmer.confirm("Roll back run " + runId + " (" + run.state().text() + ", " + run.changes()
        + " journaled change(s)) on " + vm.display() + " and restart it through Azure?")) {
      return journal.finish(ExitCode.NOT_CONFIRMED, "not confirmed: nothing was changed");
    }

    progress.step("Rolling back run " + runId + " in one Run Command...");
    GuestRun restored = journal.recordChange(OperationKind.RUN_COMMAND, "rollback of run " + runId, null,
        () -> guest.rollback(vm, runId, request.force()), GuestRun::sha256);
    journal.addGuestRun(restored);
    if (restored.failed()) {
      return journal.finish(ExitCode.REPAIR_FAILED, "rollback failed: " + restored.error()
          + ". What was restored is listed");
    }
    List<String> leftAlone = leftAlone(restored);
    if (!restored.changedSomething()) {
      return journal.finish(ExitCode.OK, "nothing restored for run " + runId + ": "
          + (leftAlone.isEmpty() ? "every value already holds its before-state" : String.join("; ", leftAlone)));
    }

    boolean agentReady = restart(journal, vm, request.waits());
    return verify(journal, snapshot, request, runId, leftAlone, agentReady);
  }

  /** The script's findings that mean part of the run was not restored (changed since, refused, failed). */
  private static List<String> leftAlone(GuestRun restored) {
    List<String> out = new ArrayList<>();
    long changedSince = restored.scriptFindings().stream().filter(f -> f.startsWith("changed-since")).count();
    long refused = restored.scriptFindings().stream().filter(f -> f.startsWith("journal-entry-refused")).count();
    if (changedSince > 0) {
      out.add(changedSince + " value(s) changed since the run were left alone (--force overwrites them)");
    }
    if (refused > 0) {
      out.add(refused + " journal entr" + (refused == 1 ? "y was" : "ies were") + " refused (not an operation a"
          + " repair step writes, or outside what it may touch)");
    }
    return out;
  }

  private VmRuns listRuns(RunJournal journal, VmRef vm) {
    progress.step("Reading the runs recorded on " + vm.display() + " (read-only Run Command)...");
    GuestChannel.RunListing listing = journal.record(OperationKind.RUN_COMMAND, "list the runs on the VM (read-only)",
        () -> guest.listRuns(vm), l -> l.run().sha256());
    journal.addGuestRun(listing.run());
    if (listing.runs() == null) {
      throw new AzrdpfixException(ExitCode.AZURE, "listing the runs on " + vm.display() + " failed: "
          + listing.run().error() + ". Nothing was changed; rerun with --verbose.");
    }
    return listing.runs();
  }

  private Optional<VmRuns.Run> choose(RollbackRequest request, VmRuns runs, VmRef vm) {
    if (request.run().isEmpty()) {
      Optional<VmRuns.Run> latest = runs.latestUndoable();
      latest.ifPresent(r -> progress.step("Rolling back the latest run on " + vm.display() + ": " + runs.line(r)));
      return latest;
    }
    RunId id = request.run().get();
    Optional<VmRuns.Run> found = runs.find(id);
    if (found.isPresent()) {
      return found;
    }
    if (runs.more() > 0) {
      // Older than what fits the listing: the journal on the VM still decides (no journal: nothing to roll back).
      return Optional.of(new VmRuns.Run(id, null, VmRuns.State.COMPLETE, 1, List.of(), null, 0));
    }
    throw AzrdpfixException.usage("run " + id + " is not on " + vm.display() + "; the runs on the VM are: "
        + runs.ids() + ". Pass one of them to --run, or see 'azrdpfix rollback " + vm.display() + " --list'.");
  }

  /**
   * {@code --break-lock}: only a lock older than Run Command's 90-minute limit (on the guest's clock), after a
   * confirmation, with one journaled Run Command; anything else refuses (exit 4) and nothing is sent.
   */
  private void breakLock(RunJournal journal, VmRef vm, VmRuns runs) {
    GuestFacts.Lock lock = runs.lock();
    Instant since = GuestFacts.parseTime(lock.started());
    Duration age = since == null || runs.guestNow() == null ? null : Duration.between(since, runs.guestNow());
    if (lock.runId() == null || age == null || age.compareTo(GuestFacts.Lock.RUN_COMMAND_LIMIT) <= 0) {
      throw AzrdpfixException.precondition(runs.lock().refusal(vm.display(), runs.guestNow()) + " --break-lock"
          + " clears only a lock with a run id that is older than Run Command's 90-minute limit.");
    }
    RunId holder = new RunId(lock.runId());
    if (!confirmer.confirm("Break the lock of run " + holder + " on " + vm.display() + " (taken " + age.toMinutes()
        + " min ago: that run was cut off)?")) {
      throw new AzrdpfixException(ExitCode.NOT_CONFIRMED, "not confirmed: the lock of run " + holder
          + " was left in place.");
    }
    progress.step("Breaking the stale lock of run " + holder + " (one Run Command, journaled)...");
    GuestRun broken = journal.recordChange(OperationKind.RUN_COMMAND, "break the stale lock of run " + holder, null,
        () -> guest.breakLock(vm, journal.runId(), holder), GuestRun::sha256);
    journal.addGuestRun(broken);
    if (broken.failed() || !broken.changedSomething()) {
      throw AzrdpfixException.precondition("the lock of run " + holder + " on " + vm.display() + " was not broken: "
          + (broken.failed() ? broken.error() : String.join("; ", broken.scriptFindings())) + ".");
    }
  }

  /** The newest run on the VM did not finish: say so, with the commands to see and undo it. */
  private void reconcile(RunJournal journal, VmRef vm, VmRuns runs, RunId undoing) {
    runs.interruptedLatest().ifPresent(r -> {
      String age = runs.age(r).map(a -> ", started " + VmRuns.human(a) + " ago").orElse("");
      Finding f = new Finding(FindingId.RUN_INTERRUPTED, Severity.WARNING,
          "run " + r.id() + " on the VM did not finish: its journal has no end entry (interrupted, lost, or still"
              + " running)",
          r.changes() + " change(s) journaled" + age,
          r.id().equals(undoing) ? "this rollback undoes it"
              : "see 'azrdpfix rollback " + vm.display() + " --list'; undo it with 'azrdpfix rollback "
                  + vm.display() + " --run " + r.id() + "'");
      progress.step("Note: " + f.summary() + " (" + f.evidence() + ")");
      journal.addFindingsBefore(List.of(f));
    });
  }

  /** The local report cache is a convenience: it only explains why the VM has nothing the cache remembers. */
  private String localHint(VmRef vm, VmRuns runs) {
    Optional<RunId> local = reports.latestChange(vm);
    if (local.isPresent() && runs.find(local.get()).isEmpty()) {
      return "; the local report of run " + local.get() + " is not on the VM (restored from a backup or rebuilt?)";
    }
    return "";
  }

  /** Rollback never starts a VM: the user does, then reruns. */
  private static VmPreparation.StoppedVm stoppedVm(VmRef ref, boolean dryRun) {
    return new VmPreparation.StoppedVm(false, dryRun,
        "Start it first ('az vm start -g " + ref.resourceGroup() + " -n " + ref.name() + "'), then rerun.");
  }

  /** One restart through Azure; a reapply when the agent does not come back Ready on its own. */
  private boolean restart(RunJournal journal, VmRef vm, VmWaits waits) {
    progress.step("Restarting " + vm.display() + " through Azure...");
    journal.recordChange(OperationKind.RESTART, "apply the rollback (one restart)",
        () -> azure.restart(vm, waits.timeout()));
    if (waiter.await(journal, vm, waits.timeout(), "after the restart", true)) {
      return true;
    }
    journal.recordChange(OperationKind.REAPPLY, "the agent did not come back Ready",
        () -> azure.reapply(vm, waits.timeout()));
    return waiter.await(journal, vm, waits.timeout(), "after the reapply", true);
  }

  /** The guest's own view and the probe from outside tell the end state; the outcome says what the VM says. */
  private RepairReport verify(RunJournal journal, VmSnapshot vm, RollbackRequest request, RunId runId,
      List<String> leftAlone, boolean agentReady) {
    RunChecks.Inside inside = checks.inside(journal, vm.ref(), agentReady);
    List<Finding> findingsAfter = inside.findings();
    GuestFacts facts = inside.facts();
    RunChecks.Outside outside = checks.probe(journal, vm, request.probe(), facts, request.probe().waitAfterRestart(),
        true, "not probed: the VM has no public IP");
    ProbeResult probe = outside.result();
    String address = outside.address();
    String note = join(inside.note(), outside.note());
    journal.verification(new RepairReport.Verification(findingsAfter, probe, address, note));
    long blocking = findingsAfter.stream().filter(Finding::blocksRdp).count();
    String state = (probe == null ? "" : probe.ok() ? "RDP answers (" + probe.summary() + ")"
        : "RDP does not answer (" + probe.summary() + ")")
        + (facts == null ? "" : (probe == null ? "" : "; ") + (blocking == 0 ? "the guest diagnosis finds nothing"
            + " that blocks RDP" : "the guest diagnosis finds " + blocking + " finding(s) that block RDP"));
    String restoredText = leftAlone.isEmpty()
        ? "every journaled change the VM still held is back in its before-state (the rollback script says so)"
        : "partly restored: " + String.join("; ", leftAlone);
    return journal.finish(ExitCode.OK, "rolled back run " + runId + ": " + restoredText
        + (state.isEmpty() ? "" : ". Now: " + state) + (note == null ? "" : " (" + note + ")"));
  }

  private static String join(String a, String b) {
    return a == null ? b : a + "; " + b;
  }
}
