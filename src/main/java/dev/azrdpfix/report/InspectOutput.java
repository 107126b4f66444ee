package dev.azrdpfix.report;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.inspect.InspectReport;
import dev.azrdpfix.core.inspect.NetworkCheck;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.NsgInfo;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.model.VmSnapshot.NicInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders an {@link InspectReport} as text for people or as the documented JSON document. */
public final class InspectOutput {
  public static final String SCHEMA = "azrdpfix/inspect/v1";

  private InspectOutput() {}

  public static Map<String, Object> json(InspectReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", SCHEMA);
    m.put("target", r.target());
    m.put("exit", Json.exit(r.exitCode()));
    m.put("blocksRdp", r.blocksRdp());
    m.put("vm", r.vm() == null ? null : vmJson(r.vm()));
    m.put("rdpPort", r.rdpPort());
    List<Map<String, Object>> net = new ArrayList<>();
    for (NetworkCheck c : r.networkChecks()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("source", c.source());
      n.put("decision", c.verdict().decision().name().toLowerCase(Locale.ROOT));
      n.put("nsg", c.verdict().nsgName());
      n.put("rule", c.verdict().ruleName());
      n.put("priority", c.verdict().rulePriority());
      n.put("reason", c.verdict().reason());
      net.add(n);
    }
    m.put("network", net);
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("diagnosed", r.guest().diagnosed());
    g.put("skippedBecause", r.guest().skippedBecause());
    g.put("facts", r.guest().facts());
    m.put("guest", g);
    m.put("findings", Json.findings(r.findings()));
    return m;
  }

  public static Map<String, Object> vmJson(VmSnapshot v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("name", v.name());
    m.put("resourceGroup", v.resourceGroup());
    m.put("subscriptionId", v.subscriptionId());
    m.put("location", v.location());
    m.put("size", v.vmSize());
    m.put("osType", v.osType());
    m.put("osName", v.osName());
    m.put("osVersion", v.osVersion());
    m.put("computerName", v.computerName());
    m.put("powerState", v.powerState());
    m.put("provisioningState", v.provisioningState());
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("status", v.agent().displayStatus());
    a.put("version", v.agent().version());
    a.put("message", v.agent().message());
    m.put("agent", a);
    m.put("bootDiagnostics", v.bootDiagnosticsEnabled());
    List<Map<String, Object>> nics = new ArrayList<>();
    for (NicInfo n : v.nics()) {
      Map<String, Object> nm = new LinkedHashMap<>();
      nm.put("name", n.name());
      nm.put("primary", n.primary());
      nm.put("privateIps", n.privateIps());
      nm.put("subnetId", n.subnetId());
      nm.put("publicIp", n.publicIp() == null ? null : Json.object(
          "name", n.publicIp().name(), "address", n.publicIp().ipAddress(),
          "fqdn", n.publicIp().fqdn(), "sku", n.publicIp().sku()));
      nm.put("nsg", n.nsg() == null ? null : n.nsg().name());
      nm.put("subnetNsg", n.subnetNsg() == null ? null : n.subnetNsg().name());
      nics.add(nm);
    }
    m.put("nics", nics);
    return m;
  }

