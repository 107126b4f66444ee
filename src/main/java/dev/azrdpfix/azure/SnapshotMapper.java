package dev.azrdpfix.azure;

import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInstanceViewInner;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.network.fluent.models.ApplicationSecurityGroupInner;
import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceInner;
import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceIpConfigurationInner;
import com.azure.resourcemanager.network.fluent.models.NetworkSecurityGroupInner;
import com.azure.resourcemanager.network.fluent.models.PublicIpAddressInner;
import com.azure.resourcemanager.network.fluent.models.SecurityRuleInner;
import dev.azrdpfix.core.model.NsgInfo;
import dev.azrdpfix.core.model.NsgInfo.NsgRule;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.model.VmSnapshot.AgentStatus;
import dev.azrdpfix.core.model.VmSnapshot.NicInfo;
import dev.azrdpfix.core.model.VmSnapshot.PublicIpInfo;
import dev.azrdpfix.core.port.AzureGateway.VmState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** Maps the SDK's VM and network models to core's {@link VmSnapshot}: no requests, no SDK types leave here. */
final class SnapshotMapper {
  private SnapshotMapper() {}

  /** A NIC the VM names, and whether it is the primary one (a single NIC always is). */
  record NicRef(String id, boolean primary) {}

  /** The NICs the VM names, in its order. */
  static List<NicRef> nicRefs(VirtualMachineInner vm) {
    List<NicRef> out = new ArrayList<>();
    if (vm.networkProfile() != null && vm.networkProfile().networkInterfaces() != null) {
      List<NetworkInterfaceReference> refs = vm.networkProfile().networkInterfaces();
      for (NetworkInterfaceReference ref : refs) {
        out.add(new NicRef(ref.id(), refs.size() == 1 || Boolean.TRUE.equals(ref.primary())));
      }
    }
    return out;
  }

  static VmSnapshot snapshot(VirtualMachineInner vm, String subscriptionId, List<NicRef> nicRefs,
      NetworkReader.Network network) {
    List<NicInfo> nics = new ArrayList<>();
    for (NicRef ref : nicRefs) {
      nics.add(nic(network.nic(ref.id()), ref.primary(), network));
    }
    VirtualMachineInstanceViewInner iv = vm.instanceView();
    String os = null;
    if (vm.storageProfile() != null && vm.storageProfile().osDisk() != null
        && vm.storageProfile().osDisk().osType() != null) {
      os = vm.storageProfile().osDisk().osType().toString();
    } else if (vm.osProfile() != null) {
      os = vm.osProfile().windowsConfiguration() != null ? "Windows"
          : vm.osProfile().linuxConfiguration() != null ? "Linux" : null;
    }
    VmState state = stateOf(iv);
    Boolean bootDiag = vm.diagnosticsProfile() == null || vm.diagnosticsProfile().bootDiagnostics() == null
        ? null : vm.diagnosticsProfile().bootDiagnostics().enabled();
    String agentVersion = iv == null || iv.vmAgent() == null ? null : iv.vmAgent().vmAgentVersion();
    return new VmSnapshot(vm.id(), subscriptionId, ResourceIds.segment(vm.id(), "resourceGroups"), vm.name(),
        vm.location(), os, iv == null ? null : iv.osName(), iv == null ? null : iv.osVersion(),
        iv == null ? null : iv.computerName(),
        vm.hardwareProfile() == null || vm.hardwareProfile().vmSize() == null ? null
            : vm.hardwareProfile().vmSize().toString(),
        state.powerState(), vm.provisioningState(),
        new AgentStatus(state.agentStatus(), agentVersion, state.agentMessage()), bootDiag, nics);
  }

