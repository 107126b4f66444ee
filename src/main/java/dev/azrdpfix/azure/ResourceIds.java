package dev.azrdpfix.azure;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;

/** Reading ARM resource IDs ({@code /subscriptions/S/resourceGroups/RG/providers/.../NAME}). */
final class ResourceIds {
  private ResourceIds() {}

  /** The segment after {@code name} (case-insensitive), e.g. the resource group after "resourceGroups". */
  static String segment(String id, String name) {
    String[] p = id.split("/");
    for (int i = 0; i < p.length - 1; i++) {
      if (p[i].equalsIgnoreCase(name)) {
        return p[i + 1];
      }
    }
    throw new AzrdpfixException(ExitCode.AZURE, "Azure returned a malformed resource ID '" + id
        + "' (no " + name + " segment). Rerun with --verbose and report it.");
  }

  /** The last segment: the resource's name. */
  static String last(String id) {
    String t = id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
    return t.substring(t.lastIndexOf('/') + 1);
  }
}
