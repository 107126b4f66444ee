package dev.azrdpfix.contract;

import java.util.List;

/**
 * Windows facts that the templates, the analysis and the simulated guest all rely on. The templates hold their own
 * literal copies (PowerShell cannot import Java); a test ties every such copy to the value here.
 */
public final class WindowsFacts {
  /** The default MachineKeys folder SDDL (what VM assist and rename-machinekeys compare with and create). */
  public static final String DEFAULT_MACHINEKEYS_SDDL = "O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)";

  /**
   * The System log event ids diagnose counts over 24 hours, in the order of the facts object: 1057/1058 (TermService
   * cannot create/replace its self-signed certificate), 36870/36871/36872 (SChannel credential errors), 7022
   * (TermService hung on starting).
   */
  public static final List<String> EVENT_IDS = List.of("1057", "1058", "36870", "36871", "36872", "7022");

  /** The Remote Desktop firewall rule group, by its resource id (the same on every display language). */
  public static final String RDP_FIREWALL_GROUP = "@FirewallAPI.dll,-28752";

  private WindowsFacts() {}
}
