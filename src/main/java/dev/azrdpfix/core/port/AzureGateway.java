package dev.azrdpfix.core.port;

import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the workflows ask of Azure. Implemented over the real Azure SDK in {@code azure}; failures arrive as
 * {@link dev.azrdpfix.core.AzrdpfixException} with a one-line message and an exit code.
 */
public interface AzureGateway {

  /** The subscription this gateway works in. */
  String subscriptionId();

  /** VMs named {@code name} in the subscription (one list call). Empty when none. */
  List<VmRef> findVmsByName(String name);

  /** Model, instance view and network (NICs, public IPs, NSGs on NIC and subnet), with as few calls as possible. */
  VmSnapshot inspect(VmRef vm);

  /** Power state and agent status only (one instance-view call). */
  VmState state(VmRef vm);

  /** Runs a PowerShell script through Run Command and waits for it, up to {@code timeout}. */
  RunOutput runPowerShell(VmRef vm, List<String> scriptLines, Map<String, String> parameters, Duration timeout);

  /** Restarts the VM through Azure and waits for the operation. */
  void restart(VmRef vm, Duration timeout);

  /** Starts a stopped or deallocated VM and waits for the operation. */
  void start(VmRef vm, Duration timeout);

  /** Reapplies the VM model so the guest agent gets a new goal state. */
  void reapply(VmRef vm, Duration timeout);

  /** Power state (suffix of PowerState/...) and agent display status. */
  record VmState(String powerState, String agentStatus, String agentMessage) {
    public boolean running() {
      return "running".equalsIgnoreCase(powerState);
    }

    public boolean agentReady() {
      return "Ready".equalsIgnoreCase(agentStatus);
    }
  }

  /** What Run Command returned; it has no exit code. */
  record RunOutput(String stdout, String stderr, Instant started, Instant ended) {}
}
