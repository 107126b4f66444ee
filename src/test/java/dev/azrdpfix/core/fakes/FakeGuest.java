package dev.azrdpfix.core.fakes;

import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.GuestScenarios;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.guest.StepProperties;
import dev.azrdpfix.core.guest.StepStatus;
import dev.azrdpfix.core.guest.VmRuns;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.template.TemplateCatalog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * {@link GuestChannel} for workflow tests: diagnoses answer the queued facts in order (before, then verify), apply
 * and rollback answer what the test set, and every call is logged with its run id and steps.
 */
public final class FakeGuest implements GuestChannel {
  /** What each step implies, from the real manifest (the one home of step properties). */
  @Override
  public StepProperties.Source steps() {
    return TemplateCatalog.load()::stepProperties;
  }

  private final Deque<GuestRun> diagnoses = new ArrayDeque<>();
  private GuestRun applied = changed("bundle", new GuestRun.Change("MachineKeys ACL", "broken", "default"));
  private GuestRun rolledBack = changed("rollback", new GuestRun.Change("MachineKeys ACL", "default", "broken"));
  /** Every call: "diagnose", "apply <run id> <step ids>", "rollback <run id>". */
  public final List<String> calls = Collections.synchronizedList(new ArrayList<>());

  /** Queues diagnoses: the first answers the diagnosis before the repair, the next the verification. */
  public FakeGuest diagnoses(GuestRun... runs) {
    diagnoses.addAll(List.of(runs));
    return this;
  }

  public FakeGuest applies(GuestRun run) {
    this.applied = run;
    return this;
  }

  public FakeGuest rollsBack(GuestRun run) {
    this.rolledBack = run;
    return this;
  }

  public static GuestRun diagnosed(GuestFacts facts) {
    return new GuestRun("diagnose", "d".repeat(64), Map.of(), GuestScenarios.CALL_START, GuestScenarios.CALL_END,
        StepStatus.OK, null, facts, List.of(), List.of(), List.of(), List.of());
  }

  public static GuestRun changed(String id, GuestRun.Change... changes) {
    return new GuestRun(id, "c".repeat(64), Map.of(), GuestScenarios.CALL_START, GuestScenarios.CALL_END,
        StepStatus.CHANGED, null, null, List.of(), List.of(changes), List.of("C:\\ProgramData\\azrdpfix\\backup\\x"),
        List.of());
  }

  public static GuestRun noop(String id) {
    return new GuestRun(id, "e".repeat(64), Map.of(), GuestScenarios.CALL_START, GuestScenarios.CALL_END,
        StepStatus.NOOP, null, null, List.of(), List.of(), List.of(), List.of());
  }

  /** A failed script; {@code changes} were made before the failure. */
  public static GuestRun failed(String id, String error, GuestRun.Change... changes) {
    return new GuestRun(id, "f".repeat(64), Map.of(), GuestScenarios.CALL_START, GuestScenarios.CALL_END,
        StepStatus.FAILED, error, null, List.of(), List.of(changes), List.of(), List.of());
  }

  @Override
  public synchronized GuestRun diagnose(VmRef vm) {
    calls.add("diagnose");
    if (diagnoses.isEmpty()) {
      throw new AssertionError("an unexpected diagnosis");
    }
    return diagnoses.poll();
  }

  @Override
  public GuestRun apply(VmRef vm, RunId runId, List<PlannedStep> steps) {
    calls.add("apply " + runId + " " + ids(steps));
    return applied;
  }

  /** What list-runs answers (default: one complete run, RUN_ID, with one change). */
  public VmRuns runs = new VmRuns(List.of(new VmRuns.Run(new RunId("20261123T050000Z-k3x9q2"),
      GuestScenarios.CALL_START, VmRuns.State.COMPLETE, 1, List.of("reset-machinekeys-acl acl"), null, 0)), 0,
      GuestScenarios.CALL_END);

  public FakeGuest runs(VmRuns.Run... list) {
    this.runs = new VmRuns(List.of(list), 0, GuestScenarios.CALL_END);
    return this;
  }

  /** What break-lock answers (default: the lock removed). */
  public GuestRun lockBroken = changed("break-lock", new GuestRun.Change("run.lock", "run x", "removed"));

  @Override
  public GuestRun breakLock(VmRef vm, RunId runId, RunId lockRunId) {
    calls.add("break-lock " + lockRunId);
    return lockBroken;
  }

  @Override
  public RunListing listRuns(VmRef vm) {
    calls.add("list-runs");
    return new RunListing(new GuestRun("list-runs", "l".repeat(64), Map.of(), GuestScenarios.CALL_START,
        GuestScenarios.CALL_END, StepStatus.OK, null, null, List.of(), List.of(), List.of(), List.of()), runs);
  }

  @Override
  public GuestRun rollback(VmRef vm, RunId runId, boolean force) {
    calls.add("rollback " + runId + (force ? " force" : ""));
    return rolledBack;
  }

  @Override
  public Preview previewApply(RunId runId, List<PlannedStep> steps) {
    return new Preview("bundle", "# bundle " + ids(steps), Map.of("RunId", runId.value()), "b".repeat(64));
  }

  @Override
  public Preview previewRollback(RunId runId, boolean force) {
    return new Preview("rollback", "# rollback", Map.of("RunId", runId.value()), "r".repeat(64));
  }

  private static String ids(List<PlannedStep> steps) {
    return String.join(",", steps.stream().map(PlannedStep::templateId).toList());
  }
}
