package dev.azrdpfix.core.guest;

import java.util.Set;

/**
 * What the user allowed: the two explicit flags for risky steps, and an optional explicit step list (empty = let the
 * diagnosis choose).
 */
public record RepairOptions(boolean allowMachineKeysRename, boolean allowDisableNla, Set<String> onlySteps) {
  public RepairOptions {
    onlySteps = onlySteps == null ? Set.of() : Set.copyOf(onlySteps);
  }

  /** No flags, steps chosen from the diagnosis. */
  public static RepairOptions defaults() {
    return new RepairOptions(false, false, Set.of());
  }
}
