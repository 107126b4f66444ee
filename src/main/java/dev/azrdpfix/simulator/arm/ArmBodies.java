package dev.azrdpfix.simulator.arm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Builds ARM JSON bodies in the shapes the Azure SDK parses (compute 2025-04-01, network 2025-03-01): every VM has a
 * storage profile with {@code dataDisks}, NSGs carry the six default rules, and resources reference each other by id.
 */
public final class ArmBodies {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String CREATED = "2026-01-15T09:00:00+00:00";

  private final String sub;
  private final Clock clock;

  public ArmBodies(String subscription, Clock clock) {
    this.clock = clock;
    this.sub = subscription;
  }

  // ---- ids

  String rgId(String rg) {
    return "/subscriptions/" + sub + "/resourceGroups/" + rg;
  }

  String vmId(Catalogue.Vm vm) {
    return rgId(vm.resourceGroup()) + "/providers/Microsoft.Compute/virtualMachines/" + vm.name();
  }

  String nicId(Catalogue.Vm vm) {
    return rgId(vm.resourceGroup()) + "/providers/Microsoft.Network/networkInterfaces/" + vm.nicName();
  }

  String ipConfigId(Catalogue.Vm vm) {
    return nicId(vm) + "/ipConfigurations/ipconfig1";
  }

  String nsgId(String rg, String nsg) {
    return rgId(rg) + "/providers/Microsoft.Network/networkSecurityGroups/" + nsg;
  }

  String pipId(Catalogue.Vm vm) {
    return rgId(vm.resourceGroup()) + "/providers/Microsoft.Network/publicIPAddresses/" + vm.pipName();
  }

  String vnetId(String rg, String vnet) {
    return rgId(rg) + "/providers/Microsoft.Network/virtualNetworks/" + vnet;
  }

  String subnetId(String rg, String vnet, String subnet) {
    return vnetId(rg, vnet) + "/subnets/" + subnet;
  }

  String asgId(String rg, String asg) {
    return rgId(rg) + "/providers/Microsoft.Network/applicationSecurityGroups/" + asg;
  }

  private static ObjectNode ref(String id) {
    return JSON.createObjectNode().put("id", id);
  }

  private static String guid(String seed) {
    return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static ObjectNode status(String code, String level, String display, String message, Instant time) {
    ObjectNode n = JSON.createObjectNode().put("code", code).put("level", level).put("displayStatus", display);
    if (message != null) {
      n.put("message", message);
    }
    if (time != null) {
      n.put("time", time.toString());
    }
    return n;
  }

  // ---- compute

  /** What a VM looks like right now, as the simulation sees it. */
  public record VmView(String power, boolean agentReady, boolean updating) {}

  public ObjectNode vm(Catalogue.Vm vm, VmView view, boolean withInstanceView) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", vmId(vm)).put("name", vm.name()).put("type", "Microsoft.Compute/virtualMachines")
        .put("location", Catalogue.LOCATION);
    n.putObject("tags");
    ObjectNode p = n.putObject("properties");
    p.put("vmId", guid("vm:" + vm.key()));
    p.putObject("hardwareProfile").put("vmSize", vm.windows() ? "Standard_B2s" : "Standard_B1s");
    ObjectNode storage = p.putObject("storageProfile");
    ObjectNode image = storage.putObject("imageReference");
    if (vm.windows()) {
      image.put("publisher", "MicrosoftWindowsServer").put("offer", "WindowsServer")
          .put("sku", "2022-datacenter-azure-edition").put("version", "latest")
          .put("exactVersion", "20348.2849.241206");
    } else {
      image.put("publisher", "Canonical").put("offer", "ubuntu-24_04-lts").put("sku", "server")
          .put("version", "latest").put("exactVersion", "24.04.202411030");
    }
    ObjectNode os = storage.putObject("osDisk");
    os.put("osType", vm.windows() ? "Windows" : "Linux").put("name", vm.osDiskName()).put("createOption", "FromImage")
        .put("caching", "ReadWrite").put("deleteOption", "Delete").put("diskSizeGB", vm.windows() ? 127 : 30);
    os.putObject("managedDisk").put("storageAccountType", "Premium_LRS")
        .put("id", rgId(vm.resourceGroup()) + "/providers/Microsoft.Compute/disks/" + vm.osDiskName());
    storage.putArray("dataDisks");
    storage.put("diskControllerType", "SCSI");
    ObjectNode osProfile = p.putObject("osProfile");
    osProfile.put("computerName", vm.name()).put("adminUsername", "azureuser");
    if (vm.windows()) {
      ObjectNode wc = osProfile.putObject("windowsConfiguration");
      wc.put("provisionVMAgent", true).put("enableAutomaticUpdates", true);
      wc.putObject("patchSettings").put("patchMode", "AutomaticByOS").put("assessmentMode", "ImageDefault");
    } else {
      osProfile.putObject("linuxConfiguration").put("disablePasswordAuthentication", true)
          .put("provisionVMAgent", true);
    }
    osProfile.putArray("secrets");
    osProfile.put("allowExtensionOperations", true);
    ObjectNode nicRef = p.putObject("networkProfile").putArray("networkInterfaces").addObject();
    nicRef.put("id", nicId(vm));
    nicRef.putObject("properties").put("primary", true).put("deleteOption", "Detach");
    p.putObject("diagnosticsProfile").putObject("bootDiagnostics").put("enabled", true);
    p.put("provisioningState", view.updating() ? "Updating" : "Succeeded");
    p.put("timeCreated", CREATED);
    if (withInstanceView) {
      p.set("instanceView", instanceView(vm, view));
    }
    return n;
  }

