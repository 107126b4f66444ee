package dev.azrdpfix.core.guest;

import java.util.Map;

/**
 * One repair template to run, with its parameters (RunId is added by the caller), why it was chosen and what running
 * it implies.
 */
public record PlannedStep(
    String templateId,
    Map<String, String> params,
    String reason,
    boolean destructive,
    boolean requiresReboot,
    boolean requiresReapply) {
  public PlannedStep {
    params = params == null ? Map.of() : Map.copyOf(params);
  }
}
