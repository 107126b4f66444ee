package dev.azrdpfix.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.contract.ScriptText;
import dev.azrdpfix.contract.Wire;
import dev.azrdpfix.core.guest.GuestFacts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a template's result from Run Command output. The last marker line is the result; a missing, truncated or
 * invalid marker line, or output after it, is a failure with a one-line reason — never a success.
 */
public final class ResultParser {
  /** The fixed prefix of every marker line. */
  public static final String MARKER = Wire.MARKER;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Output this long has probably hit Run Command's 4,096-byte window. */
  private static final int TRUNCATION_HINT_BYTES = 4000;

  private ResultParser() {}

  /**
   * Parses the output of {@code templateId} ("bundle" for a composed repair run).
   */
  public static TemplateResult parse(String templateId, String stdout, String stderr) {
    List<String> lines = ScriptText.normalise(stdout == null ? "" : stdout);
    int marker = -1;
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).startsWith(MARKER)) {
        marker = i;
        break;
      }
    }
    if (marker < 0) {
      String last = lastNonBlank(lines);
      boolean atLimit = stdout != null && stdout.getBytes(StandardCharsets.UTF_8).length >= TRUNCATION_HINT_BYTES;
      String why = atLimit || (last != null && last.contains("\":"))
          ? "its result line was cut off (Run Command keeps only the last 4,096 bytes of output)"
          : "it printed no result line";
      return TemplateResult.failed(templateId, "template " + templateId + " gave no result: " + why
          + stderrTail(stderr));
    }
    String trailing = null;
    for (int i = marker + 1; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        trailing = lines.get(i);
        break;
      }
    }
    JsonNode node;
    try {
      node = JSON.readTree(lines.get(marker).substring(MARKER.length()).trim());
    } catch (JsonProcessingException e) {
      return TemplateResult.failed(templateId, "template " + templateId + " gave an invalid result line "
          + "(not JSON, perhaps truncated)" + stderrTail(stderr));
    }
    if (node == null || !node.isObject()) {
      return TemplateResult.failed(templateId, "template " + templateId + " gave a result line that is not a JSON "
          + "object" + stderrTail(stderr));
    }
    if (node.path("v").asInt(-1) != Wire.VERSION) {
      return TemplateResult.failed(templateId, "template " + templateId + " speaks contract version "
          + node.path("v").asText("none") + ", expected " + Wire.VERSION + ": the templates and azrdpfix do not match");
    }
    TemplateResult r = step(node, templateId, stderr);
    if (trailing != null) {
      return new TemplateResult(r.id(), ResultStatus.FAILED, r.facts(), r.findings(), r.changes(), r.backups(),
          "template " + templateId + " printed more output after its result line ('" + cut(trailing, 80)
              + "'), so the result cannot be trusted" + stderrTail(stderr),
          r.steps());
    }
    return r;
  }

  private static TemplateResult step(JsonNode node, String expectedId, String stderr) {
    String id = node.path("id").asText(null);
    if (expectedId != null && !expectedId.equals(id)) {
      return TemplateResult.failed(expectedId, "the result line is for template '" + id + "', expected "
          + expectedId);
    }
    ResultStatus status = ResultStatus.fromId(node.path("status").asText(""));
    if (status == null) {
      return TemplateResult.failed(id, "template " + id + " reported an unknown status '"
          + node.path("status").asText("") + "'");
    }
    List<TemplateResult.ScriptFinding> findings = new ArrayList<>();
    for (JsonNode f : node.path("findings")) {
      findings.add(new TemplateResult.ScriptFinding(f.path("id").asText(null), f.path("msg").asText(null)));
    }
    List<TemplateResult.Change> changes = new ArrayList<>();
    for (JsonNode c : node.path("changes")) {
      changes.add(new TemplateResult.Change(c.path("what").asText(null), textOrNull(c.get("before")),
          textOrNull(c.get("after"))));
    }
    List<String> backups = new ArrayList<>();
    node.path("backups").forEach(b -> backups.add(b.asText()));
    List<TemplateResult> steps = new ArrayList<>();
    String failedStep = null;
    for (JsonNode s : node.path("steps")) {
      TemplateResult sr = step(s, null, null);
      steps.add(sr);
      // A best-effort step (critical false) that failed is a warning of the bundle, not its failure.
      boolean critical = !s.path("critical").isBoolean() || s.path("critical").asBoolean();
      if (sr.failed() && !critical) {
        findings.add(new TemplateResult.ScriptFinding("best-effort-step-failed",
            "best-effort step " + sr.id() + " failed: " + sr.error()));
      } else if (sr.failed() && failedStep == null) {
        failedStep = sr.id() + (sr.error() == null ? "" : ": " + sr.error());
      }
    }
    String error = textOrNull(node.get("error"));
    GuestFacts facts = GuestFactsMapper.map(node.get("facts"));
    for (String bad : GuestFactsMapper.outOfRange(node.get("facts"))) {
      findings.add(new TemplateResult.ScriptFinding(GuestFactsMapper.OUT_OF_RANGE, bad));
    }
    if (status == ResultStatus.FAILED && error == null) {
      error = "template " + id + " reported failure without a message" + stderrTail(stderr);
    }
    if (failedStep != null && status != ResultStatus.FAILED) {
      // A bundle that hides a failed step is not a success.
      status = ResultStatus.FAILED;
      error = "step " + failedStep;
    }
    if ("diagnose".equals(id) && status == ResultStatus.OK && facts == null) {
      status = ResultStatus.FAILED;
      error = "diagnose reported ok without facts";
    }
    return new TemplateResult(id, status, facts, findings, changes, backups, error, steps);
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static String lastNonBlank(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return lines.get(i);
      }
    }
    return null;
  }

  /**
   * The message of the last error on stderr. A Windows PowerShell error record ends with "+ CategoryInfo" and
   * "+ FullyQualifiedErrorId" lines (and "At line:..." / continuation lines before them): its message is the last line
   * that is none of those.
   */
  private static String stderrTail(String stderr) {
    List<String> lines = ScriptText.normalise(stderr == null ? "" : stderr);
    String last = null;
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i);
      if (l.isBlank() || l.startsWith("+") || Character.isWhitespace(l.charAt(0)) || l.startsWith("At ")) {
        continue;
      }
      last = l;
      break;
    }
    if (last == null) {
      last = lastNonBlank(lines);
    }
    return last == null ? "" : "; last stderr line: " + cut(last.strip(), 200);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
