package dev.azrdpfix.core.guest;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * The facts the {@code diagnose} template reports from inside the VM (templates/CONTRACT.md). Every value the guest
 * could not read is null; times stay ISO-8601 text as sent so that the record serialises with plain Jackson.
 */
public record GuestFacts(
    String time,
    Os os,
    Domain domain,
    List<Cert> certs,
    Integer certCount,
    Binding binding,
    MachineKeys machineKeys,
    Map<String, Service> services,
    Listener listener,
    Registry registry,
    List<String> gpo,
    Tls tls,
    Integer fips,
    Firewall firewall,
    Map<String, Integer> events,
    Integer mtu,
    RdpKey rdpKey,
    Integer sessions,
    Tls tlsDisabledByDefault,
    Lock lock) {

  /**
   * The run that holds {@code C:\ProgramData\azrdpfix\run.lock} on the VM: its id, kind ({@code repair} or
   * {@code rollback}) and start time (ISO-8601 text); any of them null when it did not validate.
   */
  public record Lock(String runId, String kind, String started) {
    /** Run Command's own limit: a lock older than this belongs to a run that was cut off. */
    public static final java.time.Duration RUN_COMMAND_LIMIT = java.time.Duration.ofMinutes(90);

    /**
     * Why a repair or rollback refuses (exit 4): who holds the lock, since when, and what to do. {@code now} is the
     * guest's clock (null: unknown).
     */
    public String refusal(String vm, Instant now) {
      Instant since = started == null ? null : parseTime(started);
      java.time.Duration age = since == null || now == null ? null : java.time.Duration.between(since, now);
      String who = "run " + (runId == null ? "(unknown id)" : runId) + (kind == null ? "" : " (" + kind + ")")
          + (started == null ? "" : " since " + started) + (age == null || age.isNegative() ? ""
              : ", " + age.toMinutes() + " min ago");
      boolean stale = age != null && age.compareTo(RUN_COMMAND_LIMIT) > 0;
      return vm + " is locked by " + who + ": " + (stale
          ? "older than Run Command's 90-minute limit, so that run was cut off. See 'azrdpfix rollback " + vm
              + " --list'; clear the lock with 'azrdpfix rollback " + vm + " --list --break-lock'."
          : "another repair or rollback is running. Wait for it, then rerun; see 'azrdpfix rollback " + vm
              + " --list'.");
    }
  }

  public GuestFacts {
    certs = certs == null ? List.of() : List.copyOf(certs);
    services = services == null ? Map.of() : Map.copyOf(services);
    gpo = gpo == null ? List.of() : List.copyOf(gpo);
    events = events == null ? Map.of() : Map.copyOf(events);
  }

  /** Operating system caption and build number. */
  public record Os(String caption, String build) {}

  /** Domain membership. */
  public record Domain(Boolean joined, String name) {}

  /** One certificate: {@code store} is "Remote Desktop" or "My" (a bound certificate). */
  public record Cert(
      String tp,
      String subject,
      String notBefore,
      String notAfter,
      Boolean selfSigned,
      Boolean hasKey,
      Boolean keyReadable,
      String store) {

    public boolean inRemoteDesktopStore() {
      return store == null || "Remote Desktop".equals(store);
    }
  }

  /** {@code RDP-Tcp\SSLCertificateSHA1Hash} and whether a certificate with that thumbprint exists. */
  public record Binding(String tp, Boolean found) {}

  /** The MachineKeys folder: ACL state, whether the RDP key is readable, and evidence of corruption. */
  public record MachineKeys(String sddl, Boolean isDefault, Boolean grantsOk, Boolean rdpKeyReadable,
      Boolean corrupt) {}

  /** A Windows service as Get-Service sees it: state (Running, Stopped...), start (Automatic, Manual, Disabled). */
  public record Service(String state, String start, String account) {
    public boolean running() {
      return "Running".equalsIgnoreCase(state);
    }

    public boolean disabled() {
      return "Disabled".equalsIgnoreCase(start);
    }
  }

  /** Who listens on the RDP port. */
  public record Listener(Integer port, String process, String service) {}

  /** Terminal Server registry values (local, and the policy fDenyTSConnections). */
  public record Registry(
      Integer fDenyTSConnections,
      Integer policyDenyTSConnections,
      Integer portNumber,
      Integer securityLayer,
      Integer userAuthentication,
      Integer minEncryptionLevel,
      Integer fEnableWinStation,
      Integer tsEnabled,
      Integer tsUserEnabled,
      Integer tsServerDrainMode,
      Integer fLogonDisabled,
      Integer lanAdapter) {}

  /** SCHANNEL {@code TLS x.y\Server\Enabled}; null means not set, i.e. the OS default (enabled). */
  public record Tls(Integer tls10, Integer tls11, Integer tls12) {}

  /**
   * The certificate the RDP listener really uses and its key file: {@code source} is how it was found ("wmi":
   * Win32_TSGeneralSetting, "binding", "newest" in Remote Desktop), {@code provider} "CAPI" or "CNG", {@code file} the
   * key container file name, {@code sddl} its ACL, {@code missing} the SIDs of the OS build's entries it lacks (a
   * blocking deny as {@code deny:<SID>}), {@code opens} whether SYSTEM can open the key.
   */
  public record RdpKey(
      String tp, String source, String provider, String file, String sddl, List<String> missing, Boolean opens) {
    public RdpKey {
      missing = missing == null ? null : List.copyOf(missing);
    }
  }

  /**
   * Windows Firewall as in force (active store): profile switches, RDP rule coverage per profile, block-all-inbound,
   * active categories, and the number of enabled inbound Block rules that cover the RDP port.
   */
  public record Firewall(
      Map<String, Boolean> profiles,
      Map<String, Boolean> rdpRules,
      Boolean blockInbound,
      List<String> active,
      Integer blockRules) {
    public Firewall {
      profiles = profiles == null ? Map.of() : Map.copyOf(profiles);
      rdpRules = rdpRules == null ? Map.of() : Map.copyOf(rdpRules);
      active = active == null ? List.of() : List.copyOf(active);
    }
  }

  /** The service entry, or null when the guest did not report it. */
  public Service service(String name) {
    return services.get(name);
  }

  /** How often a System event id occurred in the last 24 hours (0 when not reported). */
  public int eventCount(String id) {
    Integer n = events.get(id);
    return n == null ? 0 : n;
  }

  /** Parses a contract time ("2026-11-23T05:00:00Z"); null for null or unparseable text. */
  public static Instant parseTime(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
