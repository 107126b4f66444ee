package dev.azrdpfix.azure;

import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.fluent.VirtualMachinesClient;
import com.azure.resourcemanager.compute.fluent.models.RunCommandResultInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInstanceViewInner;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import com.azure.resourcemanager.compute.models.InstanceViewTypes;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.compute.models.RunCommandInput;
import com.azure.resourcemanager.compute.models.RunCommandInputParameter;
import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceInner;
import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceIpConfigurationInner;
import com.azure.resourcemanager.network.fluent.models.NetworkSecurityGroupInner;
import com.azure.resourcemanager.network.fluent.models.PublicIpAddressInner;
import com.azure.resourcemanager.network.fluent.models.SecurityRuleInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.fluent.models.ApplicationSecurityGroupInner;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.model.NsgInfo;
import dev.azrdpfix.core.model.NsgInfo.NsgRule;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.model.VmSnapshot.AgentStatus;
import dev.azrdpfix.core.model.VmSnapshot.NicInfo;
import dev.azrdpfix.core.model.VmSnapshot.PublicIpInfo;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@link AzureGateway} over the real Azure SDK. {@link #inspect} reads a single-NIC VM in three waves of parallel
 * GETs: the VM with its instance view; the NIC and the NSGs of the NIC's resource group (which name the subnets they
 * guard); then the public IP and, only when the subnet's NSG was not among them, the subnet (and, rarely, its NSG).
 */
