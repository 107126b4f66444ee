package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.ExitCode;
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
   * Runs one Azure operation and records it: before it starts (so an interrupted run shows it as interrupted),
   * then with how it ended. {@code sha} gives the script hash from the result (null for operations without one).
   */
  public <T> T record(OperationKind kind, String purpose, Supplier<T> action, Function<T, String> sha) {
    Instant start = clock.instant();
    synchronized (this) {
      running = new Operation(kind, purpose, start, null, Operation.Outcome.INTERRUPTED, null, null);
    }
    progress.detail("operation " + kind.id() + ": " + purpose);
    T value;
    try {
      value = action.get();
    } catch (RuntimeException e) {
      ended(new Operation(kind, purpose, start, clock.instant(), Operation.Outcome.FAILED, e.getMessage(), null));
      throw e;
    }
    ended(new Operation(kind, purpose, start, clock.instant(), Operation.Outcome.OK, null,
        sha == null ? null : sha.apply(value)));
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
   * operation marked interrupted.
   */
  public synchronized RepairReport interruptedReport() {
    if (finished != null) {
      return finished;
    }
    return report(ExitCode.INTERRUPTED, "interrupted: the operations above were done; nothing after them.");
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
        List.copyOf(backups), verification, outcome, code, restart);
  }

  private List<Finding> sortedFindings() {
    List<Finding> before = new ArrayList<>(findingsBefore);
    before.sort(Comparator.comparing(Finding::severity));
    return before;
  }
}
