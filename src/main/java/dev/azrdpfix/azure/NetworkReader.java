package dev.azrdpfix.azure;

import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceInner;
import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceIpConfigurationInner;
import com.azure.resourcemanager.network.fluent.models.NetworkSecurityGroupInner;
import com.azure.resourcemanager.network.fluent.models.PublicIpAddressInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Reads what decides whether RDP can reach a VM's NICs, in waves of parallel GETs (the VM itself is wave 1, read by
 * the gateway): wave 2, the NICs and the NSGs of each NIC's resource group (which name the subnets they guard); wave 3,
 * the public IPs, the NIC NSGs that were not listed and the subnets whose NSG is not known from the lists; wave 4, only
 * when a subnet's NSG lives outside the NIC's resource group, that NSG. SDK types in, SDK types out: mapping them to
 * core's model is {@link SnapshotMapper}'s job.
 */
final class NetworkReader {
  /** The network around a VM's NICs, keyed by lower-case resource ID. */
  record Network(
      Map<String, NetworkInterfaceInner> nics,
      Map<String, PublicIpAddressInner> publicIps,
      Map<String, NetworkSecurityGroupInner> nsgs,
      Map<String, String> subnetNsgIds) {

    NetworkInterfaceInner nic(String id) {
      return nics.get(id);
    }

    PublicIpAddressInner publicIp(String id) {
      return publicIps.get(id.toLowerCase(Locale.ROOT));
    }

    NetworkSecurityGroupInner nsg(String id) {
      return nsgs.get(id.toLowerCase(Locale.ROOT));
    }

    /** The ID of the NSG guarding this subnet, or null when none does. */
    String subnetNsgId(String subnetId) {
      return subnetNsgIds.get(subnetId.toLowerCase(Locale.ROOT));
    }
  }

  private final NetworkManager network;
  private final ExecutorService pool;
  private final String endpoint;

  NetworkReader(NetworkManager network, ExecutorService pool, String endpoint) {
    this.network = network;
    this.pool = pool;
    this.endpoint = endpoint;
  }

  /** Reads the network of the NICs with these IDs (as the VM names them); failures map to one-line errors. */
  Network read(List<String> nicIds) {
    // Wave 2: the NICs, and the NSGs of each NIC's resource group in parallel.
    Map<String, CompletableFuture<NetworkInterfaceInner>> nics = new LinkedHashMap<>();
    for (String id : nicIds) {
      nics.put(id, async(() -> network.serviceClient().getNetworkInterfaces()
          .getByResourceGroup(ResourceIds.segment(id, "resourceGroups"), ResourceIds.last(id))));
    }
    Map<String, CompletableFuture<List<NetworkSecurityGroupInner>>> nsgLists = new LinkedHashMap<>();
    for (String id : nicIds) {
      String rg = ResourceIds.segment(id, "resourceGroups").toLowerCase(Locale.ROOT);
      nsgLists.computeIfAbsent(rg, k -> async(() -> listNsgsOrEmpty(k)));
    }
    Map<String, NetworkInterfaceInner> nicModels = new LinkedHashMap<>();
    for (var e : nics.entrySet()) {
      nicModels.put(e.getKey(), join(e.getValue(), "reading network interface '" + ResourceIds.last(e.getKey())
          + "'"));
    }
    Map<String, NetworkSecurityGroupInner> knownNsgs = new LinkedHashMap<>();
    for (var f : nsgLists.values()) {
      for (NetworkSecurityGroupInner n : join(f, "listing network security groups")) {
        knownNsgs.put(n.id().toLowerCase(Locale.ROOT), n);
      }
    }
    // Wave 3: public IPs, NIC NSGs not listed, subnets whose NSG is not known from the lists.
    Map<String, CompletableFuture<PublicIpAddressInner>> pips = new LinkedHashMap<>();
    Map<String, String> pipIds = new LinkedHashMap<>();
    Map<String, CompletableFuture<NetworkSecurityGroupInner>> nsgGets = new LinkedHashMap<>();
    Map<String, CompletableFuture<SubnetInner>> subnets = new LinkedHashMap<>();
    Map<String, String> subnetNsgIds = new LinkedHashMap<>();
    for (NetworkInterfaceInner nic : nicModels.values()) {
      NetworkInterfaceIpConfigurationInner ip = primaryIpConfig(nic);
      if (ip != null && ip.publicIpAddress() != null && ip.publicIpAddress().id() != null) {
        String pid = ip.publicIpAddress().id();
        pipIds.putIfAbsent(pid.toLowerCase(Locale.ROOT), pid);
        pips.computeIfAbsent(pid.toLowerCase(Locale.ROOT), k -> async(() -> network.serviceClient()
            .getPublicIpAddresses().getByResourceGroup(ResourceIds.segment(pid, "resourceGroups"),
                ResourceIds.last(pid))));
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
          subnets.computeIfAbsent(sid, k -> async(() -> network.serviceClient().getSubnets().get(
              ResourceIds.segment(subnetId, "resourceGroups"), ResourceIds.segment(subnetId, "virtualNetworks"),
              ResourceIds.last(subnetId))));
        }
      }
    }
    for (var e : subnets.entrySet()) {
      SubnetInner s = join(e.getValue(), "reading subnet '" + ResourceIds.last(e.getKey()) + "'");
      subnetNsgIds.put(e.getKey(), s.networkSecurityGroup() == null ? null : s.networkSecurityGroup().id());
    }
    // Wave 4, only when a subnet's NSG lives outside the NIC's resource group.
    for (String nsgId : subnetNsgIds.values()) {
      if (nsgId != null) {
        requestNsg(nsgId, knownNsgs, nsgGets);
      }
    }
    for (var e : nsgGets.entrySet()) {
      knownNsgs.put(e.getKey(), join(e.getValue(), "reading network security group '" + ResourceIds.last(e.getKey())
          + "'"));
    }
    Map<String, PublicIpAddressInner> pipModels = new LinkedHashMap<>();
    for (var e : pips.entrySet()) {
      pipModels.put(e.getKey(), join(e.getValue(), "reading public IP '" + ResourceIds.last(pipIds.get(e.getKey()))
          + "'"));
    }
    return new Network(nicModels, pipModels, knownNsgs, subnetNsgIds);
  }

  /** The IP configuration that carries the NIC's public IP and subnet: the primary one, else the first. */
  static NetworkInterfaceIpConfigurationInner primaryIpConfig(NetworkInterfaceInner nic) {
    if (nic == null || nic.ipConfigurations() == null || nic.ipConfigurations().isEmpty()) {
      return null;
    }
    return nic.ipConfigurations().stream().filter(c -> Boolean.TRUE.equals(c.primary())).findFirst()
        .orElse(nic.ipConfigurations().get(0));
  }

  private List<NetworkSecurityGroupInner> listNsgsOrEmpty(String rg) {
    try {
      List<NetworkSecurityGroupInner> out = new ArrayList<>();
      network.serviceClient().getNetworkSecurityGroups().listByResourceGroup(rg).forEach(out::add);
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
      gets.computeIfAbsent(key, k -> async(() -> network.serviceClient().getNetworkSecurityGroups()
          .getByResourceGroup(ResourceIds.segment(id, "resourceGroups"), ResourceIds.last(id))));
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
}
