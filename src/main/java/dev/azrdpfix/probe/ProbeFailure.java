package dev.azrdpfix.probe;

import dev.azrdpfix.core.probe.ProbeVerdict;

/** Ends a probe attempt at the current stage with a verdict and a one-line reason (control flow, no stack trace). */
final class ProbeFailure extends Exception {
  private final ProbeVerdict verdict;

  ProbeFailure(ProbeVerdict verdict, String reason) {
    super(reason, null, false, false);
    this.verdict = verdict;
  }

  ProbeVerdict verdict() {
    return verdict;
  }
}
