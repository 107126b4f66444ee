package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The inside of one simulated Windows VM: certificates, MachineKeys, services, registry, firewall, events, clock.
 * The ARM simulator owns power state and network; it hands Run Command scripts, restarts and reapplies to this.
 */
public interface GuestRuntime {

  /**
   * Runs a script as Run Command would. Only scripts built from the shipped templates are understood (checked by
   * content); anything else fails the way an unknown script would. Output is already cut to the last 4,096 bytes.
   */
  RunOutput runPowerShell(List<String> scriptLines, Map<String, String> parameters, Instant now);

  /** An Azure restart: services start per start type, Windows tries to (re)issue the self-signed RDP certificate. */
  void restart(Instant now);

  /** An Azure reapply: the guest agent gets a new goal state and re-creates its transport certificate. */
  void reapply(Instant now);

  /** Whether the guest agent reports Ready (Run Command only works then). */
  boolean agentReady();

  /** How the RDP listener behaves in this state. */
  RdpBehaviour rdpBehaviour(Instant now);

  /** The state as JSON, for the simulator's state file. */
  JsonNode toJson();

  /** What Run Command returns: stdout and stderr messages. */
  record RunOutput(String stdout, String stderr) {}
}
