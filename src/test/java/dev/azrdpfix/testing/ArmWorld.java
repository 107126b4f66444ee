package dev.azrdpfix.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An ARM-shaped world served by WireMock over HTTPS (with the loopback test certificate, which has a localhost SAN),
 * built from VM descriptions. Bodies follow the shapes in shared/reference/arm-stubs, validated against the SDK.
 */
public final class ArmWorld {
  public static final String SUB = "00000000-0000-0000-0000-000000000001";
  public static final String COMPUTE = "2025-04-01";
  public static final String NETWORK = "2025-03-01";
  private static final ObjectMapper M = new ObjectMapper();
  private static final String KEYSTORE = "/dev/azrdpfix/simulator/simulator-tls.p12";
  private static final String PASSWORD = "azrdpfix-simulator";

  private final WireMockExtension wm;
  private final List<ObjectNode> listed = new ArrayList<>();

  public ArmWorld(WireMockExtension wm) {
    this.wm = wm;
  }

  /** WireMock on loopback only, HTTPS with the test certificate, failing on any request no stub expects. */
  public static WireMockExtension extension() {
    return WireMockExtension.newInstance()
        .options(WireMockConfiguration.wireMockConfig().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort()
            .keystorePath(keystorePath().toString()).keystorePassword(PASSWORD).keyManagerPassword(PASSWORD)
            .keystoreType("PKCS12"))
        .failOnUnmatchedRequests(true)
        .build();
  }

