package dev.azrdpfix.core.model;

import java.util.Objects;

/**
 * One observation about the VM: its stable {@link FindingId} (automation matches on {@link FindingId#id()}), the
 * evidence that triggered it and the next step a person should take.
 */
public record Finding(FindingId id, Severity severity, String summary, String evidence, String nextStep) {
  public Finding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(severity, "severity");
  }

  public boolean blocksRdp() {
    return severity == Severity.CRITICAL;
  }
}
