package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.simulator.guest.GuestState.Cert;
import dev.azrdpfix.simulator.guest.GuestState.Folder;
import dev.azrdpfix.simulator.rdp.SelfSignedCertificates;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/** The {@code rollback} template: replays a run's {@code journal.jsonl} backwards, restoring each before-state. */
final class Rollback {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Rollback() {}

  private static final java.util.regex.Pattern RUN_ID =
      java.util.regex.Pattern.compile("^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$");
  private static final String TS = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server";
  private static final java.util.Map<java.util.regex.Pattern, java.util.Set<String>> REG_ALLOWED = java.util.Map.of(
      java.util.regex.Pattern.compile("^" + java.util.regex.Pattern.quote(TS) + "$",
          java.util.regex.Pattern.CASE_INSENSITIVE),
      java.util.Set.of("fdenytsconnections", "tsenabled", "tsuserenabled", "tsserverdrainmode"),
      java.util.regex.Pattern.compile(
          "^" + java.util.regex.Pattern.quote(TS + "\\WinStations\\") + "[A-Za-z0-9#_ -]{1,64}$",
          java.util.regex.Pattern.CASE_INSENSITIVE),
      java.util.Set.of("fenablewinstation", "flogondisabled", "userauthentication", "sslcertificatesha1hash"),
      java.util.regex.Pattern
          .compile("^HKLM:\\\\SYSTEM\\\\CurrentControlSet\\\\Control\\\\SecurityProviders\\\\SCHANNEL"
              + "\\\\Protocols\\\\TLS 1\\.2\\\\Server$", java.util.regex.Pattern.CASE_INSENSITIVE),
      java.util.Set.of("enabled", "disabledbydefault"));

  /** The break-lock template: removes a lock still held by LockRunId and older than 90 minutes, journaled first. */
  @Imitates(template = "rollback/break-lock.ps1",
      sha256 = "f92ee6026a170197df7ed17e91c203e8ad572c4ad74f75dd71a36e6816a58dbe")
  static void breakLock(StepRun r) {
    GuestState s = r.w.state();
    if (!s.files.containsKey(StepRun.LOCK)) {
      r.finding("no-lock", "no run holds the lock");
      return;
    }
    JsonNode held = Facts.lock(s);
    String lockRun = held.path("runId").asText("");
    if (!lockRun.equals(r.params.get("LockRunId"))) {
      r.finding("lock-changed", "the lock is now held by run " + lockRun + "; left alone");
      return;
    }
    String started = held.path("started").asText();
    long minutes = java.time.Duration.between(java.time.Instant.parse(started), r.w.guestNow(r.now)).toMinutes();
    if (minutes <= 90) {
      r.finding("lock-not-stale", "run " + lockRun + " took the lock " + minutes + " min ago, within the 90-minute"
          + " limit; left alone");
      return;
    }
    r.journal(StepRun.entry("lock-break").put("runId", lockRun).put("started", started));
    s.files.remove(StepRun.LOCK);
    r.change("run.lock", "run " + lockRun + " since " + started, "removed");
  }

