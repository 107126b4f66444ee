package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.AzrdpfixException;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code repair --restart}: when the VM is restarted through Azure. {@code auto} (the default) restarts only when a
 * chosen step needs a reboot (the manifest's {@code requiresReboot}), or once as an escalation when RDP still fails
 * after a repair without one (or a service hung in a pending state); {@code always} restarts after every repair and
 * verifies inside the guest with a separate Run Command; {@code never} never restarts.
 */
public enum RestartPolicy {
  AUTO, ALWAYS, NEVER;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The policy of {@code --restart VALUE}; null means "not given" (auto).
   *
   * @throws AzrdpfixException USAGE for any other value, naming the valid ones
   */
  public static RestartPolicy parse(String value) {
    if (value == null) {
      return AUTO;
    }
    return Arrays.stream(values()).filter(p -> p.id().equals(value.trim().toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> AzrdpfixException.usage("--restart '" + value + "' is not a restart policy: use auto"
            + " (restart only when a step needs it), always or never."));
  }
}
