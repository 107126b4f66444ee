package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.OutcomeUnknownException;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.port.Progress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything one run did, as it happens: the target, what Azure said, the findings and plan, every Azure operation,
 * every guest script and its result, the verification, and at the end the outcome. The command creates it and hands
 * it to the workflow; the workflow writes to it; anyone (the Ctrl-C hook on another thread) may read a
 * {@link #report} at any time. Every method is thread-safe; a report is a consistent snapshot.
 */
public final class RunJournal {
  private final RunId runId;
  private final RunMode mode;
  private final RepairReport.Actor actor;
  private final Clock clock;
  private final Progress progress;
  private final Instant started;

  private String target;
  private VmSnapshot vm;
  private final List<Finding> findingsBefore = new ArrayList<>();
  private final List<PlannedStep> plan = new ArrayList<>();
  private final List<String> blocked = new ArrayList<>();
  private final List<GuestChannel.Preview> scripts = new ArrayList<>();
  private final List<GuestRun> guestRuns = new ArrayList<>();
  private final List<Operation> operations = new ArrayList<>();
  private Operation running;
  private boolean runningMayChange;
  private boolean mayHaveChanged;
  private boolean changesUnknown;
  private String commandOptions = "";
  private RepairReport.Verification verification;
  private RepairReport.RestartPath restart;
  private RepairReport finished;

  public RunJournal(RunId runId, RunMode mode, RepairReport.Actor actor, Clock clock, Progress progress) {
    this.runId = runId;
    this.mode = mode;
    this.actor = actor;
    this.clock = clock;
    this.progress = progress;
    this.started = clock.instant();
  }

  /** A journal for a new run, with a fresh run id. */
  public static RunJournal start(RunMode mode, RepairReport.Actor actor, Clock clock, Progress progress) {
    return new RunJournal(RunId.generate(clock), mode, actor, clock, progress);
  }

  public RunId runId() {
    return runId;
  }

  public RunMode mode() {
    return mode;
  }

  public synchronized void target(String display) {
    this.target = display;
  }

  public synchronized void vm(VmSnapshot snapshot) {
    this.vm = snapshot;
  }

  public synchronized void addFindingsBefore(List<Finding> findings) {
    findingsBefore.addAll(findings);
  }

  /** The findings recorded before any change, most severe first. */
  public synchronized List<Finding> findingsBefore() {
    return sortedFindings();
  }

  public synchronized void plan(List<PlannedStep> steps, List<String> blockedSteps) {
    plan.addAll(steps);
    blocked.addAll(blockedSteps);
  }

  public synchronized void addScript(GuestChannel.Preview preview) {
    scripts.add(preview);
  }

  public synchronized void addGuestRun(GuestRun run) {
    guestRuns.add(run);
  }

  public synchronized void verification(RepairReport.Verification v) {
    this.verification = v;
  }

  /** The restart path chosen (and, at the end, taken) and why. */
  public synchronized void restart(RepairReport.RestartPath path) {
    this.restart = path;
  }

  /**
   * Runs one read-only Azure operation and records it: before it starts (so an interrupted run shows it as
   * interrupted), then with how it ended. {@code sha} gives the script hash from the result (null for operations
   * without one).
   */
  public <T> T record(OperationKind kind, String purpose, Supplier<T> action, Function<T, String> sha) {
    return run(kind, purpose, false, null, action, sha);
  }

  /**
   * Runs one Azure operation that may change the VM (start, the repair bundle, restart, reapply) and records it.
   * From its start the run may have changed the VM, so every exit path must keep a report. When the request was
   * sent but its end was not read ({@link OutcomeUnknownException}, or Ctrl-C while it runs) the operation is
   * {@link Operation.Outcome#UNKNOWN} with {@code sentSha} (the SHA-256 of the script sent, if any), and the run's
   * changes are unknown until the VM is read.
   */
  public <T> T recordChange(OperationKind kind, String purpose, String sentSha, Supplier<T> action,
      Function<T, String> sha) {
    return run(kind, purpose, true, sentSha, action, sha);
  }

  public void recordChange(OperationKind kind, String purpose, Runnable action) {
    recordChange(kind, purpose, null, () -> {
      action.run();
      return null;
    }, null);
  }

  private <T> T run(OperationKind kind, String purpose, boolean mayChange, String sentSha, Supplier<T> action,
      Function<T, String> sha) {
    Instant start = clock.instant();
    synchronized (this) {
      running = new Operation(kind, purpose, start, null, mayChange ? Operation.Outcome.UNKNOWN
          : Operation.Outcome.INTERRUPTED, mayChange ? "interrupted while it ran" : null, sentSha);
      runningMayChange = mayChange;
    }
    progress.detail("operation " + kind.id() + ": " + purpose);
    T value;
    try {
      value = action.get();
    } catch (OutcomeUnknownException e) {
      synchronized (this) {
        if (mayChange) {
          changesUnknown = true;
        }
      }
      synchronized (this) {
        mayHaveChanged |= mayChange;
      }
      ended(new Operation(kind, purpose, start, clock.instant(), Operation.Outcome.UNKNOWN, e.getMessage(),
          sentSha));
      throw e;
    } catch (RuntimeException e) {
      // Azure refused it (or it failed before sending): this operation changed nothing.
      ended(new Operation(kind, purpose, start, clock.instant(), Operation.Outcome.FAILED, e.getMessage(),
          sentSha));
      throw e;
    }
    synchronized (this) {
      mayHaveChanged |= mayChange;
    }
    String hash = sha == null ? null : sha.apply(value);
    ended(new Operation(kind, purpose, start, clock.instant(), Operation.Outcome.OK, null,
        hash != null ? hash : sentSha));
    return value;
  }

  public <T> T record(OperationKind kind, String purpose, Supplier<T> action) {
    return record(kind, purpose, action, null);
  }

  public void record(OperationKind kind, String purpose, Runnable action) {
    record(kind, purpose, () -> {
      action.run();
      return null;
    }, null);
  }

  private synchronized void ended(Operation op) {
    operations.add(op);
    running = null;
    runningMayChange = false;
  }

  /**
   * Whether an operation that may change the VM is running or ended other than refused by Azure: from then on every
   * exit keeps a report.
   */
  public synchronized boolean mayHaveChanged() {
    return mayHaveChanged || (running != null && runningMayChange);
  }

  /** Whether a change was sent whose end was not read (or is running now): the changes are unknown. */
  public synchronized boolean changesUnknown() {
    return changesUnknown || (running != null && runningMayChange);
  }

  /**
   * The options the next-step commands carry so they reach the same Azure (e.g. {@code " --simulate"}, {@code "
   * --subscription ID"}); empty by default.
   */
  public synchronized void commandOptions(String options) {
    this.commandOptions = options == null ? "" : options;
  }

  /** {@code azrdpfix rollback VM --run ID [options]}. */
  public synchronized String undoCommand() {
    return "azrdpfix rollback " + target + " --run " + runId.value() + commandOptions;
  }

  /** The commands that tell what a run whose outcome is unknown did on the VM. */
  public synchronized String findOutCommands() {
    return "azrdpfix rollback " + target + " --list" + commandOptions + " (or azrdpfix inspect " + target
        + commandOptions + ")";
  }

  /** The operations so far, including one still running (marked interrupted). */
  public synchronized List<Operation> operations() {
    List<Operation> out = new ArrayList<>(operations);
    if (running != null) {
      out.add(running);
    }
    return out;
  }

  /** Ends the run with this exit code and outcome line; returns the final report. */
  public synchronized RepairReport finish(ExitCode code, String outcome) {
    finished = report(code, outcome);
    return finished;
  }

  /** The final report, once the workflow has finished. */
  public synchronized Optional<RepairReport> finished() {
    return Optional.ofNullable(finished);
  }

  /**
   * What Ctrl-C leaves behind: the final report if the run has finished, else the report so far with the running
   * operation marked interrupted (or, when it may change the VM, sent with its outcome unknown).
   */
  public synchronized RepairReport interruptedReport() {
    if (finished != null) {
      return finished;
    }
    String outcome = "interrupted: the operations above were done; nothing after them.";
    if (changesUnknown()) {
      outcome = "interrupted: a change was sent to the VM and its outcome is unknown (it may still be running"
          + " there). Find out with " + findOutCommands() + "; undo with " + undoCommand();
    } else if (mayHaveChanged()) {
      outcome = "interrupted: the operations above were done; nothing after them. Undo with " + undoCommand();
    }
    return report(ExitCode.INTERRUPTED, outcome);
  }

  /**
   * Ends a run that failed with an exception after it may have changed the VM: the report keeps everything done so
   * far and says how to find out and undo.
   */
  public synchronized RepairReport failed(ExitCode code, String error) {
    if (finished != null) {
      return finished;
    }
    String why = error == null ? "unexpected error" : error.endsWith(".") ? error.substring(0, error.length() - 1)
        : error;
    String outcome = changesUnknown()
        ? why + ". A change was sent to the VM and its outcome is unknown: find out with " + findOutCommands()
            + "; undo with " + undoCommand()
        : why + ". The changes made before it are listed; undo them with " + undoCommand();
    return finish(code, outcome);
  }

  private synchronized RepairReport report(ExitCode code, String outcome) {
    List<GuestRun.Change> changes = new ArrayList<>();
    LinkedHashSet<String> backups = new LinkedHashSet<>();
    for (GuestRun g : guestRuns) {
      changes.addAll(g.allChanges());
      backups.addAll(g.allBackups());
    }
    return new RepairReport(runId, mode, started, clock.instant(), actor, target, vm, sortedFindings(),
        List.copyOf(plan), List.copyOf(blocked), List.copyOf(scripts), List.copyOf(guestRuns), operations(), changes,
        List.copyOf(backups), verification, outcome, code, changesUnknown(),
        mayHaveChanged() ? undoCommand() : null, changesUnknown() ? findOutCommands() : null, restart);
  }

  private List<Finding> sortedFindings() {
    List<Finding> before = new ArrayList<>(findingsBefore);
    before.sort(Comparator.comparing(Finding::severity));
    return before;
  }
}
