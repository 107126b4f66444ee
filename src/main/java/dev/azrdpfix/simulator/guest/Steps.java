package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.simulator.guest.GuestState.Cert;
import dev.azrdpfix.simulator.guest.GuestState.Folder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What each shipped template does to a Windows guest, step for step: detect first, change only on evidence, back up
 * and journal before each change. The template texts are the specification; this is their simulated execution.
 */
final class Steps {
  static final Set<String> IDS =
      Set.of("diagnose", "clear-stale-binding", "remove-rdp-certificates", "reset-machinekeys-acl",
          "rename-machinekeys", "restart-rdp-services", "enable-remote-connections", "enable-rdp-firewall-rules",
          "enable-tls-server", "resync-time", "refresh-policy", "disable-nla", "rollback");

  private Steps() {}

  static void run(StepRun r) {
    switch (r.id) {
      case "diagnose" -> diagnose(r);
      case "clear-stale-binding" -> clearStaleBinding(r);
      case "remove-rdp-certificates" -> removeRdpCertificates(r);
      case "reset-machinekeys-acl" -> resetMachineKeysAcl(r);
      case "rename-machinekeys" -> renameMachineKeys(r);
      case "restart-rdp-services" -> restartRdpServices(r);
      case "enable-remote-connections" -> enableRemoteConnections(r);
      case "enable-rdp-firewall-rules" -> enableFirewallRules(r);
      case "enable-tls-server" -> enableTlsServer(r);
      case "resync-time" -> resyncTime(r);
      case "refresh-policy" -> refreshPolicy(r);
      case "disable-nla" -> disableNla(r);
      case "rollback" -> Rollback.run(r);
      default -> r.error = "unknown step " + r.id;
    }
  }

  @Imitates(template = "inspect/diagnose.ps1", sha256 = "36e0a3fab5c3dc74b54389f7000b074dd9a094bb7caf6a080f70d823aed2599e")
  static void diagnose(StepRun r) {
    r.readOnly = true;
    r.facts = Facts.of(r.w, r.now);
    // As the script does: drop certificates from the end of the list until the marker fits 3,600 characters.
    ArrayNode certs = (ArrayNode) r.facts.get("certs");
    while (r.result(true).toString().length() > 3600 && certs.size() > 1) {
      certs.remove(certs.size() - 1);
    }
  }

  @Imitates(template = "repair/clear-stale-binding.ps1", sha256 = "20f49c33bb54a04472714c9af96bd1eacf52f5acbc7f935d83e5bb4f2436149e")
  static void clearStaleBinding(StepRun r) {
    Windows w = r.w;
    String wanted = r.params.get("Thumbprint");
    String bound = w.string(Reg.BINDING);
    if (bound == null || !bound.equalsIgnoreCase(wanted)) {
      r.finding("binding-changed", "binding is now " + (bound == null ? "not set" : bound) + "; left alone");
      return;
    }
    Cert c = w.cert(Windows.REMOTE_DESKTOP, bound);
    if (c == null) {
      c = w.cert(Windows.MY, bound);
    }
    if (c != null && Instant.parse(c.notAfter).isAfter(w.guestNow(r.now))) {
      r.finding("binding-valid", "bound certificate exists and is valid until " + c.notAfter);
      return;
    }
    removeRegValue(r, Reg.BINDING);
  }

  @Imitates(template = "repair/remove-rdp-certificates.ps1", sha256 = "da9c290402e3eaef32472e43f4222d91463134c2485ff17b9e6f10c40275941d")
  static void removeRdpCertificates(StepRun r) {
    Windows w = r.w;
    for (String tp : r.params.get("Thumbprints").split(",")) {
      Cert c = w.cert(Windows.REMOTE_DESKTOP, tp);
      if (c == null) {
        r.finding("certificate-gone", tp + " is no longer in Remote Desktop");
        continue;
      }
      boolean expired = Instant.parse(c.notAfter).isBefore(w.guestNow(r.now));
      boolean readable = w.keyReadable(c);
      if (!expired && readable) {
        r.finding("certificate-healthy", tp + " is valid and its key is readable now; kept");
        continue;
      }
      String cer = r.backup("rdp-" + tp + ".cer", Base64.getEncoder().encodeToString(c.der));
      String pfx = null;
      if (c.keyExportable && w.keyOpens(c)) {
        pfx = r.backup("rdp-" + tp + ".pfx", Base64.getEncoder().encodeToString(w.state().keyMaterial.get(c.keyFile)));
      }
      List<String> why = new ArrayList<>();
      if (expired) {
        why.add("expired " + c.notAfter);
      }
      if (!readable) {
        why.add("key unreadable");
      }
      ObjectNode e = StepRun.entry("cert-remove").put("store", Windows.REMOTE_DESKTOP).put("tp", tp).put("cer", cer);
      e.put("pfx", pfx);
      r.journal(e);
      // Remove-Item without -DeleteKey: the key container stays in MachineKeys.
      w.state().certs.remove(c);
      r.change("Remote Desktop certificate " + tp, String.join(", ", why), "deleted");
    }
  }

