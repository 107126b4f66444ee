package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.simulator.guest.GuestState.Cert;
import dev.azrdpfix.simulator.guest.GuestState.Rule;
import dev.azrdpfix.simulator.guest.GuestState.Service;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Builds the guest of each simulated Windows VM in its initial (faulty) state, and restores saved guests. */
public final class GuestCatalog {
  /** Fault ids {@link #create} knows. */
  public static final List<String> FAULTS =
      List.of("healthy", "headline", "expired-cert", "machinekeys", "machinekeys-corrupt", "machinekeys-corrupt-acl",
          "termservice-stopped",
          "rdp-disabled", "firewall", "tls-disabled", "clock-skew", "gpo-rdp-disabled", "key-file-acl",
          "termservice-hung", "pinned-cert", "active-sessions", "backup-squatted", "fails-midway");

  private GuestCatalog() {}

  /**
   * The guest of a catalogue VM in its initial state. {@code fault} is the catalogue's fault id, e.g. "headline",
   * "healthy", "expired-cert", "machinekeys", "machinekeys-corrupt", "termservice-stopped", "rdp-disabled",
   * "firewall", "tls-disabled", "clock-skew" (and "gpo-rdp-disabled": a domain GPO denies RDP;
   * "machinekeys-corrupt-acl": a corrupt key store hidden behind a broken ACL; "key-file-acl": the RDP key file lacks
   * NETWORK SERVICE under a default folder; "termservice-hung": TermService hangs in StartPending; "pinned-cert": the
   * listener binding pins an expired certificate; "active-sessions": an expired certificate while two users are signed
   * in; "backup-squatted": an expired certificate and a C:\ProgramData\azrdpfix another user pre-created;
   * "fails-midway": the firewall rules are off and the firewall step fails after its first change).
   *
   * @throws IllegalArgumentException for an unknown fault id
   */
  public static GuestRuntime create(String computerName, String fault, Instant now) {
    if (!FAULTS.contains(fault)) {
      throw new IllegalArgumentException("unknown guest fault '" + fault + "'; known: " + String.join(", ", FAULTS));
    }
    GuestState s = healthy(computerName);
    Windows w = new Windows(s);
    Instant t = now.minus(Duration.ofDays(30));
    Cert cert;
    switch (fault) {
      case "headline" -> {
        // web-01: someone locked NETWORK SERVICE out of MachineKeys (folder and key files), then the self-signed
        // certificate expired and Windows could not replace it.
        s.machineKeys.sddl = Acl.BROKEN_MACHINEKEYS_SDDL;
        cert = w.addSelfSigned(now.minus(Duration.ofDays(200)), now.minus(Duration.ofDays(17)));
        s.machineKeys.keyFileSddl.put(cert.keyFile, Acl.BROKEN_KEY_SDDL);
        events(w, now, 1057, 2, "The RD Session Host Server has failed to create a new self signed certificate to be "
            + "used for RD Session Host Server authentication on SSL connections. The relevant status code was "
            + "Keyset does not exist");
        events(w, now, 1058, 3, "The RD Session Host Server has failed to replace the expired self signed "
            + "certificate used for RD Session Host Server authentication on SSL connections. The relevant status "
            + "code was Access is denied.");
        events(w, now, 36870, 12, "A fatal error occurred when attempting to access the TLS server credential "
            + "private key. The error code returned from the cryptographic module is 0x8009030D.");
      }
      case "expired-cert", "active-sessions", "backup-squatted" -> {
        cert = w.addSelfSigned(now.minus(Duration.ofDays(190)), now.minus(Duration.ofDays(7)));
        s.renewalBlocked.add(cert.thumbprint);
        events(w, now, 1058, 3, "The RD Session Host Server has failed to replace the expired self signed "
            + "certificate used for RD Session Host Server authentication on SSL connections. The relevant status "
            + "code was Object already exists.");
      }
      case "machinekeys" -> {
        s.machineKeys.sddl = Acl.BROKEN_MACHINEKEYS_SDDL;
        cert = w.addSelfSigned(t, t.plus(Duration.ofDays(182)));
        s.machineKeys.keyFileSddl.put(cert.keyFile, Acl.BROKEN_KEY_SDDL);
        events(w, now, 36870, 12, "A fatal error occurred when attempting to access the TLS server credential "
            + "private key. The error code returned from the cryptographic module is 0x8009030D.");
      }
      case "machinekeys-corrupt", "machinekeys-corrupt-acl" -> {
        // machinekeys-corrupt: the ACL is the default one, yet the key files are damaged, so diagnosis sees the
        // corruption at once. machinekeys-corrupt-acl: the ACL is broken too, which hides the corruption until an
        // ACL reset (the two-run escalation).
        if (fault.equals("machinekeys-corrupt-acl")) {
          s.machineKeys.sddl = Acl.BROKEN_MACHINEKEYS_SDDL;
        }
        s.machineKeys.corrupt = true;
        cert = w.addSelfSigned(t, t.plus(Duration.ofDays(182)));
        if (fault.equals("machinekeys-corrupt-acl")) {
          // SYSTEM itself is denied the key file, so nobody can tell yet that the key is damaged.
          s.machineKeys.keyFileSddl.put(cert.keyFile, "O:BAG:SYD:(D;;FA;;;SY)(A;;FA;;;BA)");
        }
        events(w, now, 1057, 2, "The RD Session Host Server has failed to create a new self signed certificate to be "
            + "used for RD Session Host Server authentication on SSL connections. The relevant status code was "
            + "Keyset does not exist");
        events(w, now, 36870, 12, "A fatal error occurred when attempting to access the TLS server credential "
            + "private key. The error code returned from the cryptographic module is 0x8009030D.");
      }
      case "key-file-acl" -> {
        // A valid certificate whose key file lost its NETWORK SERVICE entry; the folder is default.
        cert = w.addSelfSigned(t, t.plus(Duration.ofDays(182)));
        s.machineKeys.keyFileSddl.put(cert.keyFile, "O:SYG:SYD:(A;;FA;;;SY)(A;;FA;;;" + Acl.SESSION_ENV + ")");
        events(w, now, 36870, 12, "A fatal error occurred when attempting to access the TLS server credential "
            + "private key. The error code returned from the cryptographic module is 0x8009030D.");
      }
      case "pinned-cert" -> {
        // The listener is bound (SSLCertificateSHA1Hash) to a self-signed certificate that has expired.
        cert = w.addSelfSigned(now.minus(Duration.ofDays(190)), now.minus(Duration.ofDays(7)));
        w.set(Reg.BINDING, cert.thumbprint);
      }
      default -> cert = w.addSelfSigned(t, t.plus(Duration.ofDays(182)));
    }
    s.listenerThumbprint = cert.thumbprint;
    switch (fault) {
      case "termservice-stopped" -> {
        s.services.get("TermService").state = "Stopped";
        s.services.get("TermService").start = "Disabled";
        s.services.get("SessionEnv").state = "Stopped";
        s.listenerThumbprint = null;
      }
      case "rdp-disabled" -> w.set(Reg.DENY, 1);
      case "firewall" -> s.firewall.rdpRules.values().forEach(r -> r.enabled = false);
      case "tls-disabled" -> {
        for (String v : Reg.TLS_VERSIONS) {
          w.set(Reg.tlsEnabled(v), 0);
          s.tlsAtBoot.put(v, 0);
        }
        events(w, now, 36871, 6, "A fatal error occurred while creating a TLS server credential. The internal error "
            + "state is 10013.");
      }
      case "clock-skew" -> {
        s.clockOffsetSeconds = Duration.ofHours(2).toSeconds();
        s.services.get("w32time").state = "Stopped";
      }
      case "termservice-hung" -> {
        Service ts = s.services.get("TermService");
        ts.state = "StartPending";
        ts.hangsOnStart = true;
        ts.pid = 4242;
        s.listenerThumbprint = null;
        events(w, now, 7022, 2, "The Remote Desktop Services service hung on starting.");
      }
      case "active-sessions" -> s.sessions = 2;
      case "backup-squatted" -> s.backupRootSquatter = "S-1-5-21-1004336348-1177238915-682003330-1001";
      case "fails-midway" -> {
        s.firewall.rdpRules.values().forEach(r -> r.enabled = false);
        s.failsMidway = "enable-rdp-firewall-rules";
      }
      case "gpo-rdp-disabled" -> {
        s.domainJoined = true;
        s.domainName = "corp.example.com";
        s.firewall.activeProfile = "Domain";
        s.gpoValues.put("fDenyTSConnections", 1);
        w.set(Reg.POLICY_DENY, 1);
      }
      default -> {
        // the certificate and MachineKeys faults above
      }
    }
    return new WindowsGuest(s);
  }

