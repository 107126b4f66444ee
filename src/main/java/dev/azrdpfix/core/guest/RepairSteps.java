package dev.azrdpfix.core.guest;

import java.util.List;

/**
 * The repair step ids in their documented order (least invasive first). What each step implies (destructive, needs
 * a reboot or a reapply, its explicit flag, ...) lives only in templates/manifest.json and reaches core through
 * {@link StepProperties}; a test in the template package checks that the manifest lists exactly these ids, in this
 * order.
 */
public final class RepairSteps {
  public static final String RESYNC_TIME = "resync-time";
  public static final String CLEAR_STALE_BINDING = "clear-stale-binding";
  public static final String RESET_MACHINEKEYS_ACL = "reset-machinekeys-acl";
  public static final String REPAIR_RDP_KEY_ACL = "repair-rdp-key-acl";
  public static final String RENAME_MACHINEKEYS = "rename-machinekeys";
  public static final String REMOVE_RDP_CERTIFICATES = "remove-rdp-certificates";
  public static final String ENABLE_TLS_SERVER = "enable-tls-server";
  public static final String ENABLE_REMOTE_CONNECTIONS = "enable-remote-connections";
  public static final String ENABLE_RDP_FIREWALL_RULES = "enable-rdp-firewall-rules";
  public static final String REFRESH_POLICY = "refresh-policy";
  public static final String RESTART_RDP_SERVICES = "restart-rdp-services";
  public static final String DISABLE_NLA = "disable-nla";

  /**
   * All repair steps, in execution order: the clock first (certificate expiry is then judged on a sane clock), the
   * folder before the key file, the best-effort policy refresh before the service restart that applies everything.
   */
  public static final List<String> ORDER = List.of(
      RESYNC_TIME,
      CLEAR_STALE_BINDING,
      RESET_MACHINEKEYS_ACL,
      REPAIR_RDP_KEY_ACL,
      RENAME_MACHINEKEYS,
      REMOVE_RDP_CERTIFICATES,
      ENABLE_TLS_SERVER,
      ENABLE_REMOTE_CONNECTIONS,
      ENABLE_RDP_FIREWALL_RULES,
      REFRESH_POLICY,
      RESTART_RDP_SERVICES,
      DISABLE_NLA);

  private RepairSteps() {}

  public static List<String> ids() {
    return ORDER;
  }

  /** Whether {@code id} is a repair step. */
  public static boolean known(String id) {
    return ORDER.contains(id);
  }

  static int rank(String id) {
    return ORDER.indexOf(id);
  }
}
