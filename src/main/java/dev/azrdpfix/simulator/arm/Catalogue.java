package dev.azrdpfix.simulator.arm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The fixed inventory of the simulated subscription: resource groups, VMs, NICs, NSGs, public IPs and VNets. */
public final class Catalogue {
  public static final String SUBSCRIPTION = "5ab1e000-0000-4000-8000-00000000a2d9";
  public static final String TENANT = "7e4a1d2c-0000-4000-8000-00000000a2d9";
  public static final String LOCATION = "westeurope";
  public static final int RDP_PORT = 3389;
  static final String ADMIN_NET = "198.51.100.0/24";

  /** One security rule of an NSG; {@code sourceAsg}/{@code destinationAsg} are ASG names or null. */
  public record Rule(
      String name,
      int priority,
      String direction,
      String access,
      String protocol,
      String sourcePrefix,
      String sourceAsg,
      String destinationPort,
      String destinationAsg) {}

  /** A network security group with its custom rules. */
  public record Nsg(String resourceGroup, String name, List<Rule> rules) {}

  /** A subnet; {@code nsg} is the name of its NSG (same resource group) or null. */
  public record Subnet(String name, String addressPrefix, String nsg) {}

  /** A virtual network with its subnets. */
  public record Vnet(String resourceGroup, String name, String addressPrefix, List<Subnet> subnets) {}

  /**
   * One VM. {@code fault} is the guest fault id (null for Linux); {@code publicIp}/{@code pipName} are null when the
   * VM has no public IP; {@code asg} names the application security group of its NIC or null;
   * {@code publicPathBlocked} makes the public-IP RDP path drop packets (its subnet NSG denies RDP).
   */
  public record Vm(
      String resourceGroup,
      String name,
      boolean windows,
      String fault,
      String initialPower,
      boolean agentDown,
      String privateIp,
      String publicIp,
      String pipName,
      String vnet,
      String subnet,
      String nsg,
      String asg,
      boolean publicPathBlocked) {

    public String key() {
      return Catalogue.key(resourceGroup, name);
    }

    public String nicName() {
      return name + "-nic";
    }

    public String osDiskName() {
      return name + "_OsDisk_1";
    }
  }

  private final List<Vm> vms = new ArrayList<>();
  private final Map<String, Nsg> nsgs = new LinkedHashMap<>();
  private final Map<String, Vnet> vnets = new LinkedHashMap<>();

  private Catalogue() {}

  /** The standard catalogue every simulator run serves. */
  public static Catalogue standard() {
    Catalogue c = new Catalogue();
    Rule adminRdp = rdpAllow("Allow-RDP-Admin-Net", ADMIN_NET);
    c.vnet(
        "rg-prod",
        "vnet-prod",
        "10.10.0.0/16",
        List.of(new Subnet("default", "10.10.1.0/24", null), new Subnet("locked", "10.10.2.0/24", "snet-locked-nsg")));
    c.nsg("rg-prod", "snet-locked-nsg", List.of(new Rule("Deny-RDP-Inbound", 200, "Inbound", "Deny", "Tcp", "*", null,
        "3389", null)));
    String[] faultVms = {
        "expired-cert", "machinekeys", "machinekeys-corrupt", "termservice-stopped", "rdp-disabled", "firewall",
        "tls-disabled", "clock-skew"
    };
    int[] n = {0};
    c.windows("rg-prod", "web-01", "headline", n, rdpAllow("RDP", "*"));
    c.windows("rg-prod", "healthy-01", "healthy", n, adminRdp);
    for (String fault : faultVms) {
      c.windows("rg-prod", fault + "-01", fault, n, adminRdp);
    }
    c.add(new Vm("rg-prod", "nsg-blocked-01", true, "healthy", "running", false, "10.10.2.4", pub(n[0]++),
        "nsg-blocked-01-ip", "vnet-prod", "locked", "nsg-blocked-01-nsg", null, true), adminRdp);
    c.add(new Vm("rg-prod", "agent-down-01", true, "healthy", "running", true, priv(n[0]), pub(n[0]++),
        "agent-down-01-ip", "vnet-prod", "default", "agent-down-01-nsg", null, false), adminRdp);
    c.add(new Vm("rg-prod", "deallocated-01", true, "healthy", "deallocated", false, priv(n[0]), pub(n[0]++),
        "deallocated-01-ip", "vnet-prod", "default", "deallocated-01-nsg", null, false), adminRdp);
    c.add(new Vm("rg-prod", "linux-01", false, null, "running", false, priv(n[0]), pub(n[0]++), "linux-01-ip",
        "vnet-prod", "default", "linux-01-nsg", null, false),
        new Rule("SSH", 300, "Inbound", "Allow", "Tcp", ADMIN_NET, null, "22", null));
    c.add(new Vm("rg-prod", "private-01", true, "healthy", "running", false, priv(n[0]++), null, null, "vnet-prod",
        "default", "private-01-nsg", null, false), adminRdp);
    c.add(new Vm("rg-prod", "asg-01", true, "healthy", "running", false, priv(n[0]), pub(n[0]++), "asg-01-ip",
        "vnet-prod", "default", "asg-01-nsg", "asg-rdp-hosts", false),
        new Rule("Allow-RDP-From-Admins", 300, "Inbound", "Allow", "Tcp", null, "asg-admins", "3389",
            "asg-rdp-hosts"));
    // The guest cases of issue 8, appended so that every earlier VM keeps its addresses.
    for (String fault : new String[] {"key-file-acl", "termservice-hung", "pinned-cert", "active-sessions",
        "backup-squatted", "fails-midway"}) {
      c.windows("rg-prod", fault + "-01", fault, n, adminRdp);
    }
    c.vnet("rg-blue", "vnet-blue", "10.20.0.0/16", List.of(new Subnet("default", "10.20.1.0/24", null)));
    c.vnet("rg-green", "vnet-green", "10.30.0.0/16", List.of(new Subnet("default", "10.30.1.0/24", null)));
    c.add(new Vm("rg-blue", "app-01", true, "healthy", "running", false, "10.20.1.4", "203.0.113.40", "app-01-ip",
        "vnet-blue", "default", "app-01-nsg", null, false), adminRdp);
    c.add(new Vm("rg-green", "app-01", true, "healthy", "running", false, "10.30.1.4", "203.0.113.41", "app-01-ip",
        "vnet-green", "default", "app-01-nsg", null, false), adminRdp);
    return c;
  }

