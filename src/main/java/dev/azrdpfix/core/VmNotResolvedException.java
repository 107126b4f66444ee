package dev.azrdpfix.core;

import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.Severity;
import java.util.List;

/**
 * The VM the user named does not resolve to exactly one VM: none by that name (exit 3), or one in several resource
 * groups (exit 2). Carries the finding {@code inspect} reports; every other command prints it as one line.
 */
public final class VmNotResolvedException extends AzrdpfixException {
  private final String name;
  private final Finding finding;

  private VmNotResolvedException(ExitCode code, String name, Finding finding) {
    super(code, oneLine(finding));
    this.name = name;
    this.finding = finding;
  }

  /** No VM called {@code name}; {@code why} is the evidence (what was searched, or what Azure said). */
  public static VmNotResolvedException notFound(String name, String why) {
    return new VmNotResolvedException(ExitCode.AZURE, name, new Finding(FindingId.VM_NOT_FOUND, Severity.CRITICAL,
        "VM '" + name + "' was not found.", why,
        "Check the name, -g/--resource-group and --subscription ('az vm list -o table')."));
  }

  /** The name exists in each of {@code groups} (sorted); the user must name one. */
  public static VmNotResolvedException ambiguous(String name, List<String> groups) {
    return new VmNotResolvedException(ExitCode.USAGE, name, new Finding(FindingId.VM_NAME_AMBIGUOUS, Severity.CRITICAL,
        "VM name '" + name + "' exists in several resource groups.",
        "found in resource groups: " + String.join(", ", groups),
        "Name one: -g <group> or RG/NAME, e.g. " + groups.get(0) + "/" + name + "."));
  }

  /** The VM as the user named it (or as it was displayed when Azure did not find it). */
  public String name() {
    return name;
  }

  public Finding finding() {
    return finding;
  }

  private static String oneLine(Finding f) {
    return f.summary().replaceAll("\\.$", "") + ": " + f.evidence() + ". " + f.nextStep();
  }
}
