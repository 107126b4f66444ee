package dev.azrdpfix.core.inspect;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.Severity;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code inspect}: resolves the VM, reads it from Azure and turns what Azure says into findings. The guest part (Run
 * Command diagnosis) is plugged in through {@link GuestInspector} so this class stays free of templates.
 */
public final class InspectWorkflow {
  private final AzureGateway azure;
  private final Progress progress;
  private final GuestInspector guest;

  /** Runs the read-only guest diagnosis on a VM that can take Run Command. */
  public interface GuestInspector {
    /** Returns the guest findings and the raw facts. */
    GuestResult diagnose(VmSnapshot vm);

    record GuestResult(List<Finding> findings, dev.azrdpfix.core.guest.GuestFacts facts) {}

    /** Diagnosis through the guest channel (the read-only diagnose template), analysed like repair does. */
    static GuestInspector over(dev.azrdpfix.core.port.GuestChannel channel) {
      return vm -> {
        dev.azrdpfix.core.guest.GuestRun run = channel.diagnose(vm.ref());
        if (run.failed() || run.facts() == null) {
          throw new AzrdpfixException(ExitCode.AZURE, "diagnosing " + vm.ref().display() + " inside the guest"
              + " failed: " + run.error() + ". Rerun with --azure-only to skip it, or --verbose for details.");
        }
        var dx = dev.azrdpfix.core.guest.GuestAnalyzer.analyze(run.facts(), run.started(), run.ended(),
            dev.azrdpfix.core.guest.RepairOptions.defaults(), channel.steps());
        return new GuestResult(dx.findings(), run.facts());
      };
    }
  }

  /** What the user asked: the VM as typed, {@code -g}, the RDP port, an optional source address. */
  public record Request(String vm, String resourceGroup, int rdpPort, String source, boolean azureOnly) {}

  public InspectWorkflow(AzureGateway azure, Progress progress, GuestInspector guest) {
    this.azure = azure;
    this.progress = progress;
    this.guest = guest;
  }

  public InspectReport run(Request request) {
    VmRef ref = VmRef.parse(request.vm(), request.resourceGroup());
    Resolution resolved = resolve(ref, azure, progress);
    if (resolved.report != null) {
      return withTarget(resolved.report, request, ref);
    }
    progress.step("Reading " + resolved.vm.display() + " from Azure...");
    VmSnapshot vm;
    try {
      vm = azure.inspect(resolved.vm);
    } catch (dev.azrdpfix.core.VmNotFoundException e) {
      return notFound(resolved.vm.display(), request.rdpPort(), e.getMessage());
    }
    List<Finding> findings = new ArrayList<>(azureFindings(vm));
    List<NetworkCheck> checks = new ArrayList<>();
    if (vm.isWindows()) {
      findings.addAll(NetworkFindings.evaluate(vm, request.rdpPort(), request.source(), checks));
    }
    InspectReport.GuestSection section;
    if (request.azureOnly()) {
      section = InspectReport.GuestSection.skipped("--azure-only");
    } else if (!vm.isWindows()) {
      section = InspectReport.GuestSection.skipped("not a Windows VM");
    } else if (!vm.isRunning()) {
      section = InspectReport.GuestSection.skipped("the VM is " + vm.powerState());
    } else if (!vm.agent().ready()) {
      section = InspectReport.GuestSection.skipped("the guest agent is " + vm.agent().displayStatus());
    } else if (guest == null) {
      section = InspectReport.GuestSection.skipped("guest diagnosis unavailable");
    } else {
      progress.step("Diagnosing inside the guest through Run Command (read-only; takes 20 s or more on Azure)...");
      GuestInspector.GuestResult g = guest.diagnose(vm);
      findings.addAll(g.findings());
      section = new InspectReport.GuestSection(true, null, g.facts());
    }
    findings.sort((a, b) -> a.severity().compareTo(b.severity()));
    return new InspectReport(vm.ref().display(), vm, request.rdpPort(), checks, section, findings,
        exitCodeFor(findings, section, request.azureOnly()));
  }

  /** The resolved VM, or a finished report when the name does not resolve to exactly one VM. */
  public record Resolution(VmRef vm, InspectReport report) {}