  /** The list-runs template: every run folder with a journal, newest first, within the marker budget. */
  @Imitates(template = "inspect/list-runs.ps1",
      sha256 = "5674df161430b1e57287b624aa471bb3300e0c8444a43278de4b6ba6684b2d86")
  static void listRuns(StepRun r) {
    r.readOnly = true;
    GuestState s = r.w.state();
    java.util.TreeSet<String> ids = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
    for (String f : s.files.keySet()) {
      if (f.startsWith(StepRun.BACKUP_ROOT) && f.endsWith("\\journal.jsonl")) {
        String id = f.substring(StepRun.BACKUP_ROOT.length(), f.length() - "\\journal.jsonl".length());
        if (RUN_ID.matcher(id).matches()) {
          ids.add(id);
        }
      }
    }
    com.fasterxml.jackson.databind.node.ObjectNode extra = JSON.createObjectNode();
    extra.put("now", Windows.iso(r.w.guestNow(r.now)));
    extra.put("more", 0);
    com.fasterxml.jackson.databind.node.ArrayNode runs = extra.putArray("runs");
    extra.set("lock", Facts.lock(s));
    r.extra = extra;
    for (String id : ids) {
      if (runs.size() > 0 && r.result(true).toString().length() > 3400) {
        extra.put("more", extra.path("more").asInt() + 1);
        continue;
      }
      com.fasterxml.jackson.databind.node.ObjectNode run = runs.addObject();
      run.put("id", id);
      run.putNull("t");
      run.put("state", "interrupted");
      int n = 0;
      int bad = 0;
      boolean ended = false;
      List<String> ops = new ArrayList<>();
      String dir = StepRun.BACKUP_ROOT + id;
      for (String line : s.files.get(dir + "\\journal.jsonl").split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode e;
        try {
          e = JSON.readTree(line);
        } catch (JsonProcessingException ex) {
          bad++;
          continue;
        }
        if (run.path("t").isNull()) {
          run.put("t", StepRun.shorten(e.path("t").asText(""), 20));
        }
        if (e.path("op").asText().equals("end")) {
          ended = true;
          continue;
        }
        String op = StepRun.shorten(e.path("step").asText("") + " " + e.path("op").asText(""), 48);
        if (e.path("op").asText().equals("lock-break")) {
          // A fact of the past, not a change to undo: listed, not counted.
          if (ops.size() < 3 && !ops.contains(op)) {
            ops.add(op);
          }
          continue;
        }
        ended = false;
        n++;
        if (ops.size() < 3 && !ops.contains(op)) {
          ops.add(op);
        }
      }
      run.put("n", n);
      ops.forEach(run.putArray("ops")::add);
      run.putNull("rb");
      run.put("bad", bad);
      if (ended) {
        run.put("state", "complete");
      }
      String marker = s.files.get(dir + "\\rolledback.json");
      if (marker != null) {
        run.put("state", "rolled-back");
        try {
          run.put("rb", StepRun.shorten(JSON.readTree(marker).path("t").asText(""), 20));
        } catch (JsonProcessingException ex) {
          run.putNull("rb");
        }
      }
    }
    while (r.result(true).toString().length() > 3600 && runs.size() > 1) {
      runs.remove(runs.size() - 1);
      extra.put("more", extra.path("more").asInt() + 1);
    }
  }

  @Imitates(template = "rollback/rollback.ps1",
      sha256 = "89cfc7f6585d4e4471dbe61f1147ba891b3d5d6f28371ed39f5cbef2eced53a1")
  static void run(StepRun r) {
    StepRun.enterLock(r.w, r.now, r.runId(), "rollback");
    try {
      restore(r);
    } finally {
      StepRun.exitLock(r.w, r.runId());
    }
  }

  private static void restore(StepRun r) {
    String journal = r.w.state().files.get(r.journalPath());
    String rolledBackPath = r.backupDir() + "\\rolledback.json";
    String rolledBack = r.w.state().files.get(rolledBackPath);
    if (journal == null) {
      r.finding("nothing-to-roll-back", "run " + r.runId() + " made no change on this VM (no journal)");
      return;
    }
    if (rolledBack != null && !force(r)) {
      r.finding("already-rolled-back", "run " + r.runId() + " was rolled back already ("
          + StepRun.shorten(rolledBack, 80) + "); not replayed");
      return;
    }
    List<JsonNode> entries = new ArrayList<>();
    try {
      for (String line : journal.split("\n")) {
        if (!line.isBlank()) {
          entries.add(JSON.readTree(line));
        }
      }
    } catch (JsonProcessingException e) {
      r.error = "Conversion from JSON failed with error: " + e.getOriginalMessage();
      return;
    }
    Collections.reverse(entries);
    int failed = 0;
    for (JsonNode e : entries) {
      String why = refusal(r, e);
      if (why != null) {
        r.finding("journal-entry-refused", e.path("step").asText() + " " + e.path("op").asText() + ": " + why
            + "; skipped");
        continue;
      }
      // One entry that cannot be restored must not leave all older entries unrestored.
      try {
        undo(r, e);
      } catch (StepRun.Failure f) {
        failed++;
        r.finding("rollback-entry-failed",
            e.path("step").asText() + " " + e.path("op").asText() + ": " + f.getMessage());
      }
    }
    if (r.changes.size() > 12) {
      int n = r.changes.size();
      while (r.changes.size() > 12) {
        r.changes.remove(12);
      }
      r.finding("changes-trimmed", n + " changes restored; the first 12 are listed");
    }
    if (failed == 0) {
      // The mark that this run is undone; a partial rollback is not marked, so rerunning it restores what is left.
      r.w.state().files.put(rolledBackPath, "{\"t\":\"" + Windows.iso(r.w.guestNow(r.now)) + "\",\"failed\":0}");
    }
    if (failed > 0) {
      r.error = failed + " journal entries could not be restored (see the findings)";
    }
  }