  public static Path keystorePath() {
    try {
      return Path.of(ArmWorld.class.getResource(KEYSTORE).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The test certificate as a PEM file, for --ca-file. */
  public static Path caPem(Path dir) {
    try (InputStream in = ArmWorld.class.getResourceAsStream(KEYSTORE)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      byte[] der = ks.getCertificate("simulator").getEncoded();
      String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
          + "\n-----END CERTIFICATE-----\n";
      Path p = dir.resolve("ca.pem");
      Files.writeString(p, pem);
      return p;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String endpoint() {
    return "https://localhost:" + wm.getRuntimeInfo().getHttpsPort() + "/";
  }

  public static String rgPath(String rg) {
    return "/subscriptions/" + SUB + "/resourceGroups/" + rg;
  }

  /** A VM to serve; defaults describe a healthy, reachable Windows VM with one NIC in rg1. */
  public static final class Vm {
    public String rg = "rg1";
    public String name = "vm1";
    public String os = "Windows";
    public String power = "running";
    public String agent = "Ready";
    public String privateIp = "10.0.0.4";
    public String publicIp = "20.1.2.3";
    public String publicIpSku = "Standard";
    public ArrayNode nicNsgRules = M.createArrayNode();
    public ArrayNode subnetNsgRules = null;
    public String subnetNsgRg = null;
    public List<String> nicAsgs = new ArrayList<>();
    public boolean bootDiagnostics = true;

    public Vm name(String rg, String name) {
      this.rg = rg;
      this.name = name;
      return this;
    }

    public Vm allowRdpFrom(String source, int priority) {
      nicNsgRules.add(rule("RDP", "Allow", priority, source, "3389"));
      return this;
    }

    public Vm subnetRule(ObjectNode rule) {
      if (subnetNsgRules == null) {
        subnetNsgRules = M.createArrayNode();
      }
      subnetNsgRules.add(rule);
      return this;
    }

    String id() {
      return rgPath(rg) + "/providers/Microsoft.Compute/virtualMachines/" + name;
    }

    String nicId() {
      return rgPath(rg) + "/providers/Microsoft.Network/networkInterfaces/" + name + "-nic";
    }

    String nsgId() {
      return rgPath(rg) + "/providers/Microsoft.Network/networkSecurityGroups/" + name + "-nsg";
    }

    String subnetNsgId() {
      return rgPath(subnetNsgRg == null ? rg : subnetNsgRg) + "/providers/Microsoft.Network/networkSecurityGroups/"
          + name + "-subnet-nsg";
    }

    String subnetId() {
      return rgPath(rg) + "/providers/Microsoft.Network/virtualNetworks/" + name + "-vnet/subnets/default";
    }

    String pipId() {
      return rgPath(rg) + "/providers/Microsoft.Network/publicIPAddresses/" + name + "-ip";
    }
  }

  public static ObjectNode rule(String name, String access, int priority, String source, String port) {
    ObjectNode r = M.createObjectNode();
    r.put("name", name);
    ObjectNode p = r.putObject("properties");
    p.put("protocol", "Tcp");
    p.put("sourcePortRange", "*");
    p.put("destinationPortRange", port);
    p.put("sourceAddressPrefix", source);
    p.put("destinationAddressPrefix", "*");
    p.put("access", access);
    p.put("priority", priority);
    p.put("direction", "Inbound");
    return r;
  }

  /** Registers every GET the tool makes for this VM, and lists it in the subscription. */
  public ArmWorld serve(Vm vm) {
    ObjectNode model = vmModel(vm, false);
    ObjectNode withIv = vmModel(vm, true);
    stub(vm.id(), COMPUTE, "instanceView", withIv);
    stub(vm.id() + "/instanceView", COMPUTE, null, (ObjectNode) withIv.path("properties").path("instanceView"));
    listed.add(model);
    ObjectNode list = M.createObjectNode();
    list.putArray("value").addAll(listed);
    wm.stubFor(get(urlPathEqualTo("/subscriptions/" + SUB + "/providers/Microsoft.Compute/virtualMachines"))
        .withQueryParam("api-version", equalTo(COMPUTE)).willReturn(json(200, list)));
    ObjectNode nic = M.createObjectNode();
    nic.put("id", vm.nicId());
    nic.put("name", vm.name + "-nic");
    nic.put("location", "westeurope");
    ObjectNode np = nic.putObject("properties");
    ObjectNode ipc = np.putArray("ipConfigurations").addObject();
    ipc.put("id", vm.nicId() + "/ipConfigurations/ipconfig1");
    ipc.put("name", "ipconfig1");
    ObjectNode ipp = ipc.putObject("properties");
    ipp.put("privateIPAddress", vm.privateIp);
    ipp.put("primary", true);
    ipp.putObject("subnet").put("id", vm.subnetId());
    if (vm.publicIp != null) {
      ipp.putObject("publicIPAddress").put("id", vm.pipId());
    }
    if (!vm.nicAsgs.isEmpty()) {
      ArrayNode asgs = ipp.putArray("applicationSecurityGroups");
      vm.nicAsgs.forEach(a -> asgs.addObject().put("id", a));
    }
    if (vm.nicNsgRules != null) {
      np.putObject("networkSecurityGroup").put("id", vm.nsgId());
    }
    stub(vm.nicId(), NETWORK, null, nic);

    ArrayNode nsgs = M.createArrayNode();
    if (vm.nicNsgRules != null) {
      ObjectNode n = nsg(vm.nsgId(), vm.name + "-nsg", vm.nicNsgRules);
      n.with("properties").putArray("networkInterfaces").addObject().put("id", vm.nicId());
      nsgs.add(n);
      stub(vm.nsgId(), NETWORK, null, n);
    }
    ObjectNode subnet = M.createObjectNode();
    subnet.put("id", vm.subnetId());
    subnet.put("name", "default");
    subnet.putObject("properties").put("addressPrefix", "10.0.0.0/24");
    if (vm.subnetNsgRules != null) {
      ObjectNode s = nsg(vm.subnetNsgId(), vm.name + "-subnet-nsg", vm.subnetNsgRules);
      s.with("properties").putArray("subnets").addObject().put("id", vm.subnetId());
      ((ObjectNode) subnet.get("properties")).putObject("networkSecurityGroup").put("id", vm.subnetNsgId());
      stub(vm.subnetNsgId(), NETWORK, null, s);
      if (vm.subnetNsgRg == null) {
        nsgs.add(s);
      }
    }
    ObjectNode nsgList = M.createObjectNode();
    nsgList.set("value", nsgs);
    wm.stubFor(get(urlPathEqualTo(rgPath(vm.rg) + "/providers/Microsoft.Network/networkSecurityGroups"))
        .withQueryParam("api-version", equalTo(NETWORK)).willReturn(json(200, nsgList)));
    stub(vm.subnetId(), NETWORK, null, subnet);
    if (vm.publicIp != null) {
      ObjectNode pip = M.createObjectNode();
      pip.put("id", vm.pipId());
      pip.put("name", vm.name + "-ip");
      pip.putObject("sku").put("name", vm.publicIpSku);
      ObjectNode pp = pip.putObject("properties");
      pp.put("ipAddress", vm.publicIp);
      pp.put("publicIPAllocationMethod", "Static");
      pp.putObject("dnsSettings").put("fqdn", vm.name + ".westeurope.cloudapp.azure.com");
      stub(vm.pipId(), NETWORK, null, pip);
    }
    return this;
  }

  private ObjectNode nsg(String id, String name, ArrayNode rules) {
    ObjectNode n = M.createObjectNode();
    n.put("id", id);
    n.put("name", name);
    n.put("location", "westeurope");
    ObjectNode p = n.putObject("properties");
    p.set("securityRules", rules.deepCopy());
    ArrayNode defaults = p.putArray("defaultSecurityRules");
    defaults.add(defaultRule("AllowVnetInBound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"));
    defaults.add(defaultRule("AllowAzureLoadBalancerInBound", "Allow", 65001, "AzureLoadBalancer", "*"));
    defaults.add(defaultRule("DenyAllInBound", "Deny", 65500, "*", "*"));
    return n;
  }

  private static ObjectNode defaultRule(String name, String access, int priority, String src, String dst) {
    ObjectNode r = rule(name, access, priority, src, "*");
    ((ObjectNode) r.get("properties")).put("protocol", "*").put("destinationAddressPrefix", dst);
    return r;
  }

  private ObjectNode vmModel(Vm vm, boolean instanceView) {
    ObjectNode v = M.createObjectNode();
    v.put("id", vm.id());
    v.put("name", vm.name);
    v.put("type", "Microsoft.Compute/virtualMachines");
    v.put("location", "westeurope");
    ObjectNode p = v.putObject("properties");
    p.put("vmId", "11111111-2222-3333-4444-555555555555");
    p.putObject("hardwareProfile").put("vmSize", "Standard_B2s");
    ObjectNode sp = p.putObject("storageProfile");
    ObjectNode od = sp.putObject("osDisk");
    od.put("osType", vm.os);
    od.put("name", vm.name + "-os");
    od.put("createOption", "FromImage");
    sp.putArray("dataDisks");
    ObjectNode os = p.putObject("osProfile");
    os.put("computerName", vm.name);
    os.put("adminUsername", "azureuser");
    p.putObject("networkProfile").putArray("networkInterfaces").addObject().put("id", vm.nicId())
        .putObject("properties").put("primary", true);
    p.putObject("diagnosticsProfile").putObject("bootDiagnostics").put("enabled", vm.bootDiagnostics);
    p.put("provisioningState", "Succeeded");
    if (instanceView) {
      ObjectNode iv = p.putObject("instanceView");
      iv.put("computerName", vm.name);
      iv.put("osName", "Windows".equals(vm.os) ? "Windows Server 2022 Datacenter" : "ubuntu");
      iv.put("osVersion", "10.0.20348");
      ObjectNode agent = iv.putObject("vmAgent");
      agent.put("vmAgentVersion", "Ready".equals(vm.agent) ? "2.7.41491.1102" : "Unknown");
      ObjectNode as = agent.putArray("statuses").addObject();
      as.put("code", "Ready".equals(vm.agent) ? "ProvisioningState/succeeded" : "ProvisioningState/Unavailable");
      as.put("level", "Ready".equals(vm.agent) ? "Info" : "Warning");
      as.put("displayStatus", vm.agent);
      as.put("message", "Ready".equals(vm.agent) ? "GuestAgent is running and processing the extensions."
          : "VM status blob not found.");
      ArrayNode st = iv.putArray("statuses");
      st.addObject().put("code", "ProvisioningState/succeeded").put("level", "Info")
          .put("displayStatus", "Provisioning succeeded");
      st.addObject().put("code", "PowerState/" + vm.power).put("level", "Info").put("displayStatus", "VM " + vm.power);
    }
    return v;
  }

  private void stub(String path, String apiVersion, String expand, ObjectNode body) {
    var mapping = get(urlPathEqualTo(path)).withQueryParam("api-version", equalTo(apiVersion));
    if (expand != null) {
      mapping = mapping.withQueryParam("$expand", equalTo(expand));
    }
    wm.stubFor(mapping.willReturn(json(200, body)));
  }

  public static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, Object body) {
    try {
      return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
          .withBody(M.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