  @Imitates(template = "repair/reset-machinekeys-acl.ps1", sha256 = "0c9c99463cf69384f1581a7170cb893b766959133dd50f49b4ff244f55f22c26")
  static void resetMachineKeysAcl(StepRun r) {
    Folder mk = r.w.state().machineKeys;
    if (mk.sddl.equals(Acl.DEFAULT_MACHINEKEYS_SDDL)) {
      r.finding("acl-default", "MachineKeys has the default ACL; nothing to do");
      return;
    }
    if (Acl.documentedGrants(mk.sddl)) {
      r.finding("acl-documented", "MachineKeys already has SYSTEM F, NETWORK SERVICE R, Administrators F");
      return;
    }
    String aclFile = r.backup("machinekeys.acl", "MachineKeys\r\n" + mk.sddl.substring(mk.sddl.indexOf("D:")) + "\r\n");
    String ownersFile = r.backup("machinekeys-owners.json",
        "{\"MachineKeys\":\"" + Acl.ownerSid(mk.sddl) + "\"}");
    r.journal(StepRun.entry("acl").put("path", Windows.MACHINEKEYS).put("parent", Windows.CRYPTO_RSA)
        .put("aclFile", aclFile).put("ownersFile", ownersFile).put("sddlBefore", mk.sddl));
    String before = mk.sddl;
    mk.sddl = Acl.applyDocumentedReset(mk.sddl);
    r.change("MachineKeys ACL", before, mk.sddl);
  }

  @Imitates(template = "repair/rename-machinekeys.ps1", sha256 = "2527004092782d3c0621b438aa37a8ba65e9fc52c07239fefa2edb52d6a82f09")
  static void renameMachineKeys(StepRun r) {
    GuestState s = r.w.state();
    String leaf = "MachineKeys.azrdpfix-" + r.runId();
    String renamed = Windows.CRYPTO_RSA + "\\" + leaf;
    if (s.machineKeyBackups.containsKey(leaf)) {
      r.finding("already-renamed", "MachineKeys was already renamed by run " + r.runId());
      return;
    }
    r.journal(StepRun.entry("rename").put("from", Windows.MACHINEKEYS).put("to", renamed).put("existed", true));
    s.machineKeyBackups.put(leaf, s.machineKeys);
    s.machineKeys = new Folder();
    r.listBackup(renamed);
    r.change("MachineKeys folder", "renamed to " + leaf, "new empty folder, default ACL");
    r.finding("reapply-needed", "reapply the VM so the guest agent re-creates its transport certificate");
  }

  @Imitates(template = "repair/restart-rdp-services.ps1", sha256 = "7d12385e180af8eab8b1585c2b908cb20b136c258542ac21517c068a97a8d402")
  static void restartRdpServices(StepRun r) {
    Windows w = r.w;
    for (String name : new String[] {"SessionEnv", "TermService"}) {
      GuestState.Service svc = w.service(name);
      if ("Disabled".equals(svc.start)) {
        r.journal(StepRun.entry("service-start").put("name", name).put("before", "Disabled").put("after", "Manual"));
        svc.start = "Manual";
        r.change(name + " start type", "Disabled", "Manual");
      }
    }
    GuestState.Service env = w.service("SessionEnv");
    GuestState.Service ts = w.service("TermService");
    String envBefore = env.state;
    r.journal(StepRun.entry("service-restart").put("name", "SessionEnv").put("before", envBefore));
    env.state = "Running";
    r.change("SessionEnv restarted", envBefore, env.state);
    String tsBefore = ts.state;
    r.journal(StepRun.entry("service-restart").put("name", "TermService").put("before", tsBefore));
    String failure = w.startRdpServices(r.now);
    if (failure != null) {
      r.error = "TermService is " + ts.state + " after the restart: " + failure;
      return;
    }
    r.change("TermService restarted", tsBefore, ts.state);
  }

