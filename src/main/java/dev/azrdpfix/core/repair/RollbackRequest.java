package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import java.util.Objects;
import java.util.Optional;

/**
 * What the user asked {@code rollback} to do: the VM, which run to undo (empty: the latest recorded run of that VM
 * that changed something), how long to wait for the VM, and whether this is a dry run.
 */
public record RollbackRequest(VmRef vm, Optional<RunId> run, VmWaits waits, boolean dryRun) {
  public RollbackRequest {
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(waits, "waits");
  }
}
