package dev.azrdpfix.core.guest;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.model.Finding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The guest verdict in one call: {@link GuestFindings} turns the facts into findings and the steps their evidence
 * asks for, {@link RepairPlanner} turns those into the plan the options allow. Steps follow the documented order,
 * least invasive first, and each is chosen only on evidence in the facts (a healthy VM gets an empty plan).
 */
public final class GuestAnalyzer {
  private GuestAnalyzer() {}

  /**
   * Analyses one diagnosis. {@code callStart}/{@code callEnd} bracket the Run Command call that produced the facts;
   * {@code steps} gives what each planned step implies (from the template manifest).
   *
   * @throws AzrdpfixException USAGE when {@code options.onlySteps()} names an unknown step
   */
  public static GuestDiagnosis analyze(
      GuestFacts facts, Instant callStart, Instant callEnd, RepairOptions options, StepProperties.Source steps) {
    Objects.requireNonNull(steps, "steps");
    RepairOptions opts = options == null ? RepairOptions.defaults() : options;
    RepairPlanner.checkSteps(opts);
    GuestFindings.Result evidence = GuestFindings.read(facts, callStart, callEnd);
    RepairPlanner.Plan plan = RepairPlanner.plan(evidence, facts, opts, steps);
    List<Finding> ordered = new ArrayList<>(evidence.findings());
    ordered.sort(Comparator.comparingInt(f -> f.severity().ordinal()));
    return new GuestDiagnosis(ordered, plan.steps(), plan.blocked());
  }
}
