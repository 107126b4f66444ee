package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One template's run inside the guest: its parameters, progress lines, result fields and journal writes. */
@Imitates(template = "common/helpers.ps1", sha256 = "1bcc9f27b72706df04b70f9122a77fdfaef4445b132825aae0a069e41411469f")
final class StepRun {
  static final String BACKUP_ROOT = "C:\\ProgramData\\azrdpfix\\backup\\";
  /** Get-AzrdpfixLockPath. */
  static final String LOCK = "C:\\ProgramData\\azrdpfix\\run.lock";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  final String id;
  final Windows w;
  final Instant now;
  final Map<String, String> params;
  final List<String> progress = new ArrayList<>();
  final ArrayNode findings = F.arrayNode();
  final ArrayNode changes = F.arrayNode();
  final ArrayNode backups = F.arrayNode();
  ObjectNode facts;
  /** Fields a template adds after {@code error} (list-runs: now, more, runs). */
  ObjectNode extra;
  String error;
  boolean readOnly;

  /** A terminating error inside a template's try block (the template catches it: status failed, error = message). */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  StepRun(String id, Windows w, Instant now, Map<String, String> params) {
    this.id = id;
    this.w = w;
    this.now = now;
    this.params = params;
  }

  String runId() {
    return params.get("RunId");
  }

  String backupDir() {
    return BACKUP_ROOT + runId();
  }

  String journalPath() {
    return backupDir() + "\\journal.jsonl";
  }

  void say(String line) {
    progress.add(id + ": " + line);
  }

  void finding(String findingId, String msg) {
    ObjectNode f = findings.addObject();
    f.put("id", findingId);
    f.put("msg", shorten(msg, 160));
  }

  void change(String what, String before, String after) {
    ObjectNode c = changes.addObject();
    c.put("what", what);
    c.put("before", shorten(before, 120));
    c.put("after", shorten(after, 120));
    if (id.equals(w.state().failsMidway) && changes.size() == 1) {
      // The simulated mid-step failure: after the first change (journaled and made), before the rest.
      throw new Failure(id + " failed midway after its first change (simulated fault)");
    }
  }

  /**
   * Initialize-AzrdpfixBackup: a C:\ProgramData\azrdpfix that someone else created (or owns) is refused, so nothing is
   * written and nothing changed.
   */
  void initBackup() {
    if (w.state().backupRootSquatter != null) {
      throw new Failure("C:\\ProgramData\\azrdpfix exists but is not a folder that only SYSTEM and Administrators own "
          + "and can open: refusing to write backups there");
    }
  }

  /**
   * Enter-AzrdpfixLock: CreateNew of the lock file; one that exists (another run) is a terminating error. The
   * simulated clock stands in for the guest's.
   */
  static void enterLock(Windows w, Instant now, String runId, String kind) {
    GuestState s = w.state();
    if (s.files.containsKey(LOCK)) {
      com.fasterxml.jackson.databind.JsonNode held = Facts.lock(s);
      throw new Failure("locked: run " + held.path("runId").asText("") + " (" + held.path("kind").asText("")
          + ") holds the lock since " + held.path("started").asText(""));
    }
    s.files.put(LOCK, "{\"runId\":\"" + runId + "\",\"kind\":\"" + kind + "\",\"started\":\""
        + Windows.iso(w.guestNow(now)) + "\"}");
  }

  /** Exit-AzrdpfixLock: released only by the run that holds it. */
  static void exitLock(Windows w, String runId) {
    if (runId.equals(Facts.lock(w.state()).path("runId").asText(null))) {
      w.state().files.remove(LOCK);
    }
  }

  /** Writes a backup file under the run's backup folder and lists it; returns its full path. */
  String backup(String fileName, String content) {
    initBackup();
    String path = backupDir() + "\\" + fileName;
    if (w.state().files.containsKey(path)) {
      return path; // the first backup of a run is the one that holds the original state
    }
    w.state().files.put(path, content);
    backups.add(path);
    say("backup " + path);
    return path;
  }

  /** Lists a backup the step made some other way than writing a file (a renamed folder). */
  void listBackup(String path) {
    backups.add(path);
  }

  /**
   * Appends one line to {@code journal.jsonl} before the change it describes (so a run that stops midway can still be
   * undone), in the templates' format: {@code {"t":…,"step":…,"op":…,…}}.
   */
  void journal(ObjectNode entry) {
    initBackup();
    ObjectNode line = F.objectNode();
    line.put("t", Windows.iso(w.guestNow(now)));
    line.put("step", id);
    line.setAll(entry);
    w.state().files.merge(journalPath(), line + "\n", String::concat);
  }

  static ObjectNode entry(String op) {
    return F.objectNode().put("op", op);
  }

  /** Get-AzrdpfixShort: whitespace collapsed, cut to {@code max} characters; null stays null. */
  static String shorten(String text, int max) {
    if (text == null) {
      return null;
    }
    String t = text.replaceAll("\\s+", " ").trim();
    return t.length() > max ? t.substring(0, max) : t;
  }

  static JsonNode text(String s) {
    return s == null ? F.nullNode() : F.textNode(s);
  }

  static JsonNode number(Integer i) {
    return i == null ? F.nullNode() : F.numberNode(i);
  }

  String status() {
    if (error != null) {
      return "failed";
    }
    if (readOnly) {
      return "ok";
    }
    return changes.isEmpty() ? "noop" : "changed";
  }

  /** The result object: the marker's JSON, with {@code v} for a standalone run, without it inside a bundle. */
  ObjectNode result(boolean withVersion) {
    ObjectNode r = F.objectNode();
    if (withVersion) {
      r.put("v", 1);
    }
    r.put("id", id);
    r.put("status", status());
    r.set("findings", findings);
    r.set("changes", changes);
    r.set("backups", backups);
    r.put("error", error == null ? null : shorten(error, 300));
    if (facts != null) {
      r.set("facts", facts);
    }
    if (extra != null) {
      r.setAll(extra);
    }
    return r;
  }
}