  /** A guest restored from {@link GuestRuntime#toJson()}. */
  public static GuestRuntime restore(JsonNode json) {
    return WindowsGuest.fromJson(json);
  }

  private static GuestState healthy(String computerName) {
    GuestState s = new GuestState();
    s.computerName = computerName;
    s.registry.put(Reg.DENY, 0);
    s.registry.put(Reg.PORT, 3389);
    s.registry.put(Reg.SECURITY_LAYER, 2);
    s.registry.put(Reg.USER_AUTH, 1);
    s.registry.put(Reg.MIN_ENCRYPTION, 2);
    s.registry.put(Reg.ENABLE_WINSTATION, 1);
    s.registry.put(Reg.TS_ENABLED, 1);
    s.registry.put(Reg.TS_USER_ENABLED, 0);
    s.registry.put(Reg.TS_DRAIN, 0);
    s.registry.put(Reg.LOGON_DISABLED, 0);
    s.registry.put(Reg.LAN_ADAPTER, 0);
    s.registry.put(Reg.FIPS, 0);
    for (String v : Reg.TLS_VERSIONS) {
      s.tlsAtBoot.put(v, null);
    }
    s.machineKeys.keyFiles.add(Windows.AGENT_TRANSPORT_KEY);
    s.services.put("TermService", new Service("Running", "Manual", Windows.TERMSERVICE_ACCOUNT));
    s.services.put("SessionEnv", new Service("Running", "Manual", "localSystem"));
    s.services.put("w32time", new Service("Running", "Manual", "NT AUTHORITY\\LocalService"));
    for (String p : new String[] {"Domain", "Private", "Public"}) {
      s.firewall.profiles.put(p, true);
      s.firewall.allowInboundRules.put(p, true);
    }
    s.firewall.rdpRules.put("RemoteDesktop-UserMode-In-TCP", new Rule(true, true));
    s.firewall.rdpRules.put("RemoteDesktop-UserMode-In-UDP", new Rule(true, false));
    s.firewall.rdpRules.put("RemoteDesktop-Shadow-In-TCP", new Rule(true, false));
    return s;
  }

  /** {@code count} System log entries spread over the last hours, the newest a few minutes ago. */
  private static void events(Windows w, Instant now, int id, int count, String message) {
    for (int i = count; i >= 1; i--) {
      Instant at = now.minus(Duration.ofMinutes(5L + 47L * i));
      w.state().events.add(new GuestState.Event(id, Windows.iso(w.guestNow(at)), message));
    }
  }
}
