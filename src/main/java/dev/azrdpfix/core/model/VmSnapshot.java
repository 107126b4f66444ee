package dev.azrdpfix.core.model;

import java.util.List;

/**
 * What Azure says about a VM, read in one pass: model, instance view, network. Values Azure did not report are null;
 * {@code powerState} is the suffix of the {@code PowerState/...} code (running, deallocated, stopped, starting...).
 */
public record VmSnapshot(
    String id,
    String subscriptionId,
    String resourceGroup,
    String name,
    String location,
    String osType,
    String osName,
    String osVersion,
    String computerName,
    String vmSize,
    String powerState,
    String provisioningState,
    AgentStatus agent,
    Boolean bootDiagnosticsEnabled,
    List<NicInfo> nics) {

  public VmRef ref() {
    return new VmRef(subscriptionId, resourceGroup, name);
  }

  public boolean isWindows() {
    return "windows".equalsIgnoreCase(osType);
  }

  public boolean isRunning() {
    return "running".equalsIgnoreCase(powerState);
  }

  public NicInfo primaryNic() {
    return nics.stream().filter(NicInfo::primary).findFirst().orElse(nics.isEmpty() ? null : nics.get(0));
  }

  /** Guest agent as reported in the instance view. */
  public record AgentStatus(String displayStatus, String version, String message) {
    public boolean ready() {
      return "Ready".equalsIgnoreCase(displayStatus);
    }
  }

  /** A NIC with the network facts that decide RDP reachability. */
  public record NicInfo(
      String id,
      String name,
      boolean primary,
      List<String> privateIps,
      List<String> applicationSecurityGroupIds,
      String subnetId,
      PublicIpInfo publicIp,
      NsgInfo nsg,
      NsgInfo subnetNsg) {}

  /** A public IP; {@code sku} is Basic or Standard (Standard is closed to inbound unless an NSG allows it). */
  public record PublicIpInfo(String id, String name, String ipAddress, String fqdn, String sku) {}
}
