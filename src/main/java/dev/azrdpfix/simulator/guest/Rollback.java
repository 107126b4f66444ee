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
import java.util.UUID;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/** The {@code rollback} template: replays a run's {@code journal.jsonl} backwards, restoring each before-state. */
final class Rollback {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Rollback() {}

  @Imitates(template = "rollback/rollback.ps1", sha256 = "d572ad3530c2cc1dcbdf5623d03eed74b0483f0fc919ba3d6c90218f1a467e91")
  static void run(StepRun r) {
    String journal = r.w.state().files.get(r.journalPath());
    if (journal == null) {
      r.finding("nothing-to-roll-back", "run " + r.runId() + " made no change on this VM (no journal)");
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
      // One entry that cannot be restored must not leave all older entries unrestored.
      try {
        undo(r, e);
      } catch (StepRun.Failure f) {
        failed++;
        r.finding("rollback-entry-failed", e.path("step").asText() + " " + e.path("op").asText() + ": " + f.getMessage());
      }
    }
    if (r.changes.size() > 12) {
      int n = r.changes.size();
      while (r.changes.size() > 12) {
        r.changes.remove(12);
      }
      r.finding("changes-trimmed", n + " changes restored; the first 12 are listed");
    }
    if (failed > 0) {
      r.error = failed + " journal entries could not be restored (see the findings)";
    }
  }

  /** Test-ChangedSince: a value that holds neither what this run wrote nor what it found is left alone. */
  private static boolean changedSince(StepRun r, JsonNode e, String current) {
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
      x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
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