public final class AzureVmGateway implements AzureGateway, AutoCloseable {
  private final AzureClients clients;
  private final String endpoint;
  private final Duration pollInterval;
  private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "azrdpfix-arm");
    t.setDaemon(true);
    return t;
  });

  private AzureVmGateway(AzureClients clients, String endpoint, Duration pollInterval) {
    this.clients = clients;
    this.endpoint = endpoint;
    this.pollInterval = pollInterval;
  }

  /** Authenticates (one token request, failing fast) and builds the SDK clients. */
  public static AzureVmGateway connect(AzureSettings settings, Progress progress) {
    String endpoint = settings.effectiveArmEndpoint();
    try {
      return new AzureVmGateway(AzureClients.connect(settings, progress), endpoint, settings.pollInterval());
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, "connecting to Azure", endpoint);
    }
  }

  @Override
  public String subscriptionId() {
    return clients.profile.getSubscriptionId();
  }

  /** The current identity's permissions at a VM's scope, through this gateway's SDK pipeline. */
  public dev.azrdpfix.core.port.PermissionReader permissions() {
    return new ArmPermissions(clients.compute.httpPipeline(), endpoint);
  }

  private VirtualMachinesClient vms() {
    return clients.compute.serviceClient().getVirtualMachines();
  }

  @Override
  public List<VmRef> findVmsByName(String name) {
    return call("listing VMs in subscription " + subscriptionId(), () -> {
      List<VmRef> found = new ArrayList<>();
      for (VirtualMachineInner vm : vms().list()) {
        if (vm.name().equalsIgnoreCase(name)) {
          found.add(new VmRef(subscriptionId(), segment(vm.id(), "resourceGroups"), vm.name()));
        }
      }
      return found;
    });
  }

  @Override
  public VmSnapshot inspect(VmRef vm) {
    String what = "reading VM '" + vm.display() + "'";
    VirtualMachineInner inner;
    try {
      inner = vms().getByResourceGroupWithResponse(vm.resourceGroup(), vm.name(), InstanceViewTypes.INSTANCE_VIEW,
          Context.NONE).getValue();
    } catch (RuntimeException e) {
      var mapped = AzureErrors.map(e, what, endpoint);
      var me = AzureErrors.findCause(e, com.azure.core.management.exception.ManagementException.class);
      if (me != null && me.getResponse() != null && me.getResponse().getStatusCode() == 404) {
        throw new dev.azrdpfix.core.VmNotFoundException(mapped.getMessage(), e);
      }
      throw mapped;
    }
    List<String> nicIds = new ArrayList<>();
    List<Boolean> nicPrimary = new ArrayList<>();
    if (inner.networkProfile() != null && inner.networkProfile().networkInterfaces() != null) {
      List<NetworkInterfaceReference> refs = inner.networkProfile().networkInterfaces();
      for (NetworkInterfaceReference ref : refs) {
        nicIds.add(ref.id());
        nicPrimary.add(refs.size() == 1 || Boolean.TRUE.equals(ref.primary()));
      }
    }
    // Wave 2: the NICs, and the NSGs of each NIC's resource group in parallel.
    Map<String, CompletableFuture<NetworkInterfaceInner>> nics = new LinkedHashMap<>();
    for (String id : nicIds) {
      nics.put(id, async(() -> clients.network.serviceClient().getNetworkInterfaces()
          .getByResourceGroup(segment(id, "resourceGroups"), last(id))));
    }
    Map<String, CompletableFuture<List<NetworkSecurityGroupInner>>> nsgLists = new LinkedHashMap<>();
    for (String id : nicIds) {
      String rg = segment(id, "resourceGroups").toLowerCase(Locale.ROOT);
      nsgLists.computeIfAbsent(rg, k -> async(() -> listNsgsOrEmpty(k)));
    }
    Map<String, NetworkInterfaceInner> nicModels = new LinkedHashMap<>();
    for (var e : nics.entrySet()) {
      nicModels.put(e.getKey(), join(e.getValue(), "reading network interface '" + last(e.getKey()) + "'"));
    }
    Map<String, NetworkSecurityGroupInner> knownNsgs = new LinkedHashMap<>();
    for (var f : nsgLists.values()) {
      for (NetworkSecurityGroupInner n : join(f, "listing network security groups")) {
        knownNsgs.put(n.id().toLowerCase(Locale.ROOT), n);
      }
    }
    // Wave 3: public IPs, NIC NSGs not listed, subnets whose NSG is not known from the lists.
    Map<String, CompletableFuture<PublicIpAddressInner>> pips = new LinkedHashMap<>();
    Map<String, CompletableFuture<NetworkSecurityGroupInner>> nsgGets = new LinkedHashMap<>();
    Map<String, CompletableFuture<SubnetInner>> subnets = new LinkedHashMap<>();
    Map<String, String> subnetNsgIds = new LinkedHashMap<>();
    for (NetworkInterfaceInner nic : nicModels.values()) {
      NetworkInterfaceIpConfigurationInner ip = primaryIpConfig(nic);
      if (ip != null && ip.publicIpAddress() != null && ip.publicIpAddress().id() != null) {
        String pid = ip.publicIpAddress().id();
        pips.computeIfAbsent(pid.toLowerCase(Locale.ROOT), k -> async(() -> clients.network.serviceClient()
            .getPublicIpAddresses().getByResourceGroup(segment(pid, "resourceGroups"), last(pid))));
      }
      if (nic.networkSecurityGroup() != null) {
        requestNsg(nic.networkSecurityGroup().id(), knownNsgs, nsgGets);
      }
      if (ip != null && ip.subnet() != null && ip.subnet().id() != null) {
        String sid = ip.subnet().id().toLowerCase(Locale.ROOT);
        String listed = nsgGuardingSubnet(sid, knownNsgs.values());
        if (listed != null) {
          subnetNsgIds.put(sid, listed);
        } else {
          String subnetId = ip.subnet().id();
          subnets.computeIfAbsent(sid, k -> async(() -> clients.network.serviceClient().getSubnets().get(
              segment(subnetId, "resourceGroups"), segment(subnetId, "virtualNetworks"), last(subnetId))));
        }
      }
    }
    for (var e : subnets.entrySet()) {
      SubnetInner s = join(e.getValue(), "reading subnet '" + last(e.getKey()) + "'");
      subnetNsgIds.put(e.getKey(), s.networkSecurityGroup() == null ? null : s.networkSecurityGroup().id());
    }
    // Wave 4, only when a subnet's NSG lives outside the NIC's resource group.
    for (String nsgId : subnetNsgIds.values()) {
      if (nsgId != null) {
        requestNsg(nsgId, knownNsgs, nsgGets);
      }
    }
    for (var e : nsgGets.entrySet()) {
      knownNsgs.put(e.getKey(), join(e.getValue(), "reading network security group '" + last(e.getKey()) + "'"));
    }
    List<NicInfo> nicInfos = new ArrayList<>();
    for (int i = 0; i < nicIds.size(); i++) {
      NetworkInterfaceInner nic = nicModels.get(nicIds.get(i));
      NetworkInterfaceIpConfigurationInner ip = primaryIpConfig(nic);
      PublicIpInfo pip = null;
      if (ip != null && ip.publicIpAddress() != null && ip.publicIpAddress().id() != null) {
        PublicIpAddressInner p = join(pips.get(ip.publicIpAddress().id().toLowerCase(Locale.ROOT)),
            "reading public IP '" + last(ip.publicIpAddress().id()) + "'");
        pip = new PublicIpInfo(p.id(), p.name(), p.ipAddress(),
            p.dnsSettings() == null ? null : p.dnsSettings().fqdn(),
            p.sku() == null || p.sku().name() == null ? "Basic" : p.sku().name().toString());
      }
      String subnetId = ip == null || ip.subnet() == null ? null : ip.subnet().id();
      String subnetNsgId = subnetId == null ? null : subnetNsgIds.get(subnetId.toLowerCase(Locale.ROOT));
      NsgInfo nicNsg = nic.networkSecurityGroup() == null ? null
          : toNsg(knownNsgs.get(nic.networkSecurityGroup().id().toLowerCase(Locale.ROOT)));
      NsgInfo subnetNsg = subnetNsgId == null ? null : toNsg(knownNsgs.get(subnetNsgId.toLowerCase(Locale.ROOT)));
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
      nicInfos.add(new NicInfo(nic.id(), nic.name(), nicPrimary.get(i), privateIps, List.copyOf(asgs), subnetId,
          pip, nicNsg, subnetNsg));
    }
    return toSnapshot(inner, vm, nicInfos);
  }

  private List<NetworkSecurityGroupInner> listNsgsOrEmpty(String rg) {
    try {
      List<NetworkSecurityGroupInner> out = new ArrayList<>();
      clients.network.serviceClient().getNetworkSecurityGroups().listByResourceGroup(rg).forEach(out::add);
      return out;
    } catch (RuntimeException e) {
      // Without list permission on the group, fall back to reading each NSG by ID.
      return List.of();
    }
  }

  private void requestNsg(String id, Map<String, NetworkSecurityGroupInner> known,
      Map<String, CompletableFuture<NetworkSecurityGroupInner>> gets) {
    String key = id.toLowerCase(Locale.ROOT);
    if (!known.containsKey(key)) {
      gets.computeIfAbsent(key, k -> async(() -> clients.network.serviceClient().getNetworkSecurityGroups()
          .getByResourceGroup(segment(id, "resourceGroups"), last(id))));
    }
  }

  private static String nsgGuardingSubnet(String subnetId, Iterable<NetworkSecurityGroupInner> nsgs) {
    for (NetworkSecurityGroupInner n : nsgs) {
      if (n.subnets() != null) {
        for (SubnetInner s : n.subnets()) {
          if (s.id() != null && s.id().equalsIgnoreCase(subnetId)) {
            return n.id();
          }
        }
      }
    }
    return null;
  }

  private static NetworkInterfaceIpConfigurationInner primaryIpConfig(NetworkInterfaceInner nic) {
    if (nic == null || nic.ipConfigurations() == null || nic.ipConfigurations().isEmpty()) {
      return null;
    }
    return nic.ipConfigurations().stream().filter(c -> Boolean.TRUE.equals(c.primary())).findFirst()
        .orElse(nic.ipConfigurations().get(0));
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

  private VmSnapshot toSnapshot(VirtualMachineInner vm, VmRef ref, List<NicInfo> nics) {
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
    return new VmSnapshot(vm.id(), subscriptionId(), segment(vm.id(), "resourceGroups"), vm.name(), vm.location(),
        os, iv == null ? null : iv.osName(), iv == null ? null : iv.osVersion(),
        iv == null ? null : iv.computerName(),
        vm.hardwareProfile() == null || vm.hardwareProfile().vmSize() == null ? null
            : vm.hardwareProfile().vmSize().toString(),
        state.powerState(), vm.provisioningState(),
        new AgentStatus(state.agentStatus(), agentVersion, state.agentMessage()), bootDiag, nics);
  }

  private static VmState stateOf(VirtualMachineInstanceViewInner iv) {
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

  @Override
  public VmState state(VmRef vm) {
    return call("reading the state of VM '" + vm.display() + "'",
        () -> stateOf(vms().instanceView(vm.resourceGroup(), vm.name())));
  }

  @Override
  public RunOutput runPowerShell(VmRef vm, List<String> lines, Map<String, String> parameters, Duration timeout) {
    Instant started = Instant.now();
    RunCommandResultInner result = call("running a script on VM '" + vm.display() + "' through Run Command", () -> {
      List<RunCommandInputParameter> params = new ArrayList<>();
      parameters.forEach((k, v) -> params.add(new RunCommandInputParameter().withName(k).withValue(v)));
      RunCommandInput input = new RunCommandInput().withCommandId("RunPowerShellScript").withScript(lines)
          .withParameters(params);
      SyncPoller<?, RunCommandResultInner> poller =
          vms().beginRunCommand(vm.resourceGroup(), vm.name(), input).setPollInterval(pollInterval);
      poller.waitForCompletion(timeout);
      return poller.getFinalResult();
    });
    String stdout = "";
    String stderr = "";
    if (result != null && result.value() != null) {
      for (InstanceViewStatus s : result.value()) {
        String code = s.code() == null ? "" : s.code();
        if (code.contains("StdOut")) {
          stdout = s.message() == null ? "" : s.message();
        } else if (code.contains("StdErr")) {
          stderr = s.message() == null ? "" : s.message();
        }
      }
    }
    return new RunOutput(stdout, stderr, started, Instant.now());
  }

  @Override
  public void restart(VmRef vm, Duration timeout) {
    call("restarting VM '" + vm.display() + "'", () -> {
      vms().beginRestart(vm.resourceGroup(), vm.name()).setPollInterval(pollInterval).waitForCompletion(timeout);
      return null;
    });
  }

  @Override
  public void start(VmRef vm, Duration timeout) {
    call("starting VM '" + vm.display() + "'", () -> {
      vms().beginStart(vm.resourceGroup(), vm.name()).setPollInterval(pollInterval).waitForCompletion(timeout);
      return null;
    });
  }

  @Override
  public void reapply(VmRef vm, Duration timeout) {
    call("reapplying VM '" + vm.display() + "'", () -> {
      vms().beginReapply(vm.resourceGroup(), vm.name()).setPollInterval(pollInterval).waitForCompletion(timeout);
      return null;
    });
  }

  private <T> CompletableFuture<T> async(Supplier<T> s) {
    return CompletableFuture.supplyAsync(s, pool);
  }

  private <T> T join(CompletableFuture<T> f, String doing) {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw AzureErrors.map(c instanceof RuntimeException r ? r : new RuntimeException(c), doing, endpoint);
    }
  }

  private <T> T call(String doing, Supplier<T> s) {
    try {
      return s.get();
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, doing, endpoint);
    }
  }

  static String segment(String id, String name) {
    String[] p = id.split("/");
    for (int i = 0; i < p.length - 1; i++) {
      if (p[i].equalsIgnoreCase(name)) {
        return p[i + 1];
      }
    }
    throw new AzrdpfixException(dev.azrdpfix.core.ExitCode.AZURE, "Azure returned a malformed resource ID '" + id
        + "' (no " + name + " segment). Rerun with --verbose and report it.");
  }

  static String last(String id) {
    String t = id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
    return t.substring(t.lastIndexOf('/') + 1);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
