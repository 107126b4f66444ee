package dev.azrdpfix.core.guest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One script sent to the guest through Run Command and what it reported: which template (or bundle), the SHA-256 of
 * the exact script text sent, its parameters, when it ran, and the parsed result line. A missing or broken result line
 * is {@link StepStatus#FAILED}, never a success.
 */
public record GuestRun(
    String templateId,
    String sha256,
    Map<String, String> parameters,
    Instant started,
    Instant ended,
    StepStatus status,
    String error,
    GuestFacts facts,
    List<String> scriptFindings,
    List<Change> changes,
    List<String> backups,
    List<GuestRun> steps) {

  /** One change a script made, as it reported it. */
  public record Change(String what, String before, String after) {}

  public boolean failed() {
    return status == StepStatus.FAILED;
  }

  /** True when this run, or one of its steps, changed something on the VM. */
  public boolean changedSomething() {
    return status == StepStatus.CHANGED || !changes.isEmpty() || steps.stream().anyMatch(GuestRun::changedSomething);
  }

  /** Every change of this run and its steps, in order. */
  public List<Change> allChanges() {
    List<Change> all = new java.util.ArrayList<>(changes);
    steps.forEach(s -> all.addAll(s.allChanges()));
    return all;
  }

  /** Every backup path of this run and its steps, in order, without repeats. */
  public List<String> allBackups() {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(backups);
    steps.forEach(s -> all.addAll(s.allBackups()));
    return List.copyOf(all);
  }
}
