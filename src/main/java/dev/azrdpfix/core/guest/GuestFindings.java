package dev.azrdpfix.core.guest;

import static dev.azrdpfix.core.guest.RepairSteps.CLEAR_STALE_BINDING;
import static dev.azrdpfix.core.guest.RepairSteps.ENABLE_RDP_FIREWALL_RULES;
import static dev.azrdpfix.core.guest.RepairSteps.ENABLE_REMOTE_CONNECTIONS;
import static dev.azrdpfix.core.guest.RepairSteps.ENABLE_TLS_SERVER;
import static dev.azrdpfix.core.guest.RepairSteps.REFRESH_POLICY;
import static dev.azrdpfix.core.guest.RepairSteps.REMOVE_RDP_CERTIFICATES;
import static dev.azrdpfix.core.guest.RepairSteps.RENAME_MACHINEKEYS;
import static dev.azrdpfix.core.guest.RepairSteps.REPAIR_RDP_KEY_ACL;
import static dev.azrdpfix.core.guest.RepairSteps.RESET_MACHINEKEYS_ACL;
import static dev.azrdpfix.core.guest.RepairSteps.RESYNC_TIME;

import dev.azrdpfix.contract.WindowsFacts;
import dev.azrdpfix.contract.Wire;
import dev.azrdpfix.core.guest.GuestFacts.Cert;
import dev.azrdpfix.core.guest.GuestFacts.Service;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.Severity;
import dev.azrdpfix.core.model.Thumbprint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the guest facts into findings, and records which repair steps each piece of evidence asks for. Only facts
 * count as evidence (an unknown value never does). Certificate expiry and clock skew are judged against the caller's
 * clock, because the guest's own clock may be the fault. Choosing, ordering and gating the steps is
 * {@link RepairPlanner}'s job.
 */
final class GuestFindings {
  /** Guest clock further than this outside the call window counts as skewed (Kerberos' default tolerance). */
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  static final String DEFAULT_MACHINEKEYS_SDDL = WindowsFacts.DEFAULT_MACHINEKEYS_SDDL;

  /**
   * What the facts show: the findings in the order the rules produced them, the steps their evidence asks for (by step
   * id, in the order first asked), and why the RDP services need a restart (null when no finding asks for one).
   */
  record Result(List<Finding> findings, Map<String, StepRequest> requested, String restartReason) {
    Result {
      findings = List.copyOf(findings);
      requested = Collections.unmodifiableMap(new LinkedHashMap<>(requested));
    }
  }

  private final GuestFacts facts;
  private final Instant callStart;
  private final Instant callEnd;
  private final List<Finding> findings = new ArrayList<>();
  private final Map<String, StepRequest> requested = new LinkedHashMap<>();
  private String restartReason;

  private GuestFindings(GuestFacts facts, Instant callStart, Instant callEnd) {
    this.facts = Objects.requireNonNull(facts, "facts");
    this.callStart = Objects.requireNonNull(callStart, "callStart");
    this.callEnd = callEnd == null ? callStart : callEnd;
  }

  /** Reads one diagnosis. {@code callStart}/{@code callEnd} bracket the Run Command call that produced the facts. */
  static Result read(GuestFacts facts, Instant callStart, Instant callEnd) {
    GuestFindings g = new GuestFindings(facts, callStart, callEnd);
    g.certificates();
    g.machineKeys();
    g.services();
    g.listenerAndSwitches();
    g.firewall();
    g.tlsAndSecurity();
    g.clock();
    g.events();
    g.gpo();
    g.mtu();
    return new Result(g.findings, g.requested, g.restartReason);
  }

