package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.contract.Wire;
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
          "repair-rdp-key-acl",
          "rename-machinekeys", "restart-rdp-services", "enable-remote-connections", "enable-rdp-firewall-rules",
          "enable-tls-server", "resync-time", "refresh-policy", "disable-nla", "rollback", "list-runs", "break-lock");

  private Steps() {}

  static void run(StepRun r) {
    try {
      dispatch(r);
    } catch (StepRun.Failure f) {
      // A terminating error inside the template's try block: Set-AzrdpfixFailed keeps what was done so far.
      r.error = f.getMessage();
    }
  }

  private static void dispatch(StepRun r) {
    switch (r.id) {
      case "diagnose" -> diagnose(r);
      case "clear-stale-binding" -> clearStaleBinding(r);
      case "remove-rdp-certificates" -> removeRdpCertificates(r);
      case "reset-machinekeys-acl" -> resetMachineKeysAcl(r);
      case "repair-rdp-key-acl" -> repairRdpKeyAcl(r);
      case "rename-machinekeys" -> renameMachineKeys(r);
      case "restart-rdp-services" -> restartRdpServices(r);
      case "enable-remote-connections" -> enableRemoteConnections(r);
      case "enable-rdp-firewall-rules" -> enableFirewallRules(r);
      case "enable-tls-server" -> enableTlsServer(r);
      case "resync-time" -> resyncTime(r);
      case "refresh-policy" -> refreshPolicy(r);
      case "disable-nla" -> disableNla(r);
      case "rollback" -> Rollback.run(r);
      case "list-runs" -> Rollback.listRuns(r);
      case "break-lock" -> Rollback.breakLock(r);
      default -> r.error = "unknown step " + r.id;
    }
  }

  @Imitates(template = "inspect/diagnose.ps1",
      sha256 = "6cb434e02c2a6514a06750dc6aebf3bc556bc2711c6e394e33a2be767155e9fa")
  static void diagnose(StepRun r) {
    r.readOnly = true;
    r.facts = Facts.of(r.w, r.now);
    // As the script does: drop certificates from the end of the list until the marker fits 3,600 characters.
    ArrayNode certs = (ArrayNode) r.facts.get("certs");
    while (r.result(true).toString().length() > 3600 && certs.size() > 1) {
      certs.remove(certs.size() - 1);
    }
  }

  @Imitates(template = "repair/clear-stale-binding.ps1",
      sha256 = "20f49c33bb54a04472714c9af96bd1eacf52f5acbc7f935d83e5bb4f2436149e")
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

  @Imitates(template = "repair/remove-rdp-certificates.ps1",
      sha256 = "5cf07db340a1e452ec4cc94d37b28437f1bee47fde43fefbf076a5c8175d304e")
  static void removeRdpCertificates(StepRun r) {
    Windows w = r.w;
    for (String tp : r.params.get("Thumbprints").split(Wire.LIST_SEPARATOR)) {
      Cert c = w.cert(Windows.REMOTE_DESKTOP, tp);
      if (c == null) {
        r.finding("certificate-gone", tp + " is no longer in Remote Desktop");
        continue;
      }
      boolean expired = Instant.parse(c.notAfter).isBefore(w.guestNow(r.now));
      boolean keyless = c.keyFile == null || !w.state().machineKeys.keyFiles.contains(c.keyFile);
      if (!expired && !keyless) {
        r.finding("certificate-kept", tp + " is valid and has its key; kept");
        continue;
      }
      r.initBackup();
      // A listener still pinned to this certificate would fail to load it: that binding goes first (journaled).
      if (tp.equalsIgnoreCase(w.string(Reg.BINDING))) {
        removeRegValue(r, Reg.BINDING);
      }
      String cer = r.backup("rdp-" + tp + ".cer", Base64.getEncoder().encodeToString(c.der));
      List<String> why = new ArrayList<>();
      if (expired) {
        why.add("expired " + c.notAfter);
      }
      if (keyless) {
        why.add("no usable private key");
      }
      ObjectNode e = StepRun.entry("cert-remove").put("store", Windows.REMOTE_DESKTOP).put("tp", tp).put("cer", cer);
      e.put("keyContainer", keyless ? null : c.keyFile);
      r.journal(e);
      // Remove-Item without -DeleteKey: the key container stays in MachineKeys.
      w.state().certs.remove(c);
      r.change("Remote Desktop certificate " + tp, String.join(", ", why), "deleted");
    }
  }

  @Imitates(template = "repair/reset-machinekeys-acl.ps1",
      sha256 = "9bd61a4ddb5100e2fc389eb0b7948de6a5fdd089d934ab227b23c7e2eb393676")
  static void resetMachineKeysAcl(StepRun r) {
    Folder mk = r.w.state().machineKeys;
    String before = mk.sddl;
    if ("true".equals(r.params.get("Recursive"))) {
      // Learn's recursive reset, behind an explicit flag: every key file gets NETWORK SERVICE read.
      r.initBackup();
      StringBuilder saved = new StringBuilder("MachineKeys\r\n" + before + "\r\n");
      for (String f : mk.keyFiles) {
        saved.append(f).append("\r\n").append(r.w.keyFileSddl(f)).append("\r\n");
      }
      String aclFile = r.backup("machinekeys.acl", saved.toString());
      String ownersFile = r.backup("machinekeys-owners.tsv", "MachineKeys\t" + Acl.ownerSid(before) + "\r\n");
      r.journal(StepRun.entry("acl").put("path", Windows.MACHINEKEYS).put("parent", Windows.CRYPTO_RSA)
          .put("aclFile", aclFile).put("ownersFile", ownersFile).put("sddlBefore", before));
      mk.sddl = Acl.applyDocumentedReset(before);
      for (String f : mk.keyFiles) {
        mk.keyFileSddl.put(f, Acl.applyDocumentedReset(r.w.keyFileSddl(f)));
      }
      r.change("MachineKeys ACL (recursive)", before, mk.sddl);
      return;
    }
    if (Acl.folderSound(before)) {
      r.finding("acl-sound", "the MachineKeys folder already lets Windows create keys; nothing to do");
      return;
    }
    r.initBackup();
    r.backup("machinekeys.sddl", before);
    r.journal(StepRun.entry("sddl").put("path", Windows.MACHINEKEYS).put("sddlBefore", before));
    mk.sddl = Acl.addFolderEntries(before);
    r.change("MachineKeys folder ACL", before, mk.sddl);
  }

  @Imitates(template = "repair/repair-rdp-key-acl.ps1",
      sha256 = "ef0a92f0bd4f11a895f4a7e8b6fbd4747b8d0e33f63f4139da6ba23b536f170a")
  static void repairRdpKeyAcl(StepRun r) {
    Windows w = r.w;
    String tp = r.params.get("Thumbprint");
    Cert c = w.cert(Windows.REMOTE_DESKTOP, tp);
    if (c == null) {
      c = w.cert(Windows.MY, tp);
    }
    if (c == null) {
      r.finding("certificate-gone", tp + " is in neither Remote Desktop nor My");
      return;
    }
    if (c.keyFile == null || !w.state().machineKeys.keyFiles.contains(c.keyFile)) {
      r.finding("key-file-not-found", "no key file for " + tp + ": a key-less certificate is removed, not repaired");
      return;
    }
    String before = w.keyFileSddl(c.keyFile);
    if (Acl.missingKeyEntries(before, w.build()).isEmpty()) {
      r.finding("key-acl-sound", "the key file of " + tp + " already holds the entries of build " + w.build());
      return;
    }
    r.initBackup();
    r.backup("rdp-key-" + tp + ".sddl", before);
    r.journal(StepRun.entry("sddl").put("path", Windows.MACHINEKEYS + "\\" + c.keyFile).put("sddlBefore", before));
    String after = Acl.addKeyEntries(before, w.build());
    w.state().machineKeys.keyFileSddl.put(c.keyFile, after);
    List<String> left = Acl.missingKeyEntries(after, w.build());
    if (!left.isEmpty()) {
      r.error = "the key file still lacks " + String.join(",", left) + " (an inherited deny?)";
      return;
    }
    r.change("RDP key " + c.keyFile + " ACL", before, after);
  }

  @Imitates(template = "repair/rename-machinekeys.ps1",
      sha256 = "b1928d2d2fef824e587706f33b277bc868af053ee72df0e0d3b9416e8c6de8bf")
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

  @Imitates(template = "repair/restart-rdp-services.ps1",
      sha256 = "268842382d22a0e18297d7959a52d43b2874ec06e674ad08e329bccd3fe4acb3")
  static void restartRdpServices(StepRun r) {
    Windows w = r.w;
    r.initBackup();
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
    for (GuestState.Service svc : new GuestState.Service[] {env, ts}) {
      // Start-AzrdpfixService: a service already hung in a pending state is reported, never waited for.
      if (svc.state.endsWith("Pending")) {
        String name = svc == env ? "SessionEnv" : "TermService";
        r.error =
            name + " is hung in " + svc.state + " (PID " + svc.pid + "): not waiting for it; a VM restart through "
                + "Azure clears it";
        return;
      }
    }
    String envBefore = env.state;
    r.journal(StepRun.entry("service-restart").put("name", "SessionEnv").put("before", envBefore));
    env.state = "Running";
    r.change("SessionEnv restarted", envBefore, env.state);
    String tsBefore = ts.state;
    r.journal(StepRun.entry("service-restart").put("name", "TermService").put("before", tsBefore));
    w.state().sessions = 0; // stopping TermService ends the signed-in sessions
    String failure = w.startRdpServices(r.now);
    if (failure != null) {
      // WaitForStatus('Running', 60 s) gives up and reports the state and PID.
      r.error = "TermService is still " + ts.state + " (PID " + ts.pid + ") after 60 s waiting for Running: " + failure;
      return;
    }
    r.change("TermService restarted", tsBefore, ts.state);
    // Post-condition within 30 s: a valid certificate with a key, and a listener on the RDP port.
    Cert served = w.listenerCertificate();
    boolean valid = served != null && served.keyFile != null && !w.expired(served, r.now);
    boolean listening = w.listening();
    if (!valid) {
      r.finding("no-valid-certificate", "no valid RDP certificate with a private key 30 s after the restart (events "
          + "1057/1058 tell why)");
    }
    if (!listening) {
      r.finding("not-listening", "nothing listens on TCP port " + w.dword(Reg.PORT) + " 30 s after the restart");
    }
    if (!valid || !listening) {
      r.error = "the services restarted but RDP is not ready: see the findings";
    }
  }

  @Imitates(template = "repair/enable-remote-connections.ps1",
      sha256 = "a0da4cfcdc7cb8e8921849e9487817c92b9fe74902879739f52f24ce0d499700")
  static void enableRemoteConnections(StepRun r) {
    Windows w = r.w;
    Integer policy = w.dword(Reg.POLICY_DENY);
    if (Objects.equals(policy, 1)) {
      r.finding("gpo-controls-value", "policy fDenyTSConnections=1 denies RDP: change the GPO \"Allow users to connect "
          + "remotely by using Remote Desktop Services\"");
    }
    Map<String, Integer> wanted = new LinkedHashMap<>();
    Integer deny = w.dword(Reg.DENY);
    // While a policy value exists Terminal Services uses it: the local value is left alone.
    if (policy == null && deny != null && deny != 0) {
      wanted.put(Reg.DENY, 0);
    }
    if (Objects.equals(w.dword(Reg.ENABLE_WINSTATION), 0)) {
      wanted.put(Reg.ENABLE_WINSTATION, 1);
    }
    // Learn's other switches, each only when set the wrong way.
    if (Objects.equals(w.dword(Reg.TS_ENABLED), 0)) {
      wanted.put(Reg.TS_ENABLED, 1);
    }
    if (Objects.equals(w.dword(Reg.TS_USER_ENABLED), 1)) {
      wanted.put(Reg.TS_USER_ENABLED, 0);
    }
    if (Objects.equals(w.dword(Reg.TS_DRAIN), 1)) {
      wanted.put(Reg.TS_DRAIN, 0);
    }
    if (Objects.equals(w.dword(Reg.LOGON_DISABLED), 1)) {
      wanted.put(Reg.LOGON_DISABLED, 0);
    }
    setDwords(r, wanted);
  }

  @Imitates(template = "repair/enable-rdp-firewall-rules.ps1",
      sha256 = "868a4bee4708b48626b98a1f6b2dcb5e624e1458d38cf6c937823210ee82ba35")
  static void enableFirewallRules(StepRun r) {
    GuestState.Firewall fw = r.w.state().firewall;
    if (fw.rdpRules.isEmpty()) {
      r.error = "the Remote Desktop firewall rule group is missing: recreate it (SetRDPPort adds a custom rule)";
      return;
    }
    List<String> off = new ArrayList<>();
    List<String> others = new ArrayList<>();
    fw.rdpRules.forEach((name, rule) -> {
      if (!rule.enabled) {
        (name.startsWith("RemoteDesktop-UserMode-In-") ? off : others).add(name);
      }
    });
    if (!others.isEmpty()) {
      r.finding("other-rules-left-off", "left disabled: " + String.join(",", others));
    }
    List<String> blocking = new ArrayList<>();
    fw.profiles.forEach((p, on) -> {
      if (on && !fw.allowInboundRules.getOrDefault(p, true)) {
        blocking.add(p);
      }
    });
    if (off.isEmpty() && blocking.isEmpty()) {
      return;
    }
    r.initBackup();
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

  @Imitates(template = "repair/enable-tls-server.ps1",
      sha256 = "0afcf090f0fbf30107b85f2a175b1276ddd166c6a8a11a4b2f2c4a69895c7d9a")
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

  @Imitates(template = "repair/resync-time.ps1",
      sha256 = "98aaad40a8c1df457b30962b74cdae3304c2a7e7d9b0717c411eb0928c72adb9")
  static void resyncTime(StepRun r) {
    try {
      resyncTimeBody(r);
    } catch (StepRun.Failure f) {
      // Set-AzrdpfixFailed, then the finding the caller reads: the clock may still be off.
      r.error = f.getMessage();
      r.finding("time-not-synced", f.getMessage());
    }
  }

  private static void resyncTimeBody(StepRun r) {
    Windows w = r.w;
    GuestState.Service time = w.service("w32time");
    if ("Disabled".equals(time.start)) {
      r.journal(StepRun.entry("service-start").put("name", "w32time").put("before", "Disabled").put("after", "Manual"));
      time.start = "Manual";
      r.change("w32time start type", "Disabled", "Manual");
    }
    if (!"Running".equals(time.state)) {
      r.journal(
          StepRun.entry("service-state").put("name", "w32time").put("before", time.state).put("after", "Running"));
      r.change("w32time", time.state, "Running");
      time.state = "Running";
    }
    String before = Windows.iso(w.guestNow(r.now));
    r.journal(StepRun.entry("time-resync").put("before", before));
    // w32tm /resync /force against the host (VMICTimeProvider): the guest clock becomes real time.
    w.state().clockOffsetSeconds = 0;
    r.change("clock (UTC)", before, Windows.iso(w.guestNow(r.now)));
  }

  @Imitates(template = "repair/refresh-policy.ps1",
      sha256 = "f19f3d4b12418f045a050974fd83ee04daf95f40ca8049923602736b9f29e5ac")
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

  @Imitates(template = "repair/disable-nla.ps1",
      sha256 = "f3dd905ca514eb26c60c025f31f54cc55e5a5ea6c117a3a99566745b553739f2")
  static void disableNla(StepRun r) {
    Windows w = r.w;
    if (w.state().registry.containsKey(Reg.policyPath("UserAuthentication"))) {
      r.finding("gpo-controls-value", "policy sets UserAuthentication=" + w.dword(Reg.policyPath("UserAuthentication"))
          + ": change the GPO; the local value is left alone");
      return;
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
        .put("existed", true).put("kind", before instanceof Integer ? "DWord" : "Binary")
        .put("before", before.toString());
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
