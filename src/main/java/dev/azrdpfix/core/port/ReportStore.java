package dev.azrdpfix.core.port;

import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.repair.RepairReport;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the reports of repair and rollback runs are kept on this machine, so that {@code rollback} can find the
 * latest run of a VM. Implemented over the per-user cache folder at the edge.
 */
public interface ReportStore {

  /** Keeps the report; returns where it was written. */
  Path save(RepairReport report);

  /**
   * The latest recorded repair of this VM (subscription, resource group and name known) that changed something on it,
   * if any: what rollback undoes by default.
   */
  Optional<RunId> latestChange(VmRef vm);
}
