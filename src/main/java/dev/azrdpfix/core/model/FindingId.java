package dev.azrdpfix.core.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every finding azrdpfix reports, by its stable id. Automation matches on the serialised form, {@link #id()}: the
 * constant's name in lower case with dashes ({@code RDP_BLOCKED_BY_NSG} is {@code rdp-blocked-by-nsg}), so renaming a
 * constant changes the public contract. The README's list of finding ids is checked against this enum.
 */
public enum FindingId {
  // Azure side: resolving the VM, its model and instance view.
  VM_NOT_FOUND, VM_NAME_AMBIGUOUS, NOT_WINDOWS, VM_NOT_RUNNING, GUEST_AGENT_NOT_READY, VM_PROVISIONING_NOT_SUCCEEDED, BOOT_DIAGNOSTICS_DISABLED,
  /** The guest could not be diagnosed (no Run Command permission, Run Command busy, agent down, timeout...). */
  GUEST_NOT_DIAGNOSED,

  // Azure side: the network path to the RDP port.
  NO_NETWORK_INTERFACE, NO_PUBLIC_IP, RDP_BLOCKED_BY_NSG, RDP_OPEN_TO_INTERNET, NSG_CANNOT_EVALUATE, RDP_RESTRICTED_SOURCES, RDP_BLOCKED_FOR_SOURCE, RDP_ALLOWED_FOR_SOURCE,

  // Guest side: certificates and keys.
  STALE_CERTIFICATE_BINDING, RDP_CERTIFICATE_MISSING, RDP_CERTIFICATE_EXPIRED, RDP_CERTIFICATE_KEY_UNREADABLE, RDP_CERTIFICATE_KEYLESS, MACHINEKEYS_CORRUPT, MACHINEKEYS_ACL_NOT_DEFAULT, SCHANNEL_KEY_ERRORS,

  // Guest side: services, listener and switches.
  TERMSERVICE_DISABLED, TERMSERVICE_NOT_RUNNING, SESSIONENV_NOT_RUNNING, TERMSERVICE_HUNG, ACTIVE_RDP_SESSIONS, RDP_DISABLED, RDP_DISABLED_BY_POLICY, LISTENER_DISABLED, RDP_PORT_NONSTANDARD, RDP_PORT_HELD_BY_OTHER_PROCESS, RDP_PORT_NOT_LISTENING, RDP_SWITCH_OFF, RDP_BOUND_TO_ONE_ADAPTER,

  // Guest side: firewall, TLS and security settings, clock, policy, network.
  FIREWALL_BLOCKS_RDP, FIREWALL_BLOCK_RULE, TLS_SERVER_DISABLED, FIPS_ENABLED, NLA_DISABLED, SECURITY_LAYER_RDP, CLOCK_SKEW, DOMAIN_GPO_CONTROLS, MTU_NONSTANDARD,

  // Runs on the VM: what its run folders, journals and facts say about azrdpfix itself.
  RUN_INTERRUPTED, GUEST_VALUE_OUT_OF_RANGE;

  private static final Map<String, FindingId> BY_ID =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(FindingId::id, Function.identity()));

  private final String id;

  FindingId() {
    this.id = name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The stable kebab-case form written to JSON and text output, e.g. {@code rdp-blocked-by-nsg}. */
  public String id() {
    return id;
  }

  /** The finding with that kebab-case id, or null if there is none. */
  public static FindingId fromId(String id) {
    return BY_ID.get(id);
  }

  /** The kebab-case id, so that text output that appends a finding id prints what JSON carries. */
  @Override
  public String toString() {
    return id;
  }
}
