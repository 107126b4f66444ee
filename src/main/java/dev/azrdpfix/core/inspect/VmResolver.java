package dev.azrdpfix.core.inspect;

import dev.azrdpfix.core.VmNotResolvedException;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Progress;
import java.util.List;

/**
 * Turns the VM as the user named it into exactly one VM: fills in the subscription and, for a bare name, finds the
 * resource group with one list call. Throws {@link VmNotResolvedException} for none or several.
 */
public final class VmResolver {
  private final AzureGateway azure;
  private final Progress progress;

  public VmResolver(AzureGateway azure, Progress progress) {
    this.azure = azure;
    this.progress = progress;
  }

  /**
   * The VM with subscription and resource group known.
   *
   * @throws VmNotResolvedException when no VM, or VMs in several resource groups, have that name
   */
  public VmRef resolve(VmRef ref) {
    String sub = ref.subscriptionId() != null ? ref.subscriptionId() : azure.subscriptionId();
    if (ref.resourceGroup() != null) {
      return ref.withLocation(sub, ref.resourceGroup());
    }
    progress.step("Looking for VM '" + ref.name() + "' in subscription " + sub + "...");
    List<VmRef> found = azure.findVmsByName(ref.name());
    if (found.isEmpty()) {
      throw VmNotResolvedException.notFound(ref.name(), "no VM named '" + ref.name() + "' in subscription " + sub);
    }
    if (found.size() > 1) {
      throw VmNotResolvedException.ambiguous(ref.name(), found.stream().map(VmRef::resourceGroup).sorted().toList());
    }
    return found.get(0);
  }
}