  @Imitates(template = "repair/enable-remote-connections.ps1", sha256 = "34df6a127812151d62812facfbf83880f84505ad16398b7b2179de144d4b8829")
  static void enableRemoteConnections(StepRun r) {
    Windows w = r.w;
    Integer policy = w.dword(Reg.POLICY_DENY);
    if (Objects.equals(policy, 1)) {
      r.finding("gpo-controls-value", "policy fDenyTSConnections=1 denies RDP: change the GPO \"Allow users to connect "
          + "remotely by using Remote Desktop Services\"");
    }
    Map<String, Integer> wanted = new LinkedHashMap<>();
    Integer deny = w.dword(Reg.DENY);
    if (deny != null && deny != 0) {
      wanted.put(Reg.DENY, 0);
    }
    if (Objects.equals(w.dword(Reg.ENABLE_WINSTATION), 0)) {
      wanted.put(Reg.ENABLE_WINSTATION, 1);
    }
    setDwords(r, wanted);
  }

  @Imitates(template = "repair/enable-rdp-firewall-rules.ps1", sha256 = "c19ea79239e3b29057ff14da958b34ab14f2fbc028952e2661ee176b2c226cb8")
  static void enableFirewallRules(StepRun r) {
    GuestState.Firewall fw = r.w.state().firewall;
    if (fw.rdpRules.isEmpty()) {
      r.error = "the Remote Desktop firewall rule group is missing: recreate it (SetRDPPort adds a custom rule)";
      return;
    }
    List<String> off = new ArrayList<>();
    fw.rdpRules.forEach((name, rule) -> {
      if (!rule.enabled) {
        off.add(name);
      }
    });
    List<String> blocking = new ArrayList<>();
    fw.profiles.forEach((p, on) -> {
      if (on && !fw.allowInboundRules.getOrDefault(p, true)) {
        blocking.add(p);
      }
    });
    if (off.isEmpty() && blocking.isEmpty()) {
      return;
    }
    StringBuilder export = new StringBuilder("netsh advfirewall export\r\n");
    fw.rdpRules.forEach((n, rule) -> export.append(n).append('=').append(rule.enabled).append("\r\n"));
    r.backup("firewall.wfw", export.toString());
    for (String name : off) {
      r.journal(StepRun.entry("fw-rule").put("name", name).put("before", "False").put("after", "True"));
      fw.rdpRules.get(name).enabled = true;
      r.change("rule " + name, "disabled", "enabled");
    }
    for (String p : blocking) {
      r.journal(StepRun.entry("fw-profile").put("name", p).put("before", "False").put("after", "True"));
      fw.allowInboundRules.put(p, true);
      r.change("profile " + p + " inbound rules", "blocked", "allowed");
    }
  }

  @Imitates(template = "repair/enable-tls-server.ps1", sha256 = "0afcf090f0fbf30107b85f2a175b1276ddd166c6a8a11a4b2f2c4a69895c7d9a")
  static void enableTlsServer(StepRun r) {
    Windows w = r.w;
    Map<String, Integer> wanted = new LinkedHashMap<>();
    if (Objects.equals(w.dword(Reg.tlsEnabled("1.2")), 0)) {
      wanted.put(Reg.tlsEnabled("1.2"), 1);
    }
    Integer byDefault = w.dword(Reg.tlsDisabledByDefault("1.2"));
    if (byDefault != null && byDefault != 0) {
      wanted.put(Reg.tlsDisabledByDefault("1.2"), 0);
    }
    setDwords(r, wanted);
  }

  @Imitates(template = "repair/resync-time.ps1", sha256 = "1658417ac2be48f13c98ca8d8121201ba5541d2eedbe549bf808ba6d0b68092a")
  static void resyncTime(StepRun r) {
    Windows w = r.w;
    GuestState.Service time = w.service("w32time");
    if ("Disabled".equals(time.start)) {
      r.journal(StepRun.entry("service-start").put("name", "w32time").put("before", "Disabled").put("after", "Manual"));
      time.start = "Manual";
      r.change("w32time start type", "Disabled", "Manual");
    }
    if (!"Running".equals(time.state)) {
      r.journal(StepRun.entry("service-state").put("name", "w32time").put("before", time.state).put("after", "Running"));
      r.change("w32time", time.state, "Running");
      time.state = "Running";
    }
    String before = Windows.iso(w.guestNow(r.now));
    r.journal(StepRun.entry("time-resync").put("before", before));
    // w32tm /resync /force against the host (VMICTimeProvider): the guest clock becomes real time.
    w.state().clockOffsetSeconds = 0;
    r.change("clock (UTC)", before, Windows.iso(w.guestNow(r.now)));
  }

