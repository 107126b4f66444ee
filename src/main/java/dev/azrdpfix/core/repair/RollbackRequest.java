package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the user asked {@code rollback} to do: the VM, which run to undo (empty: the latest run recorded on the VM that
 * changed something and is not rolled back), how long to wait for the VM, whether this is a dry run, whether to
 * {@code force} (replay a run already rolled back, overwrite values changed since the run), how to probe RDP
 * after the restart, and whether to clear a lock older than Run Command's 90-minute limit ({@code --break-lock}).
 */
public record RollbackRequest(VmRef vm, Optional<RunId> run, VmWaits waits, boolean dryRun, boolean force,
    RepairRequest.ProbeSettings probe, boolean breakLock) {
  /** The probe after a rollback: the public IP, the guest's port, 5 s per stage, up to 3 minutes after the restart. */
  public static final RepairRequest.ProbeSettings DEFAULT_PROBE =
      new RepairRequest.ProbeSettings(false, null, Duration.ofSeconds(5), Duration.ofMinutes(3));

  public RollbackRequest {
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(waits, "waits");
    Objects.requireNonNull(probe, "probe");
  }

  public RollbackRequest(VmRef vm, Optional<RunId> run, VmWaits waits, boolean dryRun) {
    this(vm, run, waits, dryRun, false, DEFAULT_PROBE, false);
  }

  public RollbackRequest(VmRef vm, Optional<RunId> run, VmWaits waits, boolean dryRun, boolean force,
      RepairRequest.ProbeSettings probe) {
    this(vm, run, waits, dryRun, force, probe, false);
  }
}
