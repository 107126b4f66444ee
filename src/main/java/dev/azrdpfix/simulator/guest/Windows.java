package dev.azrdpfix.simulator.guest;

import dev.azrdpfix.simulator.guest.GuestState.Cert;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import dev.azrdpfix.simulator.rdp.SelfSignedCertificates;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** What the operating system itself does with the guest state: boot, TermService start, certificate issuance. */
final class Windows {
  static final String REMOTE_DESKTOP = "Remote Desktop";
  static final String MY = "My";
  static final String CRYPTO_RSA = "C:\\ProgramData\\Microsoft\\Crypto\\RSA";
  static final String MACHINEKEYS = CRYPTO_RSA + "\\MachineKeys";
  /** Key container of the guest agent's "Windows Azure CRP Certificate Generator" transport certificate. */
  static final String AGENT_TRANSPORT_KEY = "f686aace6942fb7f7ceb231212eef4a4_crp-transport";
  static final String TERMSERVICE_ACCOUNT = "NT Authority\\NetworkService";
  private static final int MAX_EVENTS = 400;

  private final GuestState s;

  Windows(GuestState state) {
    this.s = state;
  }

  GuestState state() {
    return s;
  }

  Instant guestNow(Instant now) {
    return now.plusSeconds(s.clockOffsetSeconds).truncatedTo(ChronoUnit.SECONDS);
  }

