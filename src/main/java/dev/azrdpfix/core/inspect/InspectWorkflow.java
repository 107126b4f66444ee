package dev.azrdpfix.core.inspect;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.VmNotFoundException;
import dev.azrdpfix.core.VmNotResolvedException;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.Severity;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Progress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code inspect}: resolves the VM, reads it from Azure and turns what Azure says into findings, then (when the VM can
 * take Run Command) diagnoses inside the guest with the same {@link GuestDiagnostics} sequence repair uses. A VM that
 * does not resolve becomes a report with one finding: inspect is the one command that renders that as a report.
 */
public final class InspectWorkflow {
  private final AzureGateway azure;
  private final Progress progress;
  private final VmResolver resolver;
  private final GuestDiagnostics guest;

  /** What the user asked: the VM as parsed, the RDP port, an optional source address, whether to skip the guest. */
  public record Request(VmRef vm, int rdpPort, String source, boolean azureOnly) {}

  /** {@code guest} is null when guest diagnosis is unavailable. */
  public InspectWorkflow(AzureGateway azure, Progress progress, GuestDiagnostics guest) {
    this.azure = azure;
    this.progress = progress;
    this.resolver = new VmResolver(azure, progress);
    this.guest = guest;
  }

  public InspectReport run(Request request) {
    VmRef ref;
    VmSnapshot vm;
    try {
      ref = resolver.resolve(request.vm());
      progress.step("Reading " + ref.display() + " from Azure...");
      vm = readVm(ref);
    } catch (VmNotResolvedException e) {
      return unresolved(e, request.rdpPort());
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
      section = notDiagnosed(findings, "the VM is " + vm.powerState(), "PowerState/" + vm.powerState(),
          "Start the VM (see " + FindingId.VM_NOT_RUNNING
              + "), then inspect again.");
    } else if (!vm.agent().ready()) {
      section = notDiagnosed(findings, "the guest agent is " + vm.agent().displayStatus(),
          "vmAgent status " + vm.agent().displayStatus(),
          "Run Command needs a Ready guest agent: restart the VM ('az vm restart'), then inspect again; if the agent"
              + " stays down, repair offline ('az vm repair create').");
    } else if (guest == null) {
      section = InspectReport.GuestSection.skipped("guest diagnosis unavailable");
    } else {
      progress.step("Diagnosing inside the guest through Run Command (read-only; takes 20 s or more on Azure)...");
      section = diagnoseGuest(vm, findings);
    }
    findings.sort((a, b) -> a.severity().compareTo(b.severity()));
    return new InspectReport(vm.ref().display(), vm, request.rdpPort(), checks, section, findings,
        exitCodeFor(findings, section, request.azureOnly()));
  }

  /**
   * Diagnoses inside the guest. A diagnosis that cannot be made (permission, a busy Run Command, a timeout, a broken
   * result line) does not fail inspect: the Azure-side findings stand, and a {@code guest-not-diagnosed} finding says
   * why and what to do.
   */
  private InspectReport.GuestSection diagnoseGuest(VmSnapshot vm, List<Finding> findings) {
    GuestDiagnostics.Result g;
    try {
      g = guest.diagnose(vm.ref(), RepairOptions.defaults());
    } catch (AzrdpfixException e) {
      if (e.exitCode() != ExitCode.AZURE && e.exitCode() != ExitCode.PRECONDITION) {
        throw e;
      }
      String message = e.getMessage();
      String lower = message.toLowerCase(java.util.Locale.ROOT);
      if (lower.contains("permission denied") || lower.contains("authorization")) {
        return notDiagnosed(findings, "no permission to use Run Command", message,
            "Ask for '" + RUN_COMMAND_ACTION + "' on the VM (the built-in role 'Virtual Machine Contributor' has"
                + " it), or rerun with --azure-only to skip the guest.");
      }
      if (lower.contains("another run command")) {
        return notDiagnosed(findings, "another Run Command is running on the VM", message,
            "Wait for it to finish (it cannot be cancelled), then inspect again.");
      }
      return notDiagnosed(findings, "Run Command failed", message,
          "Inspect again; rerun with --verbose to see the Azure requests.");
    }
    if (g.failed()) {
      return notDiagnosed(findings, "the diagnosis gave no usable result", g.error(),
          "Inspect again with --verbose to see the script output; on the VM, the Run Command log is under"
              + " C:\\WindowsAzure\\Logs\\Plugins.");
    }
    findings.addAll(g.diagnosis().findings());
    return new InspectReport.GuestSection(true, null, g.run().facts());
  }