  public ObjectNode instanceView(Catalogue.Vm vm, VmView view) {
    ObjectNode n = JSON.createObjectNode();
    boolean booted = !view.power().equals("deallocated") && !view.power().equals("deallocating");
    Instant now = clock.instant();
    if (booted) {
      n.put("computerName", vm.name());
      n.put("osName", vm.windows() ? "Windows Server 2022 Datacenter Azure Edition" : "ubuntu");
      n.put("osVersion", vm.windows() ? "10.0.20348.2849" : "24.04");
      ObjectNode agent = n.putObject("vmAgent");
      ArrayNode statuses = agent.putArray("statuses");
      if (view.agentReady()) {
        agent.put("vmAgentVersion", vm.windows() ? "2.7.41491.1102" : "2.12.0.2");
        statuses.add(status("ProvisioningState/succeeded", "Info", "Ready",
            "GuestAgent is running and processing the extensions.", now));
      } else {
        agent.put("vmAgentVersion", "Unknown");
        statuses.add(status("ProvisioningState/Unavailable", "Warning", "Not Ready", "VM status blob not found.",
            now));
      }
      agent.putArray("extensionHandlers");
    }
    n.put("hyperVGeneration", "V2");
    ObjectNode disk = n.putArray("disks").addObject();
    disk.put("name", vm.osDiskName());
    disk.putArray("statuses").add(status("ProvisioningState/succeeded", "Info", "Provisioning succeeded", null,
        Instant.parse("2026-01-15T09:00:00Z")));
    n.putObject("bootDiagnostics");
    ArrayNode statuses = n.putArray("statuses");
    if (view.updating()) {
      statuses.add(status("ProvisioningState/updating", "Info", "Updating", null, null));
    } else {
      statuses.add(status("ProvisioningState/succeeded", "Info", "Provisioning succeeded", null,
          Instant.parse("2026-01-15T09:00:00Z")));
    }
    String power = view.power();
    statuses.add(status("PowerState/" + power, "Info", "VM " + power, null, null));
    return n;
  }

  // ---- network