  private void certificates() {
    GuestFacts.Binding binding = facts.binding();
    Cert bound = null;
    if (binding != null && binding.tp() != null) {
      Thumbprint bindingTp = Thumbprint.parse(binding.tp());
      String tp = bindingTp == null ? binding.tp() : bindingTp.hex();
      bound = bindingTp == null ? null
          : facts.certs().stream().filter(c -> bindingTp.equals(Thumbprint.parse(c.tp()))).findFirst().orElse(null);
      boolean missing = Boolean.FALSE.equals(binding.found()) || (binding.found() == null && bound == null);
      boolean expired = bound != null && expired(bound);
      if (missing || expired) {
        String why = missing ? "no certificate with that thumbprint exists in Remote Desktop or My"
            : "the bound certificate expired " + bound.notAfter();
        add(FindingId.STALE_CERTIFICATE_BINDING, Severity.CRITICAL,
            "The RDP listener is bound to a certificate that is " + (missing ? "missing" : "expired"),
            "binding.tp=" + tp + ", binding.found=" + binding.found() + ": " + why,
            "Delete RDP-Tcp\\SSLCertificateSHA1Hash so Windows falls back to its self-signed certificate "
                + "(repair step clear-stale-binding), or bind a valid certificate.");
        if (bindingTp != null) {
          want(CLEAR_STALE_BINDING, Map.of("Thumbprint", tp),
              "binding " + tp + " is " + (missing ? "missing" : "expired"));
        }
      }
    }
    List<Cert> rd = facts.certs().stream().filter(Cert::inRemoteDesktopStore).toList();
    GuestFacts.RdpKey key = facts.rdpKey();
    Thumbprint keyTp = key == null ? null : Thumbprint.parse(key.tp());
    Cert listening = keyTp == null ? null
        : facts.certs().stream().filter(c -> keyTp.equals(Thumbprint.parse(c.tp()))).findFirst().orElse(null);
    Cert inUse = listening != null ? listening : bound != null ? bound : rd.stream().findFirst().orElse(null);
    if (inUse == null || !inUse.inRemoteDesktopStore()) {
      if (rd.isEmpty() && (binding == null || binding.tp() == null) && certCountKnownZero()) {
        add(FindingId.RDP_CERTIFICATE_MISSING, Severity.WARNING,
            "There is no RDP certificate in the Remote Desktop store",
            "certs=[] and certCount=0, binding.tp=null",
            "Restart SessionEnv and TermService so Windows issues a self-signed certificate (restart-rdp-services).");
        restartForServices("no RDP certificate in Remote Desktop");
      }
      return;
    }
    List<String> removable = new ArrayList<>();
    if (expired(inUse)) {
      add(FindingId.RDP_CERTIFICATE_EXPIRED, Severity.CRITICAL, "The RDP certificate has expired",
          "certs: tp=" + inUse.tp() + " subject=" + inUse.subject() + " notAfter=" + inUse.notAfter()
              + " (now " + callStart + "), selfSigned=" + inUse.selfSigned(),
          "Delete it from Cert:\\LocalMachine\\Remote Desktop and restart SessionEnv/TermService so Windows issues a "
              + "new one (remove-rdp-certificates, restart-rdp-services).");
    }
    if (Boolean.FALSE.equals(inUse.hasKey())) {
      add(FindingId.RDP_CERTIFICATE_KEYLESS, Severity.CRITICAL, "The RDP certificate has no private key",
          "certs: tp=" + inUse.tp() + " hasKey=false",
          "Delete it so Windows issues a new one (remove-rdp-certificates, restart-rdp-services).");
    }
    Thumbprint inUseTp = Thumbprint.parse(inUse.tp());
    boolean missingEntries = key != null && key.file() != null && key.missing() != null && !key.missing().isEmpty()
        && inUseTp != null && inUseTp.equals(keyTp);
    if (Boolean.FALSE.equals(inUse.keyReadable()) || missingEntries) {
      add(FindingId.RDP_CERTIFICATE_KEY_UNREADABLE, Severity.CRITICAL,
          "TermService cannot read the private key of the RDP certificate",
          "certs: tp=" + inUse.tp() + " hasKey=" + inUse.hasKey() + " keyReadable=" + inUse.keyReadable()
              + (key == null ? "" : "; rdpKey: file=" + key.file() + " provider=" + key.provider() + " missing="
                  + key.missing()),
          "Add only the missing entries to that one key file (repair-rdp-key-acl), then restart the services; "
              + "an expired certificate is deleted instead (remove-rdp-certificates).");
    }
    // A key in a corrupt key store cannot be repaired by ACL entries: the certificate is as good as key-less.
    boolean corruptStore = facts.machineKeys() != null && Boolean.TRUE.equals(facts.machineKeys().corrupt());
    boolean valid = !expired(inUse) && !Boolean.FALSE.equals(inUse.hasKey()) && !corruptStore;
    if (valid && (Boolean.FALSE.equals(inUse.keyReadable()) || missingEntries) && inUseTp != null) {
      want(REPAIR_RDP_KEY_ACL, Map.of("Thumbprint", inUseTp.hex()),
          "the key file of " + inUseTp.hex() + " lacks entries" + (key == null ? "" : " " + key.missing()));
    }
    if (!valid) {
      // Every Remote Desktop certificate in the same state goes too: Windows issues one fresh certificate for all.
      for (Cert c : rd) {
        Thumbprint t = Thumbprint.parse(c.tp());
        if ((expired(c) || Boolean.FALSE.equals(c.hasKey()) || (corruptStore && c == inUse)) && t != null
            && removable.size() < RepairPlanner.MAX_THUMBPRINTS) {
          removable.add(t.hex());
        }
      }
      if (!removable.isEmpty()) {
        want(REMOVE_RDP_CERTIFICATES, Map.of("Thumbprints", String.join(Wire.LIST_SEPARATOR, removable)),
            "certificate " + String.join(",", removable) + " is expired or has no key");
      }
    }
  }