  @Imitates(template = "repair/refresh-policy.ps1", sha256 = "0ce64e030f5a98da34e252c597e1395f15ec4532cc404b7e93a345b84a61c6c4")
  static void refreshPolicy(StepRun r) {
    Windows w = r.w;
    Integer before = w.dword(Reg.POLICY_DENY);
    r.journal(StepRun.entry("gpupdate").put("before", before == null ? null : before.toString()));
    // gpupdate /force writes what the GPOs say now.
    w.state().gpoValues.forEach((name, value) -> w.set(Reg.policyPath(name), value));
    Integer after = w.dword(Reg.POLICY_DENY);
    r.change("computer policy refreshed; policy fDenyTSConnections", before == null ? "" : before.toString(),
        after == null ? "" : after.toString());
    if (Objects.equals(after, 1)) {
      r.finding("gpo-controls-value", "policy still sets fDenyTSConnections=1: the GPO must change");
    }
  }

  @Imitates(template = "repair/disable-nla.ps1", sha256 = "35ea369fa9786448861ce6bf164e98387d4c5f889a916310c5c2560d9c63e9cb")
  static void disableNla(StepRun r) {
    Windows w = r.w;
    if (w.state().registry.containsKey(Reg.policyPath("UserAuthentication"))) {
      r.finding("gpo-controls-value", "policy sets UserAuthentication: the GPO wins at the next refresh");
    }
    if (Objects.equals(w.dword(Reg.USER_AUTH), 0)) {
      r.finding("nla-already-off", "UserAuthentication is already 0");
      return;
    }
    setDwords(r, Map.of(Reg.USER_AUTH, 0));
    r.finding("nla-disabled", "NLA is off: re-enable it (rollback) once you can sign in");
  }

  /** Set-AzrdpfixRegValue: key exported once per step, journaled, then written. */
  private static void setDwords(StepRun r, Map<String, Integer> wanted) {
    wanted.forEach((path, value) -> {
      String key = path.substring(0, path.lastIndexOf('\\'));
      String name = path.substring(path.lastIndexOf('\\') + 1);
      Object before = r.w.state().registry.get(path);
      backupKey(r, key);
      ObjectNode e = StepRun.entry("reg-set").put("path", psPath(key)).put("name", name).put("keyExisted", true)
          .put("existed", before != null);
      e.put("kind", before == null ? null : "DWord");
      e.put("before", before == null ? null : before.toString());
      e.put("after", value.toString());
      r.journal(e);
      r.w.set(path, value);
      r.change(leaf(key) + "\\" + name, before == null ? "" : before.toString(), value.toString());
    });
  }

  /** Remove-AzrdpfixRegValue. */
  private static void removeRegValue(StepRun r, String path) {
    String key = path.substring(0, path.lastIndexOf('\\'));
    String name = path.substring(path.lastIndexOf('\\') + 1);
    Object before = r.w.state().registry.get(path);
    if (before == null) {
      return;
    }
    backupKey(r, key);
    ObjectNode e = StepRun.entry("reg-remove").put("path", psPath(key)).put("name", name).put("keyExisted", true)
        .put("existed", true).put("kind", before instanceof Integer ? "DWord" : "Binary").put("before", before.toString());
    e.putNull("after");
    r.journal(e);
    r.w.set(path, null);
    r.change(leaf(key) + "\\" + name, before.toString(), "removed");
  }

  private static void backupKey(StepRun r, String key) {
    StringBuilder export = new StringBuilder("Windows Registry Editor Version 5.00\r\n\r\n[")
        .append(key.replace("HKLM", "HKEY_LOCAL_MACHINE")).append("]\r\n");
    r.w.state().registry.forEach((p, v) -> {
      if (p.startsWith(key + "\\") && p.indexOf('\\', key.length() + 1) < 0) {
        export.append(regExport(p.substring(key.length() + 1), v));
      }
    });
    r.backup(r.id + "-" + leaf(key).replaceAll("[^A-Za-z0-9.-]", "_") + ".reg", export.toString());
  }

  static String psPath(String key) {
    return key.replaceFirst("^HKLM\\\\", "HKLM:\\\\");
  }

  private static String leaf(String key) {
    return key.substring(key.lastIndexOf('\\') + 1);
  }

  private static String regExport(String name, Object data) {
    String d = data instanceof Integer i ? String.format("dword:%08x", i) : "hex:" + data;
    return "\"" + name + "\"=" + d + "\r\n";
  }
}