  public ObjectNode nic(Catalogue.Vm vm) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", nicId(vm)).put("name", vm.nicName()).put("type", "Microsoft.Network/networkInterfaces")
        .put("location", Catalogue.LOCATION).put("etag", "W/\"" + guid("etag:" + nicId(vm)) + "\"");
    ObjectNode p = n.putObject("properties");
    p.put("provisioningState", "Succeeded").put("resourceGuid", guid("nic:" + vm.key()));
    ObjectNode ipc = p.putArray("ipConfigurations").addObject();
    ipc.put("id", ipConfigId(vm)).put("name", "ipconfig1")
        .put("type", "Microsoft.Network/networkInterfaces/ipConfigurations");
    ObjectNode ip = ipc.putObject("properties");
    ip.put("provisioningState", "Succeeded").put("privateIPAddress", vm.privateIp())
        .put("privateIPAllocationMethod", "Dynamic").put("privateIPAddressVersion", "IPv4").put("primary", true);
    ip.set("subnet", ref(subnetId(vm.resourceGroup(), vm.vnet(), vm.subnet())));
    if (vm.pipName() != null) {
      ip.set("publicIPAddress", ref(pipId(vm)));
    }
    if (vm.asg() != null) {
      ip.putArray("applicationSecurityGroups").add(ref(asgId(vm.resourceGroup(), vm.asg())));
    }
    ObjectNode dns = p.putObject("dnsSettings");
    dns.putArray("dnsServers");
    dns.putArray("appliedDnsServers");
    p.put("macAddress", macOf(vm)).put("enableAcceleratedNetworking", false).put("enableIPForwarding", false)
        .put("primary", true).put("nicType", "Standard");
    p.set("networkSecurityGroup", ref(nsgId(vm.resourceGroup(), vm.nsg())));
    p.set("virtualMachine", ref(vmId(vm)));
    return n;
  }

  private static String macOf(Catalogue.Vm vm) {
    String h = guid("mac:" + vm.key()).replace("-", "").toUpperCase();
    return "00-22-48-" + h.substring(0, 2) + "-" + h.substring(2, 4) + "-" + h.substring(4, 6);
  }

  public ObjectNode nsg(Catalogue catalogue, Catalogue.Nsg nsg) {
    String id = nsgId(nsg.resourceGroup(), nsg.name());
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id).put("name", nsg.name()).put("type", "Microsoft.Network/networkSecurityGroups")
        .put("location", Catalogue.LOCATION).put("etag", "W/\"" + guid("etag:" + id) + "\"");
    ObjectNode p = n.putObject("properties");
    p.put("provisioningState", "Succeeded").put("resourceGuid", guid("nsg:" + id));
    ArrayNode rules = p.putArray("securityRules");
    for (Catalogue.Rule r : nsg.rules()) {
      rules.add(rule(id + "/securityRules/" + r.name(), "Microsoft.Network/networkSecurityGroups/securityRules", r,
          nsg.resourceGroup(), null));
    }
    ArrayNode defaults = p.putArray("defaultSecurityRules");
    String dtype = "Microsoft.Network/networkSecurityGroups/defaultSecurityRules";
    for (Object[] d : DEFAULT_RULES) {
      Catalogue.Rule r = new Catalogue.Rule((String) d[0], (Integer) d[1], (String) d[2], (String) d[3], "*",
          (String) d[4], null, "*", null);
      ObjectNode rule = rule(id + "/defaultSecurityRules/" + r.name(), dtype, r, nsg.resourceGroup(), (String) d[5]);
      ((ObjectNode) rule.get("properties")).put("destinationAddressPrefix", (String) d[6]);
      defaults.add(rule);
    }
    List<Catalogue.Vm> nics = catalogue.vmsOfNsg(nsg.resourceGroup(), nsg.name());
    if (!nics.isEmpty()) {
      ArrayNode a = p.putArray("networkInterfaces");
      nics.forEach(vm -> a.add(ref(nicId(vm))));
    }
    List<String> subnets = catalogue.subnetsOfNsg(nsg.resourceGroup(), nsg.name());
    if (!subnets.isEmpty()) {
      ArrayNode a = p.putArray("subnets");
      subnets.forEach(s -> a.add(ref(vnetId(nsg.resourceGroup(), s.substring(0, s.indexOf('/'))) + "/subnets/"
          + s.substring(s.indexOf('/') + 1))));
    }
    return n;
  }

  /** name, priority, direction, access, source, description, destination. */
  private static final Object[][] DEFAULT_RULES = {
      {"AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork",
          "Allow inbound traffic from all VMs in VNET", "VirtualNetwork"},
      {"AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer",
          "Allow inbound traffic from azure load balancer", "*"},
      {"DenyAllInBound", 65500, "Inbound", "Deny", "*", "Deny all inbound traffic", "*"},
      {"AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork",
          "Allow outbound traffic from all VMs to all VMs in VNET", "VirtualNetwork"},
      {"AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Allow outbound traffic from all VMs to Internet",
          "Internet"},
      {"DenyAllOutBound", 65500, "Outbound", "Deny", "*", "Deny all outbound traffic", "*"},
  };

  private ObjectNode rule(String id, String type, Catalogue.Rule r, String rg, String description) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id).put("name", r.name()).put("type", type).put("etag", "W/\"" + guid("etag:" + id) + "\"");
    ObjectNode p = n.putObject("properties");
    p.put("provisioningState", "Succeeded");
    if (description != null) {
      p.put("description", description);
    }
    p.put("protocol", r.protocol()).put("sourcePortRange", "*").put("destinationPortRange", r.destinationPort());
    if (r.sourceAsg() != null) {
      p.putArray("sourceApplicationSecurityGroups").add(ref(asgId(rg, r.sourceAsg())));
    } else {
      p.put("sourceAddressPrefix", r.sourcePrefix());
    }
    if (r.destinationAsg() != null) {
      p.putArray("destinationApplicationSecurityGroups").add(ref(asgId(rg, r.destinationAsg())));
    } else {
      p.put("destinationAddressPrefix", "*");
    }
    p.put("access", r.access()).put("priority", r.priority()).put("direction", r.direction());
    p.putArray("sourcePortRanges");
    p.putArray("destinationPortRanges");
    p.putArray("sourceAddressPrefixes");
    p.putArray("destinationAddressPrefixes");
    return n;
  }

  public ObjectNode publicIp(Catalogue.Vm vm) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", pipId(vm)).put("name", vm.pipName()).put("type", "Microsoft.Network/publicIPAddresses")
        .put("location", Catalogue.LOCATION).put("etag", "W/\"" + guid("etag:" + pipId(vm)) + "\"");
    n.putObject("sku").put("name", "Standard").put("tier", "Regional");
    ObjectNode p = n.putObject("properties");
    String label = vm.name() + "-" + vm.resourceGroup().replaceFirst("^rg-", "");
    p.put("provisioningState", "Succeeded").put("resourceGuid", guid("pip:" + vm.key()))
        .put("ipAddress", vm.publicIp()).put("publicIPAddressVersion", "IPv4")
        .put("publicIPAllocationMethod", "Static").put("idleTimeoutInMinutes", 4);
    p.putObject("dnsSettings").put("domainNameLabel", label)
        .put("fqdn", label + "." + Catalogue.LOCATION + ".cloudapp.azure.com");
    p.putArray("ipTags");
    p.set("ipConfiguration", ref(ipConfigId(vm)));
    return n;
  }

  public ObjectNode subnet(Catalogue catalogue, Catalogue.Vnet vnet, Catalogue.Subnet s) {
    String id = subnetId(vnet.resourceGroup(), vnet.name(), s.name());
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id).put("name", s.name()).put("type", "Microsoft.Network/virtualNetworks/subnets")
        .put("etag", "W/\"" + guid("etag:" + id) + "\"");
    ObjectNode p = n.putObject("properties");
    p.put("provisioningState", "Succeeded").put("addressPrefix", s.addressPrefix());
    if (s.nsg() != null) {
      p.set("networkSecurityGroup", ref(nsgId(vnet.resourceGroup(), s.nsg())));
    }
    ArrayNode ipcs = p.putArray("ipConfigurations");
    catalogue.vmsInSubnet(vnet.resourceGroup(), vnet.name(), s.name()).forEach(vm -> ipcs.add(ref(ipConfigId(vm))));
    p.putArray("delegations");
    p.put("privateEndpointNetworkPolicies", "Disabled").put("privateLinkServiceNetworkPolicies", "Enabled");
    return n;
  }

  public ObjectNode vnet(Catalogue catalogue, Catalogue.Vnet vnet) {
    String id = vnetId(vnet.resourceGroup(), vnet.name());
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id).put("name", vnet.name()).put("type", "Microsoft.Network/virtualNetworks")
        .put("location", Catalogue.LOCATION).put("etag", "W/\"" + guid("etag:" + id) + "\"");
    ObjectNode p = n.putObject("properties");
    p.put("provisioningState", "Succeeded").put("resourceGuid", guid("vnet:" + id));
    p.putObject("addressSpace").putArray("addressPrefixes").add(vnet.addressPrefix());
    ArrayNode subnets = p.putArray("subnets");
    vnet.subnets().forEach(s -> subnets.add(subnet(catalogue, vnet, s)));
    p.putArray("virtualNetworkPeerings");
    p.put("enableDdosProtection", false);
    return n;
  }

  public ObjectNode asg(String rg, String name) {
    String id = asgId(rg, name);
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id).put("name", name).put("type", "Microsoft.Network/applicationSecurityGroups")
        .put("location", Catalogue.LOCATION).put("etag", "W/\"" + guid("etag:" + id) + "\"");
    n.putObject("properties").put("provisioningState", "Succeeded").put("resourceGuid", guid("asg:" + id));
    return n;
  }

  // ---- operations and errors

  public ObjectNode operationStatus(SimState.Operation o) {
    ObjectNode n = JSON.createObjectNode();
    n.put("startTime", o.start.toString());
    if (!o.inProgress()) {
      n.put("endTime", o.end.toString());
    }
    n.put("status", o.status).put("name", o.id);
    if ("Failed".equals(o.status)) {
      n.putObject("error").put("code", o.errorCode).put("message", o.errorMessage);
    }
    return n;
  }

  public ObjectNode runCommandResult(SimState.Operation o) {
    ObjectNode n = JSON.createObjectNode();
    ArrayNode value = n.putArray("value");
    value.add(status("ComponentStatus/StdOut/succeeded", "Info", "Provisioning succeeded",
        o.stdout == null ? "" : o.stdout, null));
    value.add(status("ComponentStatus/StdErr/succeeded", "Info", "Provisioning succeeded",
        o.stderr == null ? "" : o.stderr, null));
    return n;
  }

  public static ObjectNode error(String code, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("error").put("code", code).put("message", message);
    return n;
  }
}
