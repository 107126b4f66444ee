package dev.azrdpfix.core.inspect;

import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.NsgInfo;
import dev.azrdpfix.core.model.Severity;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.model.VmSnapshot.NicInfo;
import dev.azrdpfix.core.nsg.NsgEvaluator;
import dev.azrdpfix.core.nsg.NsgEvaluator.Decision;
import dev.azrdpfix.core.nsg.NsgEvaluator.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Findings about reaching the RDP port from outside: public IP, NSGs on NIC and subnet. */
public final class NetworkFindings {
  private NetworkFindings() {}

  public static List<Finding> evaluate(VmSnapshot vm, int port, String source, List<NetworkCheck> checks) {
    List<Finding> out = new ArrayList<>();
    NicInfo nic = vm.primaryNic();
    if (nic == null) {
      out.add(new Finding(FindingId.NO_NETWORK_INTERFACE, Severity.CRITICAL, "The VM has no network interface.",
          "networkProfile lists no NIC", "Attach a NIC to the VM."));
      return out;
    }
    String privateIp = nic.privateIps().isEmpty() ? null : nic.privateIps().get(0);
    String nsgs = describe(nic);
    if (nic.publicIp() == null || nic.publicIp().ipAddress() == null) {
      out.add(new Finding(FindingId.NO_PUBLIC_IP, Severity.WARNING, "The VM has no public IP address.",
          "NIC " + nic.name() + " has " + (nic.publicIp() == null ? "no public IP" : "a public IP without an address")
              + "; private IP " + privateIp,
          "Reach it over the VNet (VPN, ExpressRoute, peering) or Azure Bastion; probe it with --via-private-ip."));
    } else {
      Verdict anyone = NsgEvaluator.evaluate(nic.subnetNsg(), nic.nsg(), new NsgEvaluator.AnyInternet(), privateIp,
          nic.applicationSecurityGroupIds(), port);
      checks.add(new NetworkCheck("internet", anyone));
      boolean standardWithoutNsg = nic.nsg() == null && nic.subnetNsg() == null
          && "Standard".equalsIgnoreCase(nic.publicIp().sku());
      if (standardWithoutNsg) {
        out.add(new Finding(FindingId.RDP_BLOCKED_BY_NSG, Severity.CRITICAL,
            "Inbound RDP is closed: a Standard public IP without any NSG admits no traffic.",
            "public IP " + nic.publicIp().name() + " (Standard SKU); no NSG on NIC " + nic.name() + " or its subnet",
            "Add an NSG allowing TCP " + port + " from your address range to the NIC or subnet."));
      } else if (anyone.decision() == Decision.ALLOW) {
        out.add(new Finding(FindingId.RDP_OPEN_TO_INTERNET, Severity.WARNING,
            "RDP port " + port + " is open to the whole internet (brute-force target).",
            anyone.reason() + (anyone.nsgName() == null ? "" : " in NSG " + anyone.nsgName()),
            "Restrict the rule's source to your address range, or use Azure Bastion or just-in-time access."));
      } else if (anyone.decision() == Decision.UNKNOWN) {
        out.add(new Finding(FindingId.NSG_CANNOT_EVALUATE, Severity.WARNING,
            "Whether the internet reaches RDP cannot be evaluated from the NSG rules.",
            anyone.reason() + " in NSG " + anyone.nsgName(),
            "Check with Network Watcher IP flow verify: az network watcher test-ip-flow --vm " + vm.name()
                + " --direction Inbound --protocol TCP --local " + privateIp + ":" + port
                + " --remote <your-ip>:60000"));
      } else {
        List<String> allowed = restrictedSources(nic, privateIp, port);
        if (allowed.isEmpty()) {
          out.add(new Finding(FindingId.RDP_BLOCKED_BY_NSG, Severity.CRITICAL,
              "Inbound RDP (TCP " + port + ") is denied by NSG " + anyone.nsgName() + ".",
              anyone.reason() + " in NSG " + anyone.nsgName() + " (" + nsgs + ")",
              "Add an allow rule for TCP " + port + " from your address range at a priority below "
                  + anyone.rulePriority() + " in NSG " + anyone.nsgName() + ": "
                  + allowRuleCommand(nic, anyone, port, "<your-ip>/32") + "."));
        } else {
          out.add(new Finding(FindingId.RDP_RESTRICTED_SOURCES, Severity.INFO,
              "RDP is allowed only from " + String.join(", ", allowed) + ".",
              anyone.reason() + " in NSG " + anyone.nsgName(),
              "Connect from one of those ranges, or check a specific address with --source <ip>."));
        }
      }
    }
    if (source != null) {
      Verdict v = NsgEvaluator.evaluate(nic.subnetNsg(), nic.nsg(), NsgEvaluator.Address.parse(source), privateIp,
          nic.applicationSecurityGroupIds(), port);
      checks.add(new NetworkCheck(source, v));
      switch (v.decision()) {
        case DENY -> out.add(new Finding(FindingId.RDP_BLOCKED_FOR_SOURCE, Severity.CRITICAL,
            "RDP from " + source + " is denied by NSG " + v.nsgName() + ".",
            v.reason() + " in NSG " + v.nsgName(),
            "Add an allow rule for " + source + " to TCP " + port + " at a priority below " + v.rulePriority()
                + " in NSG " + v.nsgName() + ": " + allowRuleCommand(nic, v, port, source) + "."));
        case UNKNOWN -> out.add(new Finding(FindingId.NSG_CANNOT_EVALUATE, Severity.WARNING,
            "Whether " + source + " reaches RDP cannot be evaluated from the NSG rules.",
            v.reason() + " in NSG " + v.nsgName(), "Check with Network Watcher IP flow verify."));
        case ALLOW -> out.add(new Finding(FindingId.RDP_ALLOWED_FOR_SOURCE, Severity.INFO,
            "RDP from " + source + " is allowed by the NSGs.",
            v.reason() + (v.nsgName() == null ? "" : " in NSG " + v.nsgName()), "Nothing to do on the Azure side."));
      }
    }
    return out;
  }