  private boolean certCountKnownZero() {
    return facts.certCount() != null && facts.certCount() == 0;
  }

  private void machineKeys() {
    GuestFacts.MachineKeys mk = facts.machineKeys();
    if (mk == null) {
      return;
    }
    boolean keyEvidence = Boolean.FALSE.equals(mk.rdpKeyReadable()) || keyEventCount() > 0;
    boolean aclSound = Boolean.TRUE.equals(mk.isDefault()) || Boolean.TRUE.equals(mk.grantsOk());
    // After an ACL reset has removed the unreadable certificate, there is no key left to test; Windows failing to
    // create a new self-signed certificate (1057) with a sound ACL is then the sign of a damaged key store.
    boolean cannotCreate = aclSound && certCountKnownZero() && facts.eventCount("1057") > 0;
    if (cannotCreate && !Boolean.TRUE.equals(mk.corrupt())) {
      add(FindingId.MACHINEKEYS_CORRUPT, Severity.CRITICAL,
          "Windows cannot create an RDP key although MachineKeys' ACL is"
              + " sound: the key store is damaged",
          "no certificate in Remote Desktop (certCount=0), machineKeys.sddl=" + mk.sddl() + ", events.1057="
              + facts.eventCount("1057") + " (cannot create self-signed certificate)",
          "Escalation: rename MachineKeys and reapply the VM (rename-machinekeys, needs --allow-machinekeys-rename);"
              + " this orphans every machine key, see the report's rollback section.");
      want(RENAME_MACHINEKEYS, Map.of(), "Windows cannot create a key in MachineKeys");
    }
    if (Boolean.TRUE.equals(mk.corrupt())) {
      add(FindingId.MACHINEKEYS_CORRUPT, Severity.CRITICAL, "The MachineKeys folder or the RDP key in it is damaged",
          mk.sddl() == null ? "machineKeys.corrupt=true, sddl=null (folder missing)"
              : "machineKeys.corrupt=true: the RDP key cannot be opened although the ACL is sound (sddl=" + mk.sddl()
                  + ")",
          "Escalation: rename MachineKeys and reapply the VM (rename-machinekeys, needs --allow-machinekeys-rename); "
              + "this orphans every machine key, see the report's rollback section.");
      want(RENAME_MACHINEKEYS, Map.of(), "MachineKeys is corrupt");
    }
    if (mk.sddl() != null && !Boolean.TRUE.equals(mk.isDefault()) && !Boolean.TRUE.equals(mk.grantsOk())) {
      add(FindingId.MACHINEKEYS_ACL_NOT_DEFAULT, keyEvidence ? Severity.CRITICAL : Severity.WARNING,
          "The MachineKeys ACL is neither the default nor the documented reset state",
          "machineKeys.sddl=" + mk.sddl() + " (default " + DEFAULT_MACHINEKEYS_SDDL + "), rdpKeyReadable="
              + mk.rdpKeyReadable() + ", events 1057/1058/36870=" + facts.eventCount("1057") + "/"
              + facts.eventCount("1058") + "/" + facts.eventCount("36870"),
          "Save the ACL and add only the missing default entries to the folder (reset-machinekeys-acl; the recursive "
              + "documented reset only behind an explicit flag), then restart the services.");
      want(RESET_MACHINEKEYS_ACL, Map.of(), "MachineKeys ACL is not default: " + mk.sddl());
    }
  }