  private static boolean force(StepRun r) {
    return "true".equals(r.params.get("Force"));
  }

  private static boolean under(String path, String dir) {
    return path != null && !path.matches("(?s)(^|.*\\\\)\\.\\.(\\\\.*|$)")
        && path.toLowerCase(java.util.Locale.ROOT).startsWith(dir.toLowerCase(java.util.Locale.ROOT) + "\\");
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  /** Get-RefusalReason: the allow-list of what each journal operation may touch; null when acceptable. */
  static String refusal(StepRun r, JsonNode e) {
    String dir = r.backupDir();
    String mk = Windows.MACHINEKEYS;
    switch (text(e, "op")) {
      case "reg-set", "reg-remove" -> {
        boolean ok = REG_ALLOWED.entrySet().stream().anyMatch(a -> a.getKey().matcher(text(e, "path")).find()
            && a.getValue().contains(text(e, "name").toLowerCase(java.util.Locale.ROOT)));
        if (!ok) {
          return "registry value outside the RDP, Terminal Server and SCHANNEL values the steps change";
        }
        JsonNode kind = e.get("kind");
        if (kind != null && !kind.isNull() && !java.util.Set.of("dword", "string", "binary", "qword", "multistring",
            "expandstring").contains(kind.asText().toLowerCase(java.util.Locale.ROOT))) {
          return "unknown registry kind";
        }
        return null;
      }
      case "acl" -> {
        if (!text(e, "path").equalsIgnoreCase(mk) || !text(e, "parent").equalsIgnoreCase(Windows.CRYPTO_RSA)) {
          return "ACL restore of something other than MachineKeys";
        }
        if (!under(text(e, "aclFile"), dir)) {
          return "ACL file outside this run's backup folder";
        }
        if (!text(e, "ownersFile").isEmpty() && !under(text(e, "ownersFile"), dir)) {
          return "owners file outside this run's backup folder";
        }
        return null;
      }
      case "sddl" -> {
        String p = text(e, "path");
        if (p.equalsIgnoreCase(mk) || (under(p, mk) && !p.substring(mk.length() + 1).contains("\\"))) {
          return null;
        }
        return "ACL restore outside MachineKeys and its key files";
      }
      case "cert-remove" -> {
        if (!java.util.Set.of("remote desktop", "my").contains(text(e, "store").toLowerCase(java.util.Locale.ROOT))
            || !text(e, "tp").matches("[0-9A-F]{40}")) {
          return "certificate store or thumbprint not allowed";
        }
        if (!under(text(e, "cer"), dir) || (!text(e, "pfx").isEmpty() && !under(text(e, "pfx"), dir))) {
          return "certificate file outside this run's backup folder";
        }
        if (!text(e, "keyContainer").isEmpty() && !text(e, "keyContainer").matches("[A-Za-z0-9_-]{1,128}")) {
          return "key container name not allowed";
        }
        return null;
      }
      case "rename" -> {
        if (!text(e, "from").equalsIgnoreCase(mk) || !text(e, "to").equalsIgnoreCase(mk + ".azrdpfix-" + r.runId())) {
          return "folder rename other than MachineKeys and its backup of this run";
        }
        return null;
      }
      case "service-start" -> {
        if (!java.util.Set.of("termservice", "sessionenv", "umrdpservice", "w32time")
            .contains(text(e, "name").toLowerCase(java.util.Locale.ROOT))) {
          return "service not in the fixed set";
        }
        if (!java.util.Set.of("automatic", "manual", "disabled")
            .contains(text(e, "before").toLowerCase(java.util.Locale.ROOT))) {
          return "start type not allowed";
        }
        return null;
      }
      case "fw-rule" -> {
        if (!text(e, "name").matches("(?i)RemoteDesktop-[A-Za-z0-9-]{1,64}")
            || !java.util.Set.of("true", "false").contains(text(e, "before").toLowerCase(java.util.Locale.ROOT))) {
          return "firewall rule outside the Remote Desktop group";
        }
        return null;
      }
      case "fw-profile" -> {
        if (!java.util.Set.of("domain", "private", "public")
            .contains(text(e, "name").toLowerCase(java.util.Locale.ROOT))
            || !java.util.Set.of("true", "false", "notconfigured")
                .contains(text(e, "before").toLowerCase(java.util.Locale.ROOT))) {
          return "firewall profile or value not allowed";
        }
        return null;
      }
      case "service-restart", "service-state", "time-resync", "gpupdate", "end", "lock-break" -> {
        return null;
      }
      default -> {
        return "unknown journal operation";
      }
    }
  }

  /** Test-ChangedSince: a value that holds neither what this run wrote nor what it found is left alone. */
  private static boolean changedSince(StepRun r, JsonNode e, String current) {
    if (force(r)) {
      return false;
    }
    JsonNode after = e.get("after");
    if (after == null || after.isNull()) {
      return false;
    }
    String before = e.path("before").isNull() ? "" : e.path("before").asText();
    String now = current == null ? "" : current;
    if (!now.equals(after.asText()) && !now.equals(before)) {
      r.finding("changed-since", e.path("step").asText() + " " + e.path("op").asText() + ": now " + now
          + ", this run set " + after.asText() + "; left alone");
      return true;
    }
    return false;
  }

  private static void undo(StepRun r, JsonNode e) {
    Windows w = r.w;
    GuestState s = w.state();
    switch (e.path("op").asText()) {
      case "reg-set", "reg-remove" -> {
        String key = e.path("path").asText().replaceFirst("^HKLM:\\\\", "HKLM\\\\");
        String name = e.path("name").asText();
        String what = key.substring(key.lastIndexOf('\\') + 1) + "\\" + name;
        Object current = s.registry.get(key + "\\" + name);
        String currentText = current == null ? null : current.toString();
        if (changedSince(r, e, currentText)) {
          return;
        }
        if (!e.path("existed").asBoolean()) {
          if (current != null) {
            w.set(key + "\\" + name, null);
            r.change(what, currentText, "removed");
          }
          return;
        }
        String before = e.path("before").asText();
        if (before.equals(currentText)) {
          return;
        }
        w.set(key + "\\" + name, "DWord".equals(e.path("kind").asText()) ? (Object) Integer.valueOf(before) : before);
        r.change(what, currentText == null ? "" : currentText, before);
      }
      case "acl" -> {
        // icacls /restore of the saved file (folder and every key file), then the saved owners.
        String saved = s.files.get(e.path("aclFile").asText());
        String before = e.path("sddlBefore").asText();
        String current = s.machineKeys.sddl;
        if (saved != null) {
          String[] l = saved.split("\r\n");
          for (int i = 2; i + 1 < l.length; i += 2) {
            if (s.machineKeys.keyFiles.contains(l[i])) {
              s.machineKeys.keyFileSddl.put(l[i], l[i + 1]);
            }
          }
        }
        s.machineKeys.sddl = before;
        r.change("MachineKeys ACL", current, before);
      }
      case "sddl" -> {
        String path = e.path("path").asText();
        String before = e.path("sddlBefore").asText();
        if (path.equals(Windows.MACHINEKEYS)) {
          if (!before.equals(s.machineKeys.sddl)) {
            r.change("ACL of MachineKeys", s.machineKeys.sddl, before);
            s.machineKeys.sddl = before;
          }
          return;
        }
        String file = path.substring(path.lastIndexOf('\\') + 1);
        if (!path.startsWith(Windows.MACHINEKEYS + "\\") || !s.machineKeys.keyFiles.contains(file)) {
          r.finding("acl-target-gone", path + " no longer exists");
          return;
        }
        String current = w.keyFileSddl(file);
        if (!before.equals(current)) {
          s.machineKeys.keyFileSddl.put(file, before);
          r.change("ACL of " + file, current, before);
        }
      }
      case "cert-remove" -> reimport(r, e);
      case "rename" -> {
        String to = e.path("to").asText();
        String leaf = to.substring(to.lastIndexOf('\\') + 1);
        Folder old = s.machineKeyBackups.remove(leaf);
        if (old == null) {
          return;
        }
        // The fresh folder goes aside; keys created since the rename (the agent's new transport key, a new RDP key)
        // are copied back into the restored folder with their ACLs (robocopy /xc /xn /xo: existing files win).
        Folder fresh = s.machineKeys;
        s.machineKeyBackups.put("MachineKeys.azrdpfix-rollback-" + r.runId(), fresh);
        s.machineKeys = old;
        for (String f : fresh.keyFiles) {
          if (!old.keyFiles.contains(f)) {
            old.keyFiles.add(f);
            if (fresh.keyFileSddl.containsKey(f)) {
              old.keyFileSddl.put(f, fresh.keyFileSddl.get(f));
            }
          }
        }
        r.finding("reapply-needed", "MachineKeys is back: reapply the VM so the guest agent checks its transport "
            + "certificate");
        r.change("MachineKeys folder", "fresh folder", "restored from " + leaf);
      }
      case "service-start" -> {
        GuestState.Service svc = w.service(e.path("name").asText());
        if (changedSince(r, e, svc.start)) {
          return;
        }
        String before = e.path("before").asText();
        if (!before.equals(svc.start)) {
          r.change(e.path("name").asText() + " start type", svc.start, before);
          svc.start = before;
        }
      }
      case "fw-rule" -> {
        GuestState.Rule rule = s.firewall.rdpRules.get(e.path("name").asText());
        if (rule != null && changedSince(r, e, rule.enabled ? "True" : "False")) {
          return;
        }
        boolean before = "True".equals(e.path("before").asText());
        if (rule != null && rule.enabled != before) {
          r.change("rule " + e.path("name").asText(), rule.enabled ? "True" : "False", e.path("before").asText());
          rule.enabled = before;
        }
      }
      case "fw-profile" -> {
        String p = e.path("name").asText();
        boolean before = "True".equals(e.path("before").asText());
        boolean current = s.firewall.allowInboundRules.getOrDefault(p, true);
        if (changedSince(r, e, current ? "True" : "False")) {
          return;
        }
        if (current != before) {
          s.firewall.allowInboundRules.put(p, before);
          r.change("profile " + p + " inbound rules", current ? "True" : "False", e.path("before").asText());
        }
      }
      case "end", "lock-break" -> {
      }
      default -> r.finding("not-reversible", e.path("step").asText() + ": " + e.path("op").asText()
          + " cannot be undone");
    }
  }

  private static void reimport(StepRun r, JsonNode e) {
    Windows w = r.w;
    GuestState s = w.state();
    String tp = e.path("tp").asText();
    String store = e.path("store").asText();
    if (w.cert(store, tp) != null) {
      return;
    }
    boolean fromPfx = e.path("pfx").isTextual() && s.files.containsKey(e.path("pfx").asText());
    String cer = s.files.get(e.path("cer").asText());
    if (cer == null) {
      throw new StepRun.Failure("Cannot find path '" + e.path("cer").asText() + "' because it does not exist.");
    }
    byte[] der = Base64.getDecoder().decode(cer);
    X509Certificate x509;
    try {
      x509 =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException ex) {
      throw new StepRun.Failure("Cannot find the requested object.");
    }
    Cert c = new Cert();
    c.store = store;
    c.thumbprint = SelfSignedCertificates.thumbprint(der);
    c.subject = x509.getSubjectX500Principal().getName();
    c.notBefore = Windows.iso(x509.getNotBefore().toInstant());
    c.notAfter = Windows.iso(x509.getNotAfter().toInstant());
    c.selfSigned = x509.getSubjectX500Principal().equals(x509.getIssuerX500Principal());
    c.der = der;
    if (fromPfx) {
      // A .pfx imported with MachineKeySet|PersistKeySet gets a new key container in MachineKeys.
      c.keyFile = UUID.randomUUID().toString().replace("-", "") + "_import";
      s.keyMaterial.put(c.keyFile, Base64.getDecoder().decode(s.files.get(e.path("pfx").asText())));
      s.machineKeys.keyFiles.add(c.keyFile);
      c.keyExportable = true;
    }
    String container = e.path("keyContainer").isTextual() ? e.path("keyContainer").asText() : null;
    if (!fromPfx && container != null && s.machineKeys.keyFiles.contains(container)) {
      // certutil -repairstore links the restored certificate to its kept key container again.
      c.keyFile = container;
    } else if (!fromPfx && container != null) {
      r.finding("certificate-not-relinked", tp + ": certutil -repairstore found no key container " + container);
    }
    // Without a kept container the certificate comes back without its private key link (HasPrivateKey false).
    s.certs.add(c);
    String file = fromPfx ? e.path("pfx").asText() : e.path("cer").asText();
    r.change("certificate " + tp, "deleted", "restored from " + file.substring(file.lastIndexOf('\\') + 1));
  }
}
