package dev.azrdpfix.core.repair;

import java.time.Duration;
import java.util.Objects;

/** How long a run waits for the VM: each Azure operation on it, and its coming back (running, agent Ready). */
public record VmWaits(Duration timeout) {
  public VmWaits {
    Objects.requireNonNull(timeout, "timeout");
  }
}