  /** The Azure permission Run Command needs. */
  public static final String RUN_COMMAND_ACTION = "Microsoft.Compute/virtualMachines/runCommand/action";

  private static InspectReport.GuestSection notDiagnosed(List<Finding> findings, String why, String evidence,
      String next) {
    findings.add(new Finding(FindingId.GUEST_NOT_DIAGNOSED, Severity.WARNING,
        "The guest was not diagnosed: " + why + ". Guest-side causes (certificate, services, firewall) are unknown.",
        evidence, next));
    return InspectReport.GuestSection.skipped(why);
  }

  /** Reads the VM; a VM Azure does not know (named with its group) is "not found" like an unknown name. */
  private VmSnapshot readVm(VmRef ref) {
    try {
      return azure.inspect(ref);
    } catch (VmNotFoundException e) {
      throw VmNotResolvedException.notFound(ref.display(), e.getMessage());
    }
  }

  private static InspectReport unresolved(VmNotResolvedException e, int rdpPort) {
    String why = e.finding().id() == FindingId.VM_NOT_FOUND ? "VM not found" : "VM not resolved";
    return new InspectReport(e.name(), null, rdpPort, List.of(), InspectReport.GuestSection.skipped(why),
        List.of(e.finding()), e.exitCode());
  }

  /** Findings from the VM model and instance view. */
  static List<Finding> azureFindings(VmSnapshot vm) {
    List<Finding> out = new ArrayList<>();
    if (!vm.isWindows()) {
      out.add(new Finding(FindingId.NOT_WINDOWS, Severity.CRITICAL,
          "The VM runs " + (vm.osType() == null ? "an unknown OS" : vm.osType()) + ", not Windows: there is no RDP"
              + " to repair.",
          "storageProfile.osDisk.osType=" + vm.osType(),
          "Use SSH tooling for Linux VMs ('az vm repair', 'az ssh vm')."));
      return out;
    }
    if (!vm.isRunning()) {
      out.add(new Finding(FindingId.VM_NOT_RUNNING, Severity.CRITICAL,
          "The VM is " + vm.powerState() + ": nothing answers RDP.",
          "PowerState/" + vm.powerState(),
          "Start it: 'az vm start -g " + vm.resourceGroup() + " -n " + vm.name() + "', or 'azrdpfix repair "
              + vm.resourceGroup() + "/" + vm.name() + " --start'."));
    } else if (!vm.agent().ready()) {
      out.add(new Finding(FindingId.GUEST_AGENT_NOT_READY, Severity.WARNING,
          "The guest agent is '" + vm.agent().displayStatus() + "': Run Command, and so guest diagnosis and repair,"
              + " will not work.",
          "vmAgent status " + vm.agent().displayStatus() + (vm.agent().message() == null ? ""
              : " (" + vm.agent().message() + ")") + ", version " + vm.agent().version(),
          "Restart the VM ('az vm restart'); if the agent stays down, repair offline with 'az vm repair create' or"
              + " use the Serial Console."));
    }
    if (vm.provisioningState() != null && !"Succeeded".equalsIgnoreCase(vm.provisioningState())) {
      out.add(new Finding(FindingId.VM_PROVISIONING_NOT_SUCCEEDED, Severity.WARNING,
          "The VM's provisioning state is " + vm.provisioningState() + ".",
          "provisioningState=" + vm.provisioningState(), "Check the Activity Log; try 'az vm reapply'."));
    }
    if (Boolean.FALSE.equals(vm.bootDiagnosticsEnabled())) {
      out.add(new Finding(FindingId.BOOT_DIAGNOSTICS_DISABLED, Severity.INFO,
          "Boot diagnostics are off, so the Serial Console (the fallback when RDP and Run Command fail) is unavailable.",
          "diagnosticsProfile.bootDiagnostics.enabled=false",
          "Enable them: 'az vm boot-diagnostics enable -g " + vm.resourceGroup() + " -n " + vm.name() + "'."));
    }
    return out;
  }

  static ExitCode exitCodeFor(List<Finding> findings, InspectReport.GuestSection guest, boolean azureOnly) {
    if (findings.stream().anyMatch(f -> f.id() == FindingId.NOT_WINDOWS)) {
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