  public static String text(InspectReport r, Style style) {
    StringBuilder b = new StringBuilder();
    VmSnapshot v = r.vm();
    if (v != null) {
      b.append(style.bold(v.resourceGroup() + "/" + v.name())).append("  ")
          .append(v.osName() != null ? v.osName() : v.osType()).append(style.sep()).append(v.powerState())
          .append(style.sep()).append("agent ").append(v.agent().displayStatus())
          .append(v.agent().version() == null ? "" : " " + v.agent().version()).append('\n');
      NicInfo nic = v.primaryNic();
      if (nic != null) {
        b.append("  NIC ").append(nic.name()).append(' ').append(String.join(",", nic.privateIps()));
        if (nic.publicIp() != null) {
          b.append(style.sep()).append("public IP ").append(nic.publicIp().ipAddress());
          if (nic.publicIp().fqdn() != null) {
            b.append(" (").append(nic.publicIp().fqdn()).append(')');
          }
        } else {
          b.append(style.sep()).append("no public IP");
        }
        b.append(style.sep()).append("NSG ").append(name(nic.nsg())).append(" (NIC), ").append(name(nic.subnetNsg()))
            .append(" (subnet)\n");
      }
      for (NetworkCheck c : r.networkChecks()) {
        b.append("  RDP (TCP ").append(r.rdpPort()).append(") from ").append(c.source()).append(": ")
            .append(c.verdict().reason()).append(c.verdict().nsgName() == null ? "" : " in " + c.verdict().nsgName())
            .append('\n');
      }
      b.append("  Guest: ").append(r.guest().diagnosed() ? "diagnosed through Run Command (read-only)"
          : "not diagnosed (" + Inert.text(r.guest().skippedBecause()) + ")").append('\n');
    } else {
      b.append(style.bold(r.target())).append('\n');
    }
    b.append('\n');
    if (r.findings().isEmpty()) {
      b.append("No findings.\n");
    } else {
      b.append("Findings (").append(r.findings().size()).append("):\n");
      for (Finding f : r.findings()) {
        b.append("  ").append(style.severity(f.severity())).append(' ').append(f.id()).append(": ")
            .append(Inert.text(f.summary())).append('\n');
        if (f.evidence() != null) {
          b.append("           evidence: ").append(Inert.text(f.evidence())).append('\n');
        }
        if (f.nextStep() != null) {
          b.append("           next: ").append(Inert.text(f.nextStep())).append('\n');
        }
      }
    }
    b.append('\n').append(verdict(r, style)).append('\n');
    return b.toString();
  }

  private static String verdict(InspectReport r, Style style) {
    boolean azureOnly = "--azure-only".equals(r.guest().skippedBecause());
    return switch (r.exitCode()) {
      case OK -> azureOnly
          ? style.good("No finding on the Azure side blocks RDP.") + " The guest was not checked (--azure-only):"
              + " run 'azrdpfix inspect " + r.target() + "' to diagnose inside it. (exit 0)"
          : style.good("No finding blocks RDP.") + " (exit 0)";
      case RDP_BLOCKED -> style.bad("RDP is blocked.") + blockedNext(r) + " (exit 5)";
      case PRECONDITION -> "Inspection incomplete: " + (r.guest().skippedBecause() == null ? "see the findings above"
          : "the guest was not diagnosed (" + r.guest().skippedBecause() + ")") + ". (exit 4)";
      default -> "Exit " + r.exitCode().code() + ": " + r.exitCode().description();
    };
  }

  /** Where the fix is: repair for the guest side; each finding's next step for the Azure side (repair leaves it). */
  private static String blockedNext(InspectReport r) {
    boolean guestSide = false;
    boolean azureSide = false;
    for (Finding f : r.findings()) {
      if (f.blocksRdp()) {
        if (AZURE_SIDE.contains(f.id())) {
          azureSide = true;
        } else {
          guestSide = true;
        }
      }
    }
    StringBuilder b = new StringBuilder();
    if (azureSide) {
      b.append(" Fix the Azure side as each critical finding's next step says (repair does not change Azure"
          + " resources).");
    }
    if (guestSide) {
      b.append(" Run 'azrdpfix repair ").append(r.target()).append(" --dry-run' to see the guest fix.");
    }
    return b.toString();
  }

  /** Findings about Azure resources, which repair does not change. */
  private static final java.util.Set<FindingId> AZURE_SIDE = java.util.EnumSet.of(FindingId.VM_NOT_FOUND,
      FindingId.VM_NAME_AMBIGUOUS, FindingId.NOT_WINDOWS, FindingId.VM_NOT_RUNNING, FindingId.GUEST_AGENT_NOT_READY,
      FindingId.VM_PROVISIONING_NOT_SUCCEEDED, FindingId.BOOT_DIAGNOSTICS_DISABLED, FindingId.GUEST_NOT_DIAGNOSED,
      FindingId.NO_NETWORK_INTERFACE, FindingId.NO_PUBLIC_IP, FindingId.RDP_BLOCKED_BY_NSG,
      FindingId.RDP_OPEN_TO_INTERNET, FindingId.NSG_CANNOT_EVALUATE, FindingId.RDP_RESTRICTED_SOURCES,
      FindingId.RDP_BLOCKED_FOR_SOURCE, FindingId.RDP_ALLOWED_FOR_SOURCE);