  static String iso(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  // ---- registry ----

  Integer dword(String path) {
    Object v = s.registry.get(path);
    return v instanceof Number n ? n.intValue() : null;
  }

  String string(String path) {
    Object v = s.registry.get(path);
    return v == null ? null : v.toString();
  }

  void set(String path, Object value) {
    if (value == null) {
      s.registry.remove(path);
    } else {
      s.registry.put(path, value);
    }
  }

  boolean rdpDenied() {
    Integer policy = dword(Reg.POLICY_DENY);
    if (policy != null) {
      return policy != 0; // a policy value overrides the local one
    }
    return Objects.equals(dword(Reg.DENY), 1);
  }

  // ---- certificates and keys ----

  Cert cert(String thumbprint) {
    if (thumbprint == null) {
      return null;
    }
    return s.certs.stream().filter(c -> c.thumbprint.equalsIgnoreCase(thumbprint)).findFirst().orElse(null);
  }

  Cert cert(String store, String thumbprint) {
    return s.certs.stream()
        .filter(c -> c.store.equals(store) && c.thumbprint.equalsIgnoreCase(thumbprint))
        .findFirst()
        .orElse(null);
  }

  List<Cert> remoteDesktopCerts() {
    return s.certs.stream().filter(c -> c.store.equals(REMOTE_DESKTOP)).toList();
  }

  boolean expired(Cert c, Instant now) {
    Instant g = guestNow(now);
    return Instant.parse(c.notAfter).isBefore(g) || Instant.parse(c.notBefore).isAfter(g);
  }

  /** Whether SYSTEM can open the certificate's private key: the key file is there and not damaged. */
  boolean keyOpens(Cert c) {
    return c.keyFile != null && s.machineKeys.keyFiles.contains(c.keyFile) && !s.machineKeys.corrupt;
  }

  /** Whether TermService (NETWORK SERVICE) can open the certificate's private key right now: its key file's ACL. */
  boolean keyReadable(Cert c) {
    return keyOpens(c) && Acl.networkServiceCanRead(keyFileSddl(c.keyFile));
  }

  int build() {
    try {
      return Integer.parseInt(s.osBuild);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The ACL of a key file: the healthy one of the build unless something changed it. */
  String keyFileSddl(String file) {
    return s.machineKeys.keyFileSddl.getOrDefault(file, Acl.healthyKeySddl(build()));
  }

  /** Whether Windows could create a new key container here (and TermService then read it). */
  boolean machineKeysHealthy() {
    return !s.machineKeys.corrupt && Acl.folderSound(s.machineKeys.sddl);
  }

  /** The certificate the listener really uses (Win32_TSGeneralSetting): the one TermService loaded, if any. */
  Cert listenerCertificate() {
    Cert loaded = cert(s.listenerThumbprint);
    return loaded != null ? loaded : rdpCertificate();
  }

  /** The certificate the listener would use: the bound one, else the newest self-signed one in Remote Desktop. */
  Cert rdpCertificate() {
    String bound = string(Reg.BINDING);
    if (bound != null) {
      Cert rd = cert(REMOTE_DESKTOP, bound);
      return rd != null ? rd : cert(MY, bound);
    }
    return remoteDesktopCerts().stream().max(Comparator.comparing(c -> Instant.parse(c.notAfter))).orElse(null);
  }

  /** What Windows issues: CN=computer name, valid six months from the guest's now. */
  Cert issueSelfSigned(Instant now) {
    Instant from = guestNow(now);
    return addSelfSigned(from, from.atZone(ZoneOffset.UTC).plusMonths(6).toInstant());
  }

  /** Adds a self-signed certificate with its key container to Remote Desktop (also used to build faulty guests). */
  Cert addSelfSigned(Instant from, Instant to) {
    SelfSignedCertificates.Issued issued = SelfSignedCertificates.issue(s.computerName, from, to);
    Cert c = new Cert();
    c.store = REMOTE_DESKTOP;
    c.thumbprint = issued.thumbprint();
    c.subject = "CN=" + s.computerName;
    c.notBefore = iso(from);
    c.notAfter = iso(to);
    c.der = issued.certificateDer();
    c.keyFile = UUID.nameUUIDFromBytes(issued.certificateDer()).toString().replace("-", "") + "_rdp";
    s.keyMaterial.put(c.keyFile, issued.privateKeyPkcs8());
    s.machineKeys.keyFiles.add(c.keyFile);
    s.certs.add(c);
    return c;
  }

  // ---- events ----

  void log(int id, Instant now, String message) {
    s.events.add(new GuestState.Event(id, iso(guestNow(now)), message));
    if (s.events.size() > MAX_EVENTS) {
      s.events.subList(0, s.events.size() - MAX_EVENTS).clear();
    }
  }

  int eventsLast24h(int id, Instant now) {
    Instant g = guestNow(now);
    Instant from = g.minus(Duration.ofHours(24));
    return (int) s.events.stream()
        .filter(e -> e.id == id)
        .map(e -> Instant.parse(e.time))
        .filter(t -> !t.isBefore(from) && !t.isAfter(g))
        .count();
  }

  // ---- services ----

  GuestState.Service service(String name) {
    return s.services.get(name);
  }

  /**
   * Starts SessionEnv and TermService as the service control manager would. On start TermService picks its
   * certificate; with no usable self-signed one Windows tries to issue a fresh one (events 1057/1058 when it can't).
   * Returns an error text when TermService cannot start, else null.
   */
  String startRdpServices(Instant now) {
    GuestState.Service ts = service("TermService");
    GuestState.Service env = service("SessionEnv");
    if ("Disabled".equals(ts.start)) {
      ts.state = "Stopped";
      return "Service 'Remote Desktop Services (TermService)' cannot be started: it is disabled";
    }
    if (!"Disabled".equals(env.start)) {
      env.state = "Running";
    }
    if (ts.hangsOnStart) {
      ts.state = "StartPending";
      log(7022, now, "The Remote Desktop Services service hung on starting.");
      return "TermService is hung in StartPending (PID " + ts.pid + ")";
    }
    if (!TERMSERVICE_ACCOUNT.equalsIgnoreCase(ts.account)) {
      ts.state = "Stopped";
      log(7000, now, "The Remote Desktop Services service failed to start due to a logon failure (1069).");
      return "TermService did not start: logon failure with account " + ts.account + " (error 1069)";
    }
    ts.state = "Running";
    renewSelfSignedIfNeeded(now);
    Cert served = rdpCertificate();
    String bound = string(Reg.BINDING);
    s.listenerThumbprint = bound != null ? bound : served == null ? null : served.thumbprint;
    if (served != null && !keyReadable(served)) {
      log(36870, now, "A fatal error occurred when attempting to access the TLS server credential private key. "
          + "The error code returned from the cryptographic module is 0x8009030D. The internal error state is 10001.");
    }
    return null;
  }

  private void renewSelfSignedIfNeeded(Instant now) {
    if (string(Reg.BINDING) != null) {
      return; // a bound custom certificate is never replaced by Windows
    }
    List<Cert> mine = remoteDesktopCerts();
    boolean usable = mine.stream().anyMatch(c -> !expired(c, now) && keyReadable(c));
    if (usable) {
      return;
    }
    Cert existing = rdpCertificate();
    if (existing != null && !expired(existing, now)) {
      return; // valid but unreadable: Windows keeps it, the handshake fails (36870)
    }
    if (existing != null && s.renewalBlocked.contains(existing.thumbprint)) {
      log(1058, now, "The RD Session Host Server has failed to replace the expired self signed certificate used "
          + "for RD Session Host Server authentication on SSL connections. The relevant status code was Object "
          + "already exists.");
      return;
    }
    if (!machineKeysHealthy()) {
      if (existing != null) {
        log(1058, now, "The RD Session Host Server has failed to replace the expired self signed certificate used "
            + "for RD Session Host Server authentication on SSL connections. The relevant status code was Access is "
            + "denied.");
      }
      log(1057, now, "The RD Session Host Server has failed to create a new self signed certificate to be used for "
          + "RD Session Host Server authentication on SSL connections. The relevant status code was Keyset does not "
          + "exist");
      return;
    }
    if (existing != null) {
      s.certs.remove(existing);
      s.machineKeys.keyFiles.remove(existing.keyFile);
      s.keyMaterial.remove(existing.keyFile);
    }
    issueSelfSigned(now);
  }

  /** A full restart of the guest: signed-in sessions end and a service hang clears. */
  void boot(Instant now) {
    s.sessions = 0;
    service("TermService").hangsOnStart = false;
    for (String v : Reg.TLS_VERSIONS) {
      s.tlsAtBoot.put(v, dword(Reg.tlsEnabled(v)));
    }
    s.gpoValues.forEach((name, value) -> set(Reg.policyPath(name), value));
    for (var e : s.services.entrySet()) {
      GuestState.Service svc = e.getValue();
      svc.state = "Automatic".equals(svc.start) ? "Running" : "Stopped";
    }
    // W32Time is trigger-started on Azure images (time provider), so it runs after boot unless Disabled.
    if (!"Disabled".equals(service("w32time").start)) {
      service("w32time").state = "Running";
    }
    s.listenerThumbprint = null;
    // TermService is Manual but the RDP stack starts it on demand at boot.
    startRdpServices(now);
    s.agentReady = s.machineKeys.keyFiles.contains(AGENT_TRANSPORT_KEY);
  }

  /** An Azure reapply: a new goal state makes the agent re-create its transport certificate. */
  void reapply() {
    if (!s.machineKeys.keyFiles.contains(AGENT_TRANSPORT_KEY)) {
      s.machineKeys.keyFiles.add(AGENT_TRANSPORT_KEY);
    }
    s.agentReady = true;
  }

  // ---- the listener ----

  /** Whether an enabled Remote Desktop allow rule covers the profile (what diagnose reports as rdpRules). */
  boolean rdpRuleCovers(String profile, boolean tcpOnly) {
    return s.firewall.rdpRules.values().stream()
        .anyMatch(r -> r.enabled && r.covers(profile) && (!tcpOnly || r.tcp3389));
  }

  boolean firewallAllowsRdp() {
    GuestState.Firewall fw = s.firewall;
    String p = fw.activeProfile;
    if (!fw.profiles.getOrDefault(p, true)) {
      return true;
    }
    return fw.allowInboundRules.getOrDefault(p, true) && rdpRuleCovers(p, true);
  }

  /** Whether TermService listens on the RDP port (it closes the listener while RDP is denied). */
  boolean listening() {
    return "Running".equals(service("TermService").state)
        && !rdpDenied()
        && !Objects.equals(dword(Reg.ENABLE_WINSTATION), 0)
        && !Objects.equals(dword(Reg.TS_ENABLED), 0);
  }

  RdpBehaviour behaviour(Instant now) {
    Duration skew = Duration.ofSeconds(s.clockOffsetSeconds);
    if (!firewallAllowsRdp()) {
      return new RdpBehaviour(Mode.BLACKHOLE, null, null, skew, s.computerName);
    }
    if (!listening()) {
      return new RdpBehaviour(Mode.REFUSED, null, null, skew, s.computerName);
    }
    if (Objects.equals(dword(Reg.SECURITY_LAYER), 0)) {
      return new RdpBehaviour(Mode.STANDARD_RDP_ONLY, null, null, skew, s.computerName);
    }
    boolean anyTls = false;
    for (String v : Reg.TLS_VERSIONS) {
      Integer enabled = s.tlsAtBoot.get(v);
      anyTls |= enabled == null || enabled != 0;
    }
    if (!anyTls) {
      log(36871, now, "A fatal error occurred while creating a TLS server credential. The internal error state is "
          + "10013.");
      return new RdpBehaviour(Mode.TLS_ALERT, null, null, skew, s.computerName);
    }
    Cert served = cert(s.listenerThumbprint);
    if (s.listenerThumbprint != null && served == null && string(Reg.BINDING) != null) {
      return new RdpBehaviour(Mode.NEG_FAILURE_CERT_NOT_ON_SERVER, null, null, skew, s.computerName);
    }
    if (served == null || !keyReadable(served)) {
      log(36870, now, "A fatal error occurred when attempting to access the TLS server credential private key. "
          + "The error code returned from the cryptographic module is 0x8009030D. The internal error state is 10001.");
      return new RdpBehaviour(Mode.CLOSE_AFTER_CLIENT_HELLO, null, null, skew, s.computerName);
    }
    Mode mode = Objects.equals(dword(Reg.USER_AUTH), 0) ? Mode.HEALTHY_TLS : Mode.HEALTHY_NLA;
    return new RdpBehaviour(mode, served.der.clone(), s.keyMaterial.get(served.keyFile).clone(), skew, s.computerName);
  }
}
