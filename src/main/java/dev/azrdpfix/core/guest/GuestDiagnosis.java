package dev.azrdpfix.core.guest;

import dev.azrdpfix.core.model.Finding;
import java.util.List;

/**
 * The verdict on one guest: findings (CRITICAL ones block RDP), the repair plan in execution order, and steps the
 * diagnosis wanted but the options do not allow, each as a one-line reason naming the flag.
 */
public record GuestDiagnosis(List<Finding> findings, List<PlannedStep> plan, List<String> blockedSteps) {
  public GuestDiagnosis {
    findings = List.copyOf(findings);
    plan = List.copyOf(plan);
    blockedSteps = List.copyOf(blockedSteps);
  }

  public boolean blocksRdp() {
    return findings.stream().anyMatch(Finding::blocksRdp);
  }

  public boolean requiresReboot() {
    return plan.stream().anyMatch(PlannedStep::requiresReboot);
  }

  public boolean requiresReapply() {
    return plan.stream().anyMatch(PlannedStep::requiresReapply);
  }

  public List<String> planIds() {
    return plan.stream().map(PlannedStep::templateId).toList();
  }
}