  /**
   * The Azure CLI command that opens RDP where {@code denied} closes it: a new allow rule just before the denying one
   * or, when no priority is left before it (100 is the lowest number), an update of that rule.
   */
  static String allowRuleCommand(NicInfo nic, Verdict denied, int port, String source) {
    String nsg = denied.nsgName();
    String rg = "<nsg-resource-group>";
    for (NsgInfo n : java.util.Arrays.asList(nic.nsg(), nic.subnetNsg())) {
      if (n != null && n.name().equals(nsg) && n.id() != null) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/resourceGroups/([^/]+)/",
            java.util.regex.Pattern.CASE_INSENSITIVE).matcher(n.id());
        if (m.find()) {
          rg = m.group(1);
        }
      }
    }
    Integer p = denied.rulePriority();
    if (p != null && p <= 100 && denied.ruleName() != null) {
      return "'az network nsg rule update -g " + rg + " --nsg-name " + nsg + " -n " + denied.ruleName()
          + " --access Allow --source-address-prefixes " + source + "'";
    }
    int priority = p == null ? 100 : Math.max(100, p - 10);
    return "'az network nsg rule create -g " + rg + " --nsg-name " + nsg + " -n Allow-RDP-" + port
        + " --priority " + priority + " --direction Inbound --access Allow --protocol Tcp"
        + " --destination-port-ranges " + port + " --source-address-prefixes " + source + "'";
  }

  /** Internet prefixes that some allow rule admits and that pass both NSGs. */
  private static List<String> restrictedSources(NicInfo nic, String privateIp, int port) {
    Set<String> candidates = new LinkedHashSet<>();
    candidates.addAll(NsgEvaluator.partialInternetAllowPrefixes(nic.nsg(), port));
    candidates.addAll(NsgEvaluator.partialInternetAllowPrefixes(nic.subnetNsg(), port));
    List<String> allowed = new ArrayList<>();
    for (String prefix : candidates) {
      String first = prefix.contains("/") ? prefix.substring(0, prefix.indexOf('/')) : prefix;
      Verdict v = NsgEvaluator.evaluate(nic.subnetNsg(), nic.nsg(), NsgEvaluator.Address.parse(first), privateIp,
          nic.applicationSecurityGroupIds(), port);
      if (v.decision() == Decision.ALLOW) {
        allowed.add(prefix);
      }
    }
    return allowed;
  }

  private static String describe(NicInfo nic) {
    List<String> parts = new ArrayList<>();
    parts.add("subnet NSG: " + name(nic.subnetNsg()));
    parts.add("NIC NSG: " + name(nic.nsg()));
    return String.join(", ", parts);
  }

  private static String name(NsgInfo n) {
    return n == null ? "none" : n.name();
  }
}
