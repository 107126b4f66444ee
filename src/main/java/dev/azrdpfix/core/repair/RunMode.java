package dev.azrdpfix.core.repair;

import java.util.Locale;

/** What a run does to the VM: repair or roll back, for real or as a dry run. Its {@link #id()} is in every report. */
public enum RunMode {
  REPAIR, DRY_RUN, ROLLBACK, ROLLBACK_DRY_RUN;

  public static RunMode repair(boolean dryRun) {
    return dryRun ? DRY_RUN : REPAIR;
  }

  public static RunMode rollback(boolean dryRun) {
    return dryRun ? ROLLBACK_DRY_RUN : ROLLBACK;
  }

  /** repair, dry-run, rollback or rollback-dry-run. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public boolean dryRun() {
    return this == DRY_RUN || this == ROLLBACK_DRY_RUN;
  }

  /** The mode with this id, or null. */
  public static RunMode fromId(String id) {
    for (RunMode m : values()) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    return null;
  }
}