  private int keyEventCount() {
    return facts.eventCount("1057") + facts.eventCount("1058") + facts.eventCount("36870");
  }

  private void services() {
    Service ts = facts.service("TermService");
    if (ts != null && ts.disabled()) {
      add(FindingId.TERMSERVICE_DISABLED, Severity.CRITICAL,
          "The Remote Desktop Services service (TermService) is disabled",
          "services.TermService.start=" + ts.start() + ", state=" + ts.state(),
          "Set TermService back to Manual start and start it (restart-rdp-services).");
      restartForServices("TermService is disabled");
    }
    if (ts != null && !ts.running()) {
      add(FindingId.TERMSERVICE_NOT_RUNNING, Severity.CRITICAL, "TermService is not running",
          "services.TermService.state=" + ts.state() + ", start=" + ts.start() + ", account=" + ts.account(),
          "Start TermService (restart-rdp-services); if it fails, check its logon account (NT Authority\\NetworkService).");
      restartForServices("TermService is " + ts.state());
    }
    Service se = facts.service("SessionEnv");
    if (se != null && !se.running()) {
      add(FindingId.SESSIONENV_NOT_RUNNING, Severity.WARNING,
          "SessionEnv (Remote Desktop Configuration) is not running; it renews the self-signed certificate",
          "services.SessionEnv.state=" + se.state() + ", start=" + se.start(),
          "Restart SessionEnv and TermService (restart-rdp-services) if a certificate problem is also reported.");
      if (se.disabled()) {
        restartForServices("SessionEnv is disabled");
      }
    }
    if (facts.sessions() != null && facts.sessions() > 0) {
      add(FindingId.ACTIVE_RDP_SESSIONS, Severity.INFO, facts.sessions() + " RDP session(s) are signed in",
          "sessions=" + facts.sessions() + " (Win32_LogonSession, LogonType 10)",
          "A TermService restart (restart-rdp-services) or a VM restart drops them: warn their users first.");
    }
    if (facts.eventCount("7022") > 0) {
      boolean down = ts != null && !ts.running();
      add(FindingId.TERMSERVICE_HUNG, down ? Severity.CRITICAL : Severity.WARNING,
          "TermService hung on starting in the last 24 hours",
          "events.7022=" + facts.eventCount("7022") + ", services.TermService.state="
              + (ts == null ? null : ts.state()),
          "Restart TermService (restart-rdp-services); if it hangs again, run it in its own process "
              + "(sc config TermService type= own) and look for third-party filters.");
      restartForServices("event 7022: TermService hung on starting");
    }
  }