  private static String name(NsgInfo n) {
    return n == null ? "none" : n.name();
  }

  /**
   * Markdown for a ticket, {@code inspect --report} and the GitHub job summary: outcome, the VM, RDP through the
   * NSGs, every finding with evidence and next step, and what to run next.
   */
  public static String markdown(InspectReport r) {
    StringBuilder b = new StringBuilder();
    b.append("# azrdpfix inspect: ").append(md(r.target())).append("\n\n");
    b.append("| | |\n|---|---|\n");
    b.append("| Outcome | ").append(md(outcome(r))).append(" |\n");
    b.append("| Exit code | ").append(r.exitCode().code()).append(" (").append(r.exitCode().description())
        .append(") |\n");
    VmSnapshot v = r.vm();
    if (v != null) {
      b.append("| VM | ").append(md(v.resourceGroup() + "/" + v.name())).append(", ")
          .append(md(v.osName() != null ? v.osName() : v.osType())).append(", ").append(md(v.powerState()))
          .append(", agent ").append(md(v.agent().displayStatus())).append(" |\n");
      NicInfo nic = v.primaryNic();
      if (nic != null) {
        b.append("| Network | NIC ").append(md(nic.name())).append(" ").append(md(String.join(",", nic.privateIps())))
            .append(nic.publicIp() == null ? ", no public IP" : ", public IP " + md(nic.publicIp().ipAddress()))
            .append(", NSG ").append(md(name(nic.nsg()))).append(" (NIC), ").append(md(name(nic.subnetNsg())))
            .append(" (subnet) |\n");
      }
      for (NetworkCheck c : r.networkChecks()) {
        b.append("| RDP (TCP ").append(r.rdpPort()).append(") from ").append(md(c.source())).append(" | ")
            .append(md(c.verdict().reason())).append(c.verdict().nsgName() == null ? "" : " in "
                + md(c.verdict().nsgName()))
            .append(" |\n");
      }
      b.append("| Guest | ").append(r.guest().diagnosed() ? "diagnosed through Run Command (read-only)"
          : "not diagnosed (" + md(r.guest().skippedBecause()) + ")").append(" |\n");
    }
    b.append("\n## Findings\n\n");
    if (r.findings().isEmpty()) {
      b.append("None.\n");
    }
    for (Finding f : r.findings()) {
      b.append("- **").append(f.severity().id()).append("** `").append(f.id()).append("`: ").append(md(f.summary()));
      b.append('\n');
      if (f.evidence() != null) {
        b.append("  - Evidence: ").append(md(f.evidence())).append('\n');
      }
      if (f.nextStep() != null) {
        b.append("  - Next: ").append(md(f.nextStep())).append('\n');
      }
    }
    if (r.exitCode() == ExitCode.RDP_BLOCKED) {
      b.append("\nNext: `azrdpfix repair ").append(r.target()).append(" --dry-run` shows the fix and changes"
          + " nothing.\n");
    }
    return b.toString();
  }

  private static String outcome(InspectReport r) {
    return switch (r.exitCode()) {
      case OK -> "No finding blocks RDP.";
      case RDP_BLOCKED -> "RDP is blocked.";
      case PRECONDITION -> "Inspection incomplete: " + (r.guest().skippedBecause() == null ? "see findings"
          : "guest " + r.guest().skippedBecause()) + ".";
      default -> r.exitCode().description();
    };
  }

  /** Text we did not write, made safe for one Markdown line or table cell ({@link Inert#markdown}). */
  private static String md(String s) {
    return Inert.markdown(s);
  }
}
