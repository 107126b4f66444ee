package dev.azrdpfix.core.guest;

import java.util.Locale;

/** How a guest script (or one step of a bundle) ended, from its result line. Anything unreadable is FAILED. */
public enum StepStatus {
  OK, CHANGED, NOOP, FAILED;

  /** ok, changed, noop or failed. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status with this id; FAILED for anything else (never a success by accident). */
  public static StepStatus fromId(String id) {
    for (StepStatus s : values()) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    return FAILED;
  }
}
