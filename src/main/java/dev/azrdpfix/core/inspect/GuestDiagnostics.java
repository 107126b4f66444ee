package dev.azrdpfix.core.inspect;

import dev.azrdpfix.core.guest.GuestAnalyzer;
import dev.azrdpfix.core.guest.GuestDiagnosis;
import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.Severity;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.GuestChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one guest-diagnosis sequence of inspect, repair and verify: run the read-only {@code diagnose} template through
 * the {@link GuestChannel}, let the caller record the call, and analyze the facts. Whether a failed diagnosis stops
 * the run is the caller's decision.
 */
public final class GuestDiagnostics {
  /** The script finding id of a guest number out of range (template.GuestFactsMapper.OUT_OF_RANGE). */
  static final String OUT_OF_RANGE = "guest-value-out-of-range";
  private final GuestChannel guest;

  public GuestDiagnostics(GuestChannel guest) {
    this.guest = guest;
  }

  /** One diagnosis: the guest run as recorded, and the analysis when the script delivered facts (else null). */
  public record Result(GuestRun run, GuestDiagnosis diagnosis) {
    public boolean failed() {
      return diagnosis == null;
    }

    /** Why there is no analysis: the script's error. */
    public String error() {
      return run.error();
    }
  }

  /** Diagnoses without recording (inspect). */
  public Result diagnose(VmRef vm, RepairOptions options) {
    return diagnose(vm, options, Supplier::get);
  }

  /**
   * Diagnoses, passing the Run Command call through {@code recorder} (the run journal) so it is recorded like any
   * other Azure operation.
   */
  public Result diagnose(VmRef vm, RepairOptions options,
      Function<Supplier<GuestRun>, GuestRun> recorder) {
    GuestRun run = recorder.apply(() -> guest.diagnose(vm));
    if (run.failed() || run.facts() == null) {
      return new Result(run, null);
    }
    GuestDiagnosis dx = GuestAnalyzer.analyze(run.facts(), run.started(), run.ended(), options, guest.steps());
    List<Finding> findings = new ArrayList<>(dx.findings());
    for (String f : run.scriptFindings()) {
      // The guest is untrusted: a number out of its range was dropped when mapped; say so.
      if (f.startsWith(OUT_OF_RANGE + ": ")) {
        findings.add(new Finding(FindingId.GUEST_VALUE_OUT_OF_RANGE, Severity.WARNING,
            "the guest reported a value out of range: " + f.substring(OUT_OF_RANGE.length() + 2),
            "diagnose facts", "treat the guest's own report with care; the value was not used"));
      }
    }
    GuestFacts.Lock lock = run.facts().lock();
    if (lock != null) {
      // Reconcile: a run holds the VM (running now, or interrupted and never released).
      String id = lock.runId() == null ? "(unknown id)" : lock.runId();
      findings.add(new Finding(FindingId.RUN_INTERRUPTED, Severity.WARNING,
          "run " + id + " holds the VM's azrdpfix lock" + (lock.started() == null ? "" : " since " + lock.started())
              + ": it is still running, or it was interrupted",
          "C:\\ProgramData\\azrdpfix\\run.lock" + (lock.kind() == null ? "" : " (" + lock.kind() + ")"),
          "see 'azrdpfix rollback " + vm.display() + " --list'" + (lock.runId() == null ? ""
              : "; undo it with 'azrdpfix rollback " + vm.display() + " --run " + lock.runId() + "'")));
    }
    return new Result(run, new GuestDiagnosis(findings, dx.plan(), dx.blockedSteps()));
  }
}