  private static NicInfo nic(NetworkInterfaceInner nic, boolean primary, NetworkReader.Network network) {
    NetworkInterfaceIpConfigurationInner ip = NetworkReader.primaryIpConfig(nic);
    PublicIpInfo pip = null;
    if (ip != null && ip.publicIpAddress() != null && ip.publicIpAddress().id() != null) {
      PublicIpAddressInner p = network.publicIp(ip.publicIpAddress().id());
      pip = new PublicIpInfo(p.id(), p.name(), p.ipAddress(),
          p.dnsSettings() == null ? null : p.dnsSettings().fqdn(),
          p.sku() == null || p.sku().name() == null ? "Basic" : p.sku().name().toString());
    }
    String subnetId = ip == null || ip.subnet() == null ? null : ip.subnet().id();
    String subnetNsgId = subnetId == null ? null : network.subnetNsgId(subnetId);
    NsgInfo nicNsg = nic.networkSecurityGroup() == null ? null
        : toNsg(network.nsg(nic.networkSecurityGroup().id()));
    NsgInfo subnetNsg = subnetNsgId == null ? null : toNsg(network.nsg(subnetNsgId));
    List<String> privateIps = new ArrayList<>();
    Set<String> asgs = new LinkedHashSet<>();
    if (nic.ipConfigurations() != null) {
      for (NetworkInterfaceIpConfigurationInner c : nic.ipConfigurations()) {
        if (c.privateIpAddress() != null) {
          privateIps.add(c.privateIpAddress());
        }
        if (c.applicationSecurityGroups() != null) {
          for (ApplicationSecurityGroupInner a : c.applicationSecurityGroups()) {
            asgs.add(a.id());
          }
        }
      }
    }
    return new NicInfo(nic.id(), nic.name(), primary, privateIps, List.copyOf(asgs), subnetId, pip, nicNsg,
        subnetNsg);
  }

  static NsgInfo toNsg(NetworkSecurityGroupInner n) {
    if (n == null) {
      return null;
    }
    List<NsgRule> rules = new ArrayList<>();
    if (n.securityRules() != null) {
      n.securityRules().forEach(r -> rules.add(toRule(r, false)));
    }
    if (n.defaultSecurityRules() != null) {
      n.defaultSecurityRules().forEach(r -> rules.add(toRule(r, true)));
    }
    return new NsgInfo(n.id(), n.name(), rules);
  }

  private static NsgRule toRule(SecurityRuleInner r, boolean isDefault) {
    return new NsgRule(r.name(), r.priority() == null ? 65535 : r.priority(),
        r.direction() == null ? "Inbound" : r.direction().toString(),
        r.access() == null ? "Deny" : r.access().toString(),
        r.protocol() == null ? "*" : r.protocol().toString(),
        merge(r.sourceAddressPrefix(), r.sourceAddressPrefixes()),
        asgIds(r.sourceApplicationSecurityGroups()),
        merge(r.destinationAddressPrefix(), r.destinationAddressPrefixes()),
        asgIds(r.destinationApplicationSecurityGroups()),
        merge(r.destinationPortRange(), r.destinationPortRanges()),
        isDefault);
  }

  private static List<String> merge(String one, List<String> many) {
    List<String> out = new ArrayList<>();
    if (one != null && !one.isBlank()) {
      out.add(one);
    }
    if (many != null) {
      many.stream().filter(Objects::nonNull).forEach(out::add);
    }
    return out;
  }

  private static List<String> asgIds(List<ApplicationSecurityGroupInner> asgs) {
    return asgs == null ? List.of() : asgs.stream().map(ApplicationSecurityGroupInner::id).toList();
  }

  /** Power state, agent status and its message from an instance view (either may be missing in transitions). */
  static VmState stateOf(VirtualMachineInstanceViewInner iv) {
    String power = "unknown";
    if (iv != null && iv.statuses() != null) {
      for (InstanceViewStatus s : iv.statuses()) {
        if (s.code() != null && s.code().toLowerCase(Locale.ROOT).startsWith("powerstate/")) {
          power = s.code().substring("PowerState/".length());
        }
      }
    }
    String agent = "Unknown";
    String message = null;
    if (iv != null && iv.vmAgent() != null && iv.vmAgent().statuses() != null
        && !iv.vmAgent().statuses().isEmpty()) {
      InstanceViewStatus s = iv.vmAgent().statuses().get(0);
      agent = s.displayStatus() == null ? "Unknown" : s.displayStatus();
      message = s.message();
    }
    return new VmState(power, agent, message);
  }
}