  private void listenerAndSwitches() {
    GuestFacts.Registry reg = facts.registry();
    if (reg != null) {
      if (Integer.valueOf(1).equals(reg.fDenyTSConnections())) {
        add(FindingId.RDP_DISABLED, Severity.CRITICAL, "Remote Desktop connections are turned off",
            "registry.fDenyTSConnections=1",
            "Set fDenyTSConnections=0 (enable-remote-connections).");
        want(ENABLE_REMOTE_CONNECTIONS, Map.of(), "fDenyTSConnections=1");
      }
      if (Integer.valueOf(1).equals(reg.policyDenyTSConnections())) {
        add(FindingId.RDP_DISABLED_BY_POLICY, Severity.CRITICAL, "Group Policy denies Remote Desktop connections",
            "registry.policyDenyTSConnections=1, gpo=" + facts.gpo(),
            "Change the GPO \"Allow users to connect remotely by using Remote Desktop Services\", then refresh "
                + "policy (refresh-policy); azrdpfix does not overwrite policy values.");
        want(REFRESH_POLICY, Map.of(), "policy fDenyTSConnections=1");
      }
      List<String> switches = new ArrayList<>();
      if (Integer.valueOf(0).equals(reg.tsEnabled())) {
        switches.add("TSEnabled=0");
      }
      if (Integer.valueOf(1).equals(reg.tsUserEnabled())) {
        switches.add("TSUserEnabled=1");
      }
      if (Integer.valueOf(1).equals(reg.tsServerDrainMode())) {
        switches.add("TSServerDrainMode=1");
      }
      if (Integer.valueOf(1).equals(reg.fLogonDisabled())) {
        switches.add("fLogonDisabled=1");
      }
      if (!switches.isEmpty()) {
        add(FindingId.RDP_SWITCH_OFF, Severity.CRITICAL,
            "A Remote Desktop switch is set to refuse connections or logons",
            "registry." + String.join(", registry.", switches),
            "Set them back (TSEnabled=1, TSUserEnabled=0, TSServerDrainMode=0, fLogonDisabled=0: "
                + "enable-remote-connections).");
        want(ENABLE_REMOTE_CONNECTIONS, Map.of(), String.join(", ", switches));
      }
      if (reg.lanAdapter() != null && reg.lanAdapter() != 0) {
        add(FindingId.RDP_BOUND_TO_ONE_ADAPTER, Severity.WARNING, "The RDP listener is bound to one network adapter",
            "registry.LanAdapter=" + reg.lanAdapter(),
            "Set RDP-Tcp LanAdapter=0 (all adapters) unless the VM needs it: Azure can replace the NIC and leave "
                + "the listener on none (not changed by azrdpfix).");
      }
      if (Integer.valueOf(0).equals(reg.fEnableWinStation())) {
        add(FindingId.LISTENER_DISABLED, Severity.CRITICAL, "The RDP-Tcp listener is disabled",
            "registry.fEnableWinStation=0",
            "Set RDP-Tcp fEnableWinStation=1 and restart TermService (enable-remote-connections, restart-rdp-services).");
        want(ENABLE_REMOTE_CONNECTIONS, Map.of(), "fEnableWinStation=0");
      }
      if (reg.portNumber() != null && reg.portNumber() != 3389) {
        add(FindingId.RDP_PORT_NONSTANDARD, Severity.INFO, "RDP listens on port " + reg.portNumber() + ", not 3389",
            "registry.PortNumber=" + reg.portNumber(),
            "The NSG rule, the guest firewall rule and the probe must use port " + reg.portNumber() + ".");
      }
    }
    GuestFacts.Listener l = facts.listener();
    Service ts = facts.service("TermService");
    if (l != null && l.process() != null && !"TermService".equalsIgnoreCase(l.service())) {
      add(FindingId.RDP_PORT_HELD_BY_OTHER_PROCESS, Severity.CRITICAL,
          "Another program listens on the RDP port",
          "listener.port=" + l.port() + ", process=" + l.process() + ", service=" + l.service(),
          "Stop that program or service and start TermService, or move RDP to another port and update the guest "
              + "firewall and the NSG.");
    } else if (l != null && l.port() != null && l.process() == null && ts != null && ts.running()
        && !hasFinding(FindingId.RDP_DISABLED) && !hasFinding(FindingId.LISTENER_DISABLED)) {
      add(FindingId.RDP_PORT_NOT_LISTENING, Severity.WARNING,
          "Nothing listens on the RDP port although TermService runs",
          "listener.port=" + l.port() + ", process=null, services.TermService.state=" + ts.state(),
          "Restart TermService (restart-rdp-services).");
      restartForServices("nothing listens on port " + l.port());
    }
  }

