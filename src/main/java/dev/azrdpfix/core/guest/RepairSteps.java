package dev.azrdpfix.core.guest;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The repair steps in their documented order (least invasive first) with what running each implies. Mirrors
 * templates/manifest.json; a test in the template package keeps the two in step.
 */
public final class RepairSteps {
  /** What a step implies; {@code explicitFlag} is the CLI flag without which it never runs (null if none). */
  public record StepInfo(
      String id, boolean destructive, boolean requiresReboot, boolean requiresReapply, String explicitFlag) {}

  public static final String CLEAR_STALE_BINDING = "clear-stale-binding";
  public static final String RESET_MACHINEKEYS_ACL = "reset-machinekeys-acl";
  public static final String RENAME_MACHINEKEYS = "rename-machinekeys";
  public static final String REMOVE_RDP_CERTIFICATES = "remove-rdp-certificates";
  public static final String ENABLE_TLS_SERVER = "enable-tls-server";
  public static final String ENABLE_REMOTE_CONNECTIONS = "enable-remote-connections";
  public static final String ENABLE_RDP_FIREWALL_RULES = "enable-rdp-firewall-rules";
  public static final String RESYNC_TIME = "resync-time";
  public static final String REFRESH_POLICY = "refresh-policy";
  public static final String RESTART_RDP_SERVICES = "restart-rdp-services";
  public static final String DISABLE_NLA = "disable-nla";

  /** All repair steps, in execution order. */
  public static final List<StepInfo> ORDER = List.of(
      new StepInfo(CLEAR_STALE_BINDING, false, false, false, null),
      new StepInfo(RESET_MACHINEKEYS_ACL, false, true, false, null),
      new StepInfo(RENAME_MACHINEKEYS, true, true, true, "--allow-machinekeys-rename"),
      // Exported (.cer, and .pfx when the key allows) before deletion and re-imported by rollback: not destructive.
      new StepInfo(REMOVE_RDP_CERTIFICATES, false, false, false, null),
      new StepInfo(ENABLE_TLS_SERVER, false, true, false, null),
      new StepInfo(ENABLE_REMOTE_CONNECTIONS, false, false, false, null),
      new StepInfo(ENABLE_RDP_FIREWALL_RULES, false, false, false, null),
      new StepInfo(RESYNC_TIME, false, false, false, null),
      new StepInfo(REFRESH_POLICY, false, false, false, null),
      new StepInfo(RESTART_RDP_SERVICES, false, false, false, null),
      new StepInfo(DISABLE_NLA, false, true, false, "--allow-disable-nla"));

  private static final Map<String, StepInfo> BY_ID =
      ORDER.stream().collect(Collectors.toUnmodifiableMap(StepInfo::id, Function.identity()));

  private RepairSteps() {}

  /** The step, or null for an unknown id. */
  public static StepInfo info(String id) {
    return BY_ID.get(id);
  }

  public static List<String> ids() {
    return ORDER.stream().map(StepInfo::id).toList();
  }

  static int rank(String id) {
    return ids().indexOf(id);
  }
}
