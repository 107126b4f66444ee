package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.contract.WindowsFacts;
import dev.azrdpfix.simulator.guest.GuestState.Cert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The {@code diagnose} template's {@code facts} object (CONTRACT.md), read from the guest state as the script would. */
final class Facts {
  static final int[] EVENT_IDS =
      WindowsFacts.EVENT_IDS.stream().mapToInt(Integer::parseInt).toArray();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Facts() {}

  static ObjectNode of(Windows w, Instant now) {
    GuestState s = w.state();
    ObjectNode facts = F.objectNode();
    facts.put("time", Windows.iso(w.guestNow(now)));
    ObjectNode os = facts.putObject("os");
    os.put("caption", s.osCaption);
    os.put("build", s.osBuild);
    ObjectNode domain = facts.putObject("domain");
    domain.put("joined", s.domainJoined);
    domain.put("name", s.domainName);

    // The binding first: the certificate list also carries a bound certificate that lives in My.
    String bound = w.string(Reg.BINDING);
    List<Cert> rd = new ArrayList<>(w.remoteDesktopCerts());
    rd.sort(Comparator.comparing((Cert c) -> Instant.parse(c.notAfter)).reversed());
    Cert boundCert = null;
    if (bound != null) {
      boundCert = w.cert(Windows.REMOTE_DESKTOP, bound);
      if (boundCert == null) {
        boundCert = w.cert(Windows.MY, bound);
      }
    }
    ObjectNode binding = facts.putObject("binding");
    binding.put("tp", bound);
    if (bound == null) {
      binding.putNull("found");
    } else {
      binding.put("found", boundCert != null);
    }
    List<Cert> listed = new ArrayList<>(rd.subList(0, Math.min(4, rd.size())));
    if (boundCert != null && !listed.contains(boundCert)) {
      listed.add(boundCert);
    }
    var certs = facts.putArray("certs");
    for (Cert c : listed) {
      ObjectNode n = certs.addObject();
      n.put("tp", c.thumbprint);
      n.put("subject", c.subject);
      n.put("notBefore", c.notBefore);
      n.put("notAfter", c.notAfter);
      n.put("selfSigned", c.selfSigned);
      n.put("hasKey", c.keyFile != null);
      n.put("keyReadable", w.keyReadable(c));
      n.put("store", c.store);
    }
    facts.put("certCount", rd.size());

    // The certificate the listener really uses: Win32_TSGeneralSetting (what TermService loaded), else the binding,
    // else the newest in Remote Desktop.
    Cert loaded = w.cert(s.listenerThumbprint);
    Cert inUse = loaded != null ? loaded : boundCert != null ? boundCert : rd.isEmpty() ? null : rd.get(0);
    String source = inUse == null ? null : loaded != null ? "wmi" : boundCert != null ? "binding" : "newest";
    ObjectNode key = facts.putObject("rdpKey");
    boolean fileFound = inUse != null && inUse.keyFile != null && s.machineKeys.keyFiles.contains(inUse.keyFile);
    key.put("tp", inUse == null ? null : inUse.thumbprint);
    key.put("source", source);
    key.put("provider", inUse == null || inUse.keyFile == null ? null : "CAPI");
    key.put("file", fileFound ? inUse.keyFile : null);
    key.put("sddl", fileFound ? StepRun.shorten(w.keyFileSddl(inUse.keyFile), 200) : null);
    if (fileFound) {
      var missing = key.putArray("missing");
      Acl.missingKeyEntries(w.keyFileSddl(inUse.keyFile), w.build()).forEach(missing::add);
    } else {
      key.putNull("missing");
    }
    if (inUse == null || inUse.keyFile == null) {
      key.putNull("opens");
    } else {
      key.put("opens", w.keyOpens(inUse));
    }

    ObjectNode mk = facts.putObject("machineKeys");
    mk.put("sddl", s.machineKeys.sddl);
    boolean isDefault = Acl.DEFAULT_MACHINEKEYS_SDDL.equals(s.machineKeys.sddl);
    mk.put("isDefault", isDefault);
    mk.put("grantsOk", Acl.folderSound(s.machineKeys.sddl));
    boolean corrupt = false;
    if (inUse == null) {
      mk.putNull("rdpKeyReadable");
    } else {
      mk.put("rdpKeyReadable", w.keyReadable(inUse));
      // As the script judges it: the key file's ACL lets SYSTEM read it and SYSTEM still cannot open the key.
      corrupt = fileFound && !w.keyOpens(inUse) && Acl.systemCanRead(w.keyFileSddl(inUse.keyFile));
    }
    mk.put("corrupt", corrupt);

    ObjectNode services = facts.putObject("services");
    for (String name : new String[] {"TermService", "SessionEnv", "w32time"}) {
      GuestState.Service svc = w.service(name);
      ObjectNode n = services.putObject(name);
      n.put("state", svc.state);
      n.put("start", svc.start);
      n.put("account", svc.account);
    }

    facts.put("sessions", s.sessions);

    ObjectNode listener = facts.putObject("listener");
    listener.put("port", w.dword(Reg.PORT));
    if (w.listening()) {
      listener.put("process", "svchost");
      listener.put("service", "TermService");
    } else {
      listener.putNull("process");
      listener.putNull("service");
    }

    ObjectNode reg = facts.putObject("registry");
    reg.put("fDenyTSConnections", w.dword(Reg.DENY));
    reg.put("policyDenyTSConnections", w.dword(Reg.POLICY_DENY));
    reg.put("PortNumber", w.dword(Reg.PORT));
    reg.put("SecurityLayer", w.dword(Reg.SECURITY_LAYER));
    reg.put("UserAuthentication", w.dword(Reg.USER_AUTH));
    reg.put("MinEncryptionLevel", w.dword(Reg.MIN_ENCRYPTION));
    reg.put("fEnableWinStation", w.dword(Reg.ENABLE_WINSTATION));
    reg.put("TSEnabled", w.dword(Reg.TS_ENABLED));
    reg.put("TSUserEnabled", w.dword(Reg.TS_USER_ENABLED));
    reg.put("TSServerDrainMode", w.dword(Reg.TS_DRAIN));
    reg.put("fLogonDisabled", w.dword(Reg.LOGON_DISABLED));
    reg.put("LanAdapter", w.dword(Reg.LAN_ADAPTER));

    // A value under the Terminal Services policy key is a GPO's.
    var gpo = facts.putArray("gpo");
    for (String n : new String[] {"fDenyTSConnections", "UserAuthentication", "SecurityLayer", "MinEncryptionLevel",
        "PortNumber"}) {
      if (s.registry.containsKey(Reg.policyPath(n))) {
        gpo.add(n);
      }
    }

    ObjectNode tls = facts.putObject("tls");
    for (String v : Reg.TLS_VERSIONS) {
      tls.put(v, w.dword(Reg.tlsEnabled(v)));
    }
    ObjectNode tlsOff = facts.putObject("tlsDisabledByDefault");
    for (String v : Reg.TLS_VERSIONS) {
      tlsOff.put(v, w.dword(Reg.tlsDisabledByDefault(v)));
    }
    facts.put("fips", w.dword(Reg.FIPS));

    ObjectNode fw = facts.putObject("firewall");
    ObjectNode profiles = fw.putObject("profiles");
    s.firewall.profiles.forEach(profiles::put);
    ObjectNode rules = fw.putObject("rdpRules");
    boolean block = false;
    for (var p : s.firewall.profiles.entrySet()) {
      rules.put(p.getKey(), w.rdpRuleCovers(p.getKey(), false));
      block |= p.getValue() && !s.firewall.allowInboundRules.getOrDefault(p.getKey(), true);
    }
    fw.put("blockInbound", block);
    fw.put("blockRules", s.firewall.blockRules);
    fw.putArray("active").add(s.firewall.activeProfile);

    ObjectNode events = facts.putObject("events");
    for (int id : EVENT_IDS) {
      events.put(Integer.toString(id), w.eventsLast24h(id, now));
    }
    facts.put("mtu", s.mtu);
    facts.set("lock", lock(s));
    return facts;
  }

  /** Get-AzrdpfixLock: the lock file's fields, each validated, or null when no run holds the lock. */
  static com.fasterxml.jackson.databind.JsonNode lock(GuestState s) {
    String text = s.files.get(StepRun.LOCK);
    if (text == null) {
      return com.fasterxml.jackson.databind.node.NullNode.getInstance();
    }
    com.fasterxml.jackson.databind.JsonNode l;
    try {
      l = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      l = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    String runId = l.path("runId").asText("");
    String kind = l.path("kind").asText("");
    String started = l.path("started").asText("");
    out.put("runId", runId.matches("[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}") ? runId : null);
    out.put("kind", kind.equals("repair") || kind.equals("rollback") ? kind : null);
    out.put("started", started.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z") ? started
        : "2026-01-01T00:00:00Z");
    return out;
  }
}