  private void firewall() {
    GuestFacts.Firewall fw = facts.firewall();
    if (fw == null) {
      return;
    }
    List<String> checked = fw.active().isEmpty() ? List.copyOf(fw.profiles().keySet()) : fw.active();
    List<String> blocked = new ArrayList<>();
    for (String p : checked) {
      if (!Boolean.TRUE.equals(fw.profiles().get(p))) {
        continue;
      }
      if (Boolean.TRUE.equals(fw.blockInbound()) || Boolean.FALSE.equals(fw.rdpRules().get(p))) {
        blocked.add(p);
      }
    }
    if (!blocked.isEmpty()) {
      add(FindingId.FIREWALL_BLOCKS_RDP, Severity.CRITICAL,
          "The guest firewall blocks RDP on profile " + String.join(", ", blocked),
          "firewall.profiles=" + fw.profiles() + ", rdpRules=" + fw.rdpRules() + ", blockInbound=" + fw.blockInbound()
              + ", active=" + fw.active(),
          "Enable the Remote Desktop rule group (enable-rdp-firewall-rules).");
      want(ENABLE_RDP_FIREWALL_RULES, Map.of(), "Remote Desktop rules off on " + String.join(", ", blocked));
    }
    if (fw.blockRules() != null && fw.blockRules() > 0) {
      add(FindingId.FIREWALL_BLOCK_RULE, Severity.CRITICAL, "An enabled inbound Block rule covers the RDP port",
          "firewall.blockRules=" + fw.blockRules() + " (active store; a Block rule wins over every allow rule)",
          "Find it with Get-NetFirewallRule -PolicyStore ActiveStore -Direction Inbound -Action Block and remove or "
              + "narrow it (or its GPO); azrdpfix does not delete firewall rules.");
    }
  }

  private void tlsAndSecurity() {
    GuestFacts.Tls tls = facts.tls();
    GuestFacts.Tls off = facts.tlsDisabledByDefault();
    boolean offByDefault = off != null && off.tls12() != null && off.tls12() != 0;
    if ((tls != null && Integer.valueOf(0).equals(tls.tls12())) || offByDefault) {
      add(FindingId.TLS_SERVER_DISABLED, Severity.CRITICAL, "TLS 1.2 is disabled for servers (SCHANNEL)",
          "tls.1.2=" + (tls == null ? null : tls.tls12()) + ", tlsDisabledByDefault.1.2=" + (off == null ? null
              : off.tls12()) + ", tls.1.1=" + (tls == null ? null : tls.tls11()) + ", tls.1.0="
              + (tls == null ? null : tls.tls10()) + ", events.36871=" + facts.eventCount("36871"),
          "Set SCHANNEL TLS 1.2 Server Enabled=1 and restart the VM (enable-tls-server).");
      want(ENABLE_TLS_SERVER, Map.of(),
          offByDefault ? "TLS 1.2 Server DisabledByDefault=1" : "TLS 1.2 Server Enabled=0");
    }
    if (Integer.valueOf(1).equals(facts.fips())) {
      add(FindingId.FIPS_ENABLED, Severity.WARNING, "FIPS algorithm policy is on",
          "fips=1, registry.MinEncryptionLevel="
              + (facts.registry() == null ? null : facts.registry().minEncryptionLevel()),
          "Clients must support FIPS-compliant ciphers; on a standalone VM Microsoft suggests Lsa\\FIPSAlgorithmPolicy "
              + "Enabled=0 (not changed by azrdpfix).");
    }
    GuestFacts.Registry reg = facts.registry();
    if (reg != null && Integer.valueOf(0).equals(reg.userAuthentication())) {
      add(FindingId.NLA_DISABLED, Severity.WARNING, "Network Level Authentication is off (security risk)",
          "registry.UserAuthentication=0",
          "Turn NLA back on (UserAuthentication=1) once sign-in works; rollback of a disable-nla run does that.");
    }
    if (reg != null && Integer.valueOf(0).equals(reg.securityLayer())) {
      add(FindingId.SECURITY_LAYER_RDP, Severity.WARNING, "The listener uses the legacy RDP security layer without TLS",
          "registry.SecurityLayer=0",
          "Set SecurityLayer back to 2 (TLS) or 1 (Negotiate); the built-in ResetRDPCert command sets 0.");
    }
  }

