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
@Imitates(template = "common/helpers.ps1", sha256 = "aa43ebbe43437b9b7f5e4258854020d3455cf4930fba7c58d47bcc87813cfc70")
final class StepRun {
  static final String BACKUP_ROOT = "C:\\ProgramData\\azrdpfix\\backup\\";
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
  String error;
  boolean readOnly;

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
  }

  /** Writes a backup file under the run's backup folder and lists it; returns its full path. */
  String backup(String fileName, String content) {
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
    return r;
  }
}