  private static Rule rdpAllow(String name, String source) {
    return new Rule(name, 300, "Inbound", "Allow", "Tcp", source, null, "3389", null);
  }

  private static String pub(int i) {
    return "203.0.113." + (10 + i);
  }

  private static String priv(int i) {
    return "10.10.1." + (4 + i);
  }

  private void windows(String rg, String name, String fault, int[] n, Rule rule) {
    add(new Vm(rg, name, true, fault, "running", false, priv(n[0]), pub(n[0]++), name + "-ip", "vnet-prod",
        "default", name + "-nsg", null, false), rule);
  }

  private void add(Vm vm, Rule nicRule) {
    vms.add(vm);
    nsg(vm.resourceGroup(), vm.nsg(), List.of(nicRule));
  }

  private void nsg(String rg, String name, List<Rule> rules) {
    nsgs.put(key(rg, name), new Nsg(rg, name, rules));
  }

  private void vnet(String rg, String name, String prefix, List<Subnet> subnets) {
    vnets.put(key(rg, name), new Vnet(rg, name, prefix, subnets));
  }

  /** Case-insensitive lookup key, as ARM names are case-insensitive. */
  public static String key(String resourceGroup, String name) {
    return (resourceGroup + "/" + name).toLowerCase(Locale.ROOT);
  }

  public List<Vm> vms() {
    return List.copyOf(vms);
  }

  public Optional<Vm> vm(String rg, String name) {
    String k = key(rg, name);
    return vms.stream().filter(v -> v.key().equals(k)).findFirst();
  }

  public Optional<Vm> vmByNic(String rg, String nic) {
    return vms.stream()
        .filter(v -> v.resourceGroup().equalsIgnoreCase(rg) && v.nicName().equalsIgnoreCase(nic))
        .findFirst();
  }

  public Optional<Vm> vmByPip(String rg, String pip) {
    return vms.stream()
        .filter(v -> v.pipName() != null && v.resourceGroup().equalsIgnoreCase(rg) && v.pipName().equalsIgnoreCase(pip))
        .findFirst();
  }

  public Optional<Vm> vmByIp(String ip) {
    return vms.stream().filter(v -> ip.equals(v.publicIp()) || ip.equals(v.privateIp())).findFirst();
  }

  public Optional<Nsg> nsg(String rg, String name) {
    return Optional.ofNullable(nsgs.get(key(rg, name)));
  }

  public List<Nsg> nsgs(String rg) {
    return nsgs.values().stream().filter(n -> n.resourceGroup().equalsIgnoreCase(rg)).toList();
  }

  public Optional<Vnet> vnet(String rg, String name) {
    return Optional.ofNullable(vnets.get(key(rg, name)));
  }

  public boolean hasResourceGroup(String rg) {
    return vms.stream().anyMatch(v -> v.resourceGroup().equalsIgnoreCase(rg));
  }

  /** Application security groups referenced anywhere, by resource group. */
  public boolean hasAsg(String rg, String name) {
    return "rg-prod".equalsIgnoreCase(rg)
        && ("asg-admins".equalsIgnoreCase(name) || "asg-rdp-hosts".equalsIgnoreCase(name));
  }

  /** VMs attached to a subnet. */
  public List<Vm> vmsInSubnet(String rg, String vnet, String subnet) {
    return vms.stream()
        .filter(v -> v.resourceGroup().equalsIgnoreCase(rg) && v.vnet().equalsIgnoreCase(vnet)
            && v.subnet().equalsIgnoreCase(subnet))
        .toList();
  }

  /** The subnets (as "vnet/subnet") an NSG is attached to. */
  public List<String> subnetsOfNsg(String rg, String nsg) {
    List<String> out = new ArrayList<>();
    for (Vnet v : vnets.values()) {
      if (!v.resourceGroup().equalsIgnoreCase(rg)) {
        continue;
      }
      for (Subnet s : v.subnets()) {
        if (nsg.equalsIgnoreCase(s.nsg())) {
          out.add(v.name() + "/" + s.name());
        }
      }
    }
    return out;
  }

  /** VMs whose NIC uses an NSG. */
  public List<Vm> vmsOfNsg(String rg, String nsg) {
    return vms.stream().filter(v -> v.resourceGroup().equalsIgnoreCase(rg) && v.nsg().equalsIgnoreCase(nsg)).toList();
  }
}