  private void clock() {
    Instant guest = GuestFacts.parseTime(facts.time());
    if (guest == null) {
      return;
    }
    Duration skew = null;
    if (guest.isBefore(callStart.minus(MAX_CLOCK_SKEW))) {
      skew = Duration.between(guest, callStart);
    } else if (guest.isAfter(callEnd.plus(MAX_CLOCK_SKEW))) {
      skew = Duration.between(callEnd, guest);
    }
    if (skew != null) {
      boolean domain = facts.domain() != null && Boolean.TRUE.equals(facts.domain().joined());
      add(FindingId.CLOCK_SKEW, domain ? Severity.CRITICAL : Severity.WARNING,
          "The guest clock is " + minutes(skew) + " " + (guest.isBefore(callStart) ? "behind" : "ahead"),
          "time=" + facts.time() + ", caller window " + callStart + " .. " + callEnd,
          "Resynchronise Windows Time (resync-time); NLA and TLS validity checks fail with a wrong clock.");
      want(RESYNC_TIME, Map.of(), "guest clock off by " + minutes(skew));
    }
  }

  private void events() {
    if (keyEventCount() > 0) {
      add(FindingId.SCHANNEL_KEY_ERRORS, Severity.WARNING,
          "Windows failed to use or renew the RDP certificate key in the last 24 hours",
          "events.1057=" + facts.eventCount("1057") + " (cannot create self-signed certificate), events.1058="
              + facts.eventCount("1058") + " (cannot replace expired certificate), events.36870="
              + facts.eventCount("36870") + " (TLS server credential private key)",
          "These point at MachineKeys permissions or a damaged key: see the MachineKeys and certificate findings.");
    }
  }

  private void gpo() {
    boolean joined = facts.domain() != null && Boolean.TRUE.equals(facts.domain().joined());
    if (joined && !facts.gpo().isEmpty()) {
      boolean matters = facts.gpo().contains("fDenyTSConnections") && hasFinding(FindingId.RDP_DISABLED_BY_POLICY);
      add(FindingId.DOMAIN_GPO_CONTROLS, matters ? Severity.WARNING : Severity.INFO,
          "Group Policy from " + facts.domain().name() + " sets Remote Desktop values",
          "domain.name=" + facts.domain().name() + ", gpo=" + facts.gpo(),
          "Change these values in the GPO; local changes are reverted at the next policy refresh.");
    }
  }

  private void mtu() {
    Integer mtu = facts.mtu();
    if (mtu != null && mtu != 1500) {
      add(FindingId.MTU_NONSTANDARD, mtu < 1500 ? Severity.WARNING : Severity.INFO,
          "The network MTU is " + mtu + ", not 1500",
          "mtu=" + mtu,
          "Azure uses 1500; a smaller MTU can stall the TLS handshake (large certificate records). Set it back with "
              + "netsh interface ipv4 set subinterface.");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private void add(FindingId id, Severity severity, String summary, String evidence, String nextStep) {
    findings.add(new Finding(id, severity, summary, evidence, nextStep));
  }

  private boolean hasFinding(FindingId id) {
    return findings.stream().anyMatch(f -> f.id() == id);
  }

  private void want(String step, Map<String, String> params, String reason) {
    requested.merge(step, new StepRequest(params, reason), StepRequest::and);
  }

  private void restartForServices(String reason) {
    if (restartReason == null) {
      restartReason = reason;
    }
  }

  private boolean expired(Cert c) {
    Instant notAfter = GuestFacts.parseTime(c.notAfter());
    return notAfter != null && notAfter.isBefore(callStart);
  }

  private static String minutes(Duration d) {
    long m = d.toMinutes();
    return m >= 120 ? (m / 60) + " h " + (m % 60) + " min" : m + " min";
  }
}