  /** Fills in subscription and resource group, finding the VM by name in the subscription when needed. */
  public static Resolution resolve(VmRef ref, AzureGateway azure, Progress progress) {
    String sub = ref.subscriptionId() != null ? ref.subscriptionId() : azure.subscriptionId();
    if (ref.resourceGroup() != null) {
      return new Resolution(ref.withLocation(sub, ref.resourceGroup()), null);
    }
    progress.step("Looking for VM '" + ref.name() + "' in subscription " + sub + "...");
    List<VmRef> found = azure.findVmsByName(ref.name());
    if (found.isEmpty()) {
      return new Resolution(null, notFound(ref.name(), 3389,
          "no VM named '" + ref.name() + "' in subscription " + sub));
    }
    if (found.size() > 1) {
      String groups = found.stream().map(VmRef::resourceGroup).sorted().collect(Collectors.joining(", "));
      Finding f = new Finding("vm-name-ambiguous", Severity.CRITICAL,
          "VM name '" + ref.name() + "' exists in several resource groups.",
          "found in resource groups: " + groups,
          "Name one: -g <group> or RG/NAME, e.g. " + found.get(0).resourceGroup() + "/" + ref.name() + ".");
      return new Resolution(null, new InspectReport(ref.name(), null, 3389, List.of(),
          InspectReport.GuestSection.skipped("VM not resolved"), List.of(f), ExitCode.USAGE));
    }
    return new Resolution(found.get(0), null);
  }

  private static InspectReport notFound(String name, int port, String why) {
    Finding f = new Finding("vm-not-found", Severity.CRITICAL, "VM '" + name + "' was not found.", why,
        "Check the name, -g/--resource-group and --subscription ('az vm list -o table').");
    return new InspectReport(name, null, port, List.of(), InspectReport.GuestSection.skipped("VM not found"),
        List.of(f), ExitCode.AZURE);
  }

  private static InspectReport withTarget(InspectReport r, Request request, VmRef ref) {
    return new InspectReport(r.target(), r.vm(), request.rdpPort(), r.networkChecks(), r.guest(), r.findings(),
        r.exitCode());
  }

  /** Findings from the VM model and instance view. */
  static List<Finding> azureFindings(VmSnapshot vm) {
    List<Finding> out = new ArrayList<>();
    if (!vm.isWindows()) {
      out.add(new Finding("not-windows", Severity.CRITICAL,
          "The VM runs " + (vm.osType() == null ? "an unknown OS" : vm.osType()) + ", not Windows: there is no RDP"
              + " to repair.", "storageProfile.osDisk.osType=" + vm.osType(),
          "Use SSH tooling for Linux VMs ('az vm repair', 'az ssh vm')."));
      return out;
    }
    if (!vm.isRunning()) {
      out.add(new Finding("vm-not-running", Severity.CRITICAL, "The VM is " + vm.powerState() + ": nothing answers RDP.",
          "PowerState/" + vm.powerState(),
          "Start it: 'az vm start -g " + vm.resourceGroup() + " -n " + vm.name() + "', or 'azrdpfix repair "
              + vm.resourceGroup() + "/" + vm.name() + " --start'."));
    } else if (!vm.agent().ready()) {
      out.add(new Finding("guest-agent-not-ready", Severity.WARNING,
          "The guest agent is '" + vm.agent().displayStatus() + "': Run Command, and so guest diagnosis and repair,"
              + " will not work.",
          "vmAgent status " + vm.agent().displayStatus() + (vm.agent().message() == null ? ""
              : " (" + vm.agent().message() + ")") + ", version " + vm.agent().version(),
          "Restart the VM ('az vm restart'); if the agent stays down, repair offline with 'az vm repair create' or"
              + " use the Serial Console."));
    }
    if (vm.provisioningState() != null && !"Succeeded".equalsIgnoreCase(vm.provisioningState())) {
      out.add(new Finding("vm-provisioning-not-succeeded", Severity.WARNING,
          "The VM's provisioning state is " + vm.provisioningState() + ".",
          "provisioningState=" + vm.provisioningState(), "Check the Activity Log; try 'az vm reapply'."));
    }
    if (Boolean.FALSE.equals(vm.bootDiagnosticsEnabled())) {
      out.add(new Finding("boot-diagnostics-disabled", Severity.INFO,
          "Boot diagnostics are off, so the Serial Console (the fallback when RDP and Run Command fail) is unavailable.",
          "diagnosticsProfile.bootDiagnostics.enabled=false",
          "Enable them: 'az vm boot-diagnostics enable -g " + vm.resourceGroup() + " -n " + vm.name() + "'."));
    }
    return out;
  }

  static ExitCode exitCodeFor(List<Finding> findings, InspectReport.GuestSection guest, boolean azureOnly) {
    if (findings.stream().anyMatch(f -> f.id().equals("not-windows"))) {
      return ExitCode.PRECONDITION;
    }
    if (findings.stream().anyMatch(Finding::blocksRdp)) {
      return ExitCode.RDP_BLOCKED;
    }
    if (!azureOnly && !guest.diagnosed()) {
      return ExitCode.PRECONDITION;
    }
    return ExitCode.OK;
  }
}
