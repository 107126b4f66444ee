package dev.azrdpfix.core.model;

import dev.azrdpfix.core.AzrdpfixException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VM as the user named it: {@code NAME}, {@code RG/NAME} or a full resource ID. {@code subscriptionId} and
 * {@code resourceGroup} are null when the user did not give them; the Azure side resolves them.
 */
public record VmRef(String subscriptionId, String resourceGroup, String name) {
  // Azure VM resource names: 1-64 characters, letters, digits, '-', '_' and '.', not ending in '.' or '-'.
  private static final Pattern VM_NAME = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?");
  // Resource group names: 1-90 characters, letters, digits, '_', '-', '.', '(', ')', not ending in '.'.
  private static final Pattern RG_NAME = Pattern.compile("[\\p{L}\\p{N}_().-]{0,89}[\\p{L}\\p{N}_()-]");
  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern RESOURCE_ID =
      Pattern.compile(
          "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachines/([^/]+)/?",
          Pattern.CASE_INSENSITIVE);

  /**
   * Parses what the user typed. {@code resourceGroupOption} is the value of {@code -g}, or null; it must agree with a
   * group given inside the name.
   */
  public static VmRef parse(String text, String resourceGroupOption) {
    if (text == null || text.isBlank()) {
      throw AzrdpfixException.usage("VM name is missing: name the VM as NAME, RG/NAME or a full resource ID.");
    }
    String value = text.trim();
    String sub = null;
    String rg;
    String name;
    if (value.startsWith("/")) {
      Matcher m = RESOURCE_ID.matcher(value);
      if (!m.matches()) {
        throw AzrdpfixException.usage(
            "VM resource ID '" + value + "' is malformed: expected /subscriptions/<id>/resourceGroups/<rg>/providers/"
                + "Microsoft.Compute/virtualMachines/<name>. Copy it from 'az vm show --query id'.");
      }
      sub = m.group(1);
      rg = m.group(2);
      name = m.group(3);
      validateSubscription(sub);
    } else if (value.contains("/")) {
      String[] parts = value.split("/", -1);
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw AzrdpfixException.usage(
            "VM name '" + value
                + "' is malformed: use NAME, RG/NAME or a full resource ID starting with /subscriptions/.");
      }
      rg = parts[0];
      name = parts[1];
    } else {
      rg = null;
      name = value;
    }
    if (resourceGroupOption != null && !resourceGroupOption.isBlank()) {
      String opt = resourceGroupOption.trim();
      validateResourceGroup(opt);
      if (rg != null && !rg.equalsIgnoreCase(opt)) {
        throw AzrdpfixException.usage(
            "resource group conflict: the VM is named in '" + rg + "' but --resource-group says '" + opt
                + "'. Give the group once.");
      }
      rg = opt;
    }
    if (rg != null) {
      validateResourceGroup(rg);
    }
    if (!VM_NAME.matcher(name).matches()) {
      throw AzrdpfixException.usage(
          "VM name '" + name + "' is not a valid Azure VM name: use 1-64 letters, digits, '-', '_' or '.', not ending"
              + " in '.' or '-'.");
    }
    return new VmRef(sub, rg, name);
  }

  public static void validateResourceGroup(String rg) {
    if (!RG_NAME.matcher(rg).matches()) {
      throw AzrdpfixException.usage(
          "resource group '" + rg + "' is not a valid name: use 1-90 letters, digits, '_', '-', '.', '(' or ')', not"
              + " ending in '.'.");
    }
  }

  public static String validateSubscription(String sub) {
    if (!GUID.matcher(sub).matches()) {
      throw AzrdpfixException.usage(
          "subscription '" + sub + "' is not a subscription ID (a GUID). List yours with 'az account list -o table'.");
    }
    return sub.toLowerCase(Locale.ROOT);
  }

  public VmRef withLocation(String subscription, String group) {
    return new VmRef(subscription, group, name);
  }

  /** The ARM resource ID; only valid once subscription and group are known. */
  public String resourceId() {
    return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.Compute/virtualMachines/" + name;
  }

  public String display() {
    return resourceGroup == null ? name : resourceGroup + "/" + name;
  }
}
