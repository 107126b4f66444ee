package dev.azrdpfix.core.repair;

import java.util.Locale;

/** The kinds of Azure operation a run records, in the words of the report. */
public enum OperationKind {
  INSPECT, RUN_COMMAND, RESTART, REAPPLY, START, WAIT, PROBE;

  /** inspect, run-command, restart, reapply, start, wait or probe. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
