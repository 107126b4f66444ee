package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.guest.RepairSteps;
import dev.azrdpfix.core.model.VmRef;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the user asked {@code repair} to do, in groups: the VM, which steps, the consents for risky steps and for
 * starting the VM, how to probe, how long to wait for the VM, whether this is a dry run, and when to restart the VM
 * through Azure ({@link RestartPolicy}). Every combination is checked here, once, before any Azure call: an invalid
 * request cannot be built.
 */
public record RepairRequest(
    VmRef vm, StepSelection steps, Consents consents, ProbeSettings probe, VmWaits waits, boolean dryRun,
    RestartPolicy restart) {

  public RepairRequest {
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(steps, "steps");
    Objects.requireNonNull(consents, "consents");
    Objects.requireNonNull(probe, "probe");
    Objects.requireNonNull(waits, "waits");
    Objects.requireNonNull(restart, "restart");
    if (steps.includes(RepairSteps.DISABLE_NLA) && !consents.allowDisableNla()) {
      throw AzrdpfixException.usage("--steps disable-nla turns off Network Level Authentication (a security"
          + " downgrade): add --allow-disable-nla to confirm you want it.");
    }
    if (steps.includes(RepairSteps.RENAME_MACHINEKEYS) && !consents.allowMachineKeysRename()) {
      throw AzrdpfixException.usage("--steps rename-machinekeys is destructive: add --allow-machinekeys-rename.");
    }
  }

  /** A request with the default restart policy, {@link RestartPolicy#AUTO}. */
  public RepairRequest(
      VmRef vm, StepSelection steps, Consents consents, ProbeSettings probe, VmWaits waits, boolean dryRun) {
    this(vm, steps, consents, probe, waits, dryRun, RestartPolicy.AUTO);
  }

  /** What the guest analysis may plan: the consents and the step selection. */
  public RepairOptions repairOptions() {
    return new RepairOptions(consents.allowMachineKeysRename(), consents.allowDisableNla(), steps.ids());
  }

  /** Which repair steps may run: all the diagnosis asks for, or only the listed ones (still in documented order). */
  public record StepSelection(Set<String> ids) {
    public StepSelection {
      ids = Set.copyOf(ids);
    }

    /** Let the diagnosis choose. */
    public static StepSelection fromDiagnosis() {
      return new StepSelection(Set.of());
    }

    /**
     * The steps of {@code --steps}: null means "not given"; every id must be a repair step.
     *
     * @throws AzrdpfixException USAGE for an empty list or an id that is not a repair step, listing the valid ids
     */
    public static StepSelection parse(List<String> given) {
      if (given == null) {
        return fromDiagnosis();
      }
      List<String> valid = RepairSteps.ids();
      if (given.isEmpty() || given.stream().anyMatch(s -> s == null || s.isBlank())) {
        throw AzrdpfixException.usage("--steps is empty: name one or more repair steps (" + String.join(", ", valid)
            + "), or leave --steps out to let the diagnosis choose.");
      }
      Set<String> ids = new LinkedHashSet<>();
      for (String id : given) {
        String trimmed = id.trim();
        if (!valid.contains(trimmed)) {
          throw AzrdpfixException.usage("--steps '" + trimmed + "' is not a repair step: use one or more of "
              + String.join(", ", valid) + ".");
        }
        ids.add(trimmed);
      }
      return new StepSelection(ids);
    }

    public boolean includes(String id) {
      return ids.contains(id);
    }
  }

  /**
   * What the user consented to beyond the default: the MachineKeys rename (destructive escalation), disabling NLA (a
   * security downgrade), and starting a stopped VM.
   */
  public record Consents(boolean allowMachineKeysRename, boolean allowDisableNla, boolean startStoppedVm) {
    public static Consents none() {
      return new Consents(false, false, false);
    }
  }

  /**
   * How to probe RDP from outside: the private IP instead of the public one, the port (null: the guest's), the
   * per-stage timeout, and how long to keep trying after a restart.
   */
  public record ProbeSettings(boolean viaPrivateIp, Integer rdpPort, Duration stageTimeout, Duration waitAfterRestart) {
    public ProbeSettings {
      if (rdpPort != null && (rdpPort < 1 || rdpPort > 65535)) {
        throw AzrdpfixException.usage("--rdp-port " + rdpPort + " is not a TCP port: use 1-65535.");
      }
      Objects.requireNonNull(stageTimeout, "stageTimeout");
      Objects.requireNonNull(waitAfterRestart, "waitAfterRestart");
    }
  }
}
