package dev.azrdpfix.core.model;

import java.util.Objects;

/**
 * One observation about the VM, with a stable kebab-case {@code id} that automation may match on, the evidence that
 * triggered it and the next step a person should take.
 */
public record Finding(String id, Severity severity, String summary, String evidence, String nextStep) {
  public Finding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(severity, "severity");
    if (!id.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
      throw new IllegalArgumentException("finding id must be kebab-case: " + id);
    }
  }

  public boolean blocksRdp() {
    return severity == Severity.CRITICAL;
  }
}
