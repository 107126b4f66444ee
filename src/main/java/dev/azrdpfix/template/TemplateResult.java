package dev.azrdpfix.template;

import dev.azrdpfix.core.guest.GuestFacts;
import java.util.List;

/**
 * What one template run (or one bundle) reported on its marker line: status, the diagnose facts, what the script
 * noticed, what it changed, where it put backups, the error of a failed run and, for a bundle, each step's result.
 * Serialises with plain Jackson.
 */
public record TemplateResult(
    String id,
    ResultStatus status,
    GuestFacts facts,
    List<ScriptFinding> findings,
    List<Change> changes,
    List<String> backups,
    String error,
    List<TemplateResult> steps) {

  public TemplateResult {
    findings = findings == null ? List.of() : List.copyOf(findings);
    changes = changes == null ? List.of() : List.copyOf(changes);
    backups = backups == null ? List.of() : List.copyOf(backups);
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  /** Something the script itself noticed, e.g. {@code gpo-controls-value}. */
  public record ScriptFinding(String id, String msg) {}

  /** One change the script made. */
  public record Change(String what, String before, String after) {}

  /** A failed result with nothing else known. */
  public static TemplateResult failed(String id, String error) {
    return new TemplateResult(id, ResultStatus.FAILED, null, List.of(), List.of(), List.of(), error, List.of());
  }

  public boolean failed() {
    return status == ResultStatus.FAILED;
  }

  /** True when this run, or one of its steps, changed something on the VM. */
  public boolean changedSomething() {
    return !changes.isEmpty() || status == ResultStatus.CHANGED
        || steps.stream().anyMatch(TemplateResult::changedSomething);
  }
}
