package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.contract.Wire;
import dev.azrdpfix.simulator.guest.GuestRuntime.RunOutput;
import dev.azrdpfix.simulator.guest.ShippedTemplates.Param;
import dev.azrdpfix.simulator.guest.ShippedTemplates.Template;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays powershell.exe for Run Command: recognises a shipped template or a composed bundle by its exact text, binds
 * the parameters as PowerShell would, runs the steps against the guest and returns stdout/stderr cut like Run Command.
 */
final class ScriptHost {
  static final int OUTPUT_LIMIT = Wire.OUTPUT_LIMIT;
  static final String MARKER = Wire.MARKER;
  private static final String SCRIPT =
      "C:\\Packages\\Plugins\\Microsoft.CPlat.Core.RunCommandWindows\\1.1.18\\Downloads\\script0.ps1";
  private static final Pattern STEP_OPEN =
      Pattern.compile(Pattern.quote(Wire.STEP_OPEN) + "([a-z0-9-]+) sha256=([0-9a-f]{64})");
  private static final Pattern HELPERS_OPEN = Pattern.compile(Pattern.quote(Wire.HELPERS_OPEN) + "([0-9a-f]{64})");
  private static final String HELPERS_CLOSE = Wire.HELPERS_CLOSE;
  private static final Pattern RUNNER_OPEN = Pattern.compile(Pattern.quote(Wire.RUNNER_OPEN) + "([0-9a-f]{64})");
  private static final int BUNDLE_MARKER_LIMIT = Wire.BUNDLE_MARKER_LIMIT;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ScriptHost() {}

  /** A parsed bundle: its top-level param() block and its steps in order. */
  private record Bundle(List<Param> params, List<Template> steps) {}

  static RunOutput run(Windows w, List<String> scriptLines, Map<String, String> parameters, Instant now) {
    String text = ShippedTemplates.normalise(String.join("\n", scriptLines == null ? List.of() : scriptLines));
    ShippedTemplates shipped = ShippedTemplates.get();
    Map<String, String> params = parameters == null ? Map.of() : parameters;
    Optional<Template> single = shipped.bySha(ShippedTemplates.sha256(text));
    if (single.isPresent()) {
      String bindingError = bind(single.get().params(), params);
      if (bindingError != null) {
        return cut("", bindingError);
      }
      StepRun r = new StepRun(single.get().id(), w, now, params);
      Steps.run(r);
      return cut(MARKER + r.result(true), "");
    }
    Bundle bundle = parseBundle(text, shipped);
    if (bundle == null) {
      return cut("", notATemplate());
    }
    String bindingError = bind(bundle.params(), params);
    if (bindingError != null) {
      return cut("", bindingError);
    }
    return runBundle(w, bundle, params, now);
  }

  @Imitates(template = "common/bundle-runner.ps1",
      sha256 = "90e2b0e47200e60034a37a339deb9053702570a4d10410ab649690561620bd48")
  static RunOutput runBundle(Windows w, Bundle bundle, Map<String, String> params, Instant now) {
    List<String> out = new ArrayList<>();
    ArrayNode steps = F.arrayNode();
    ArrayNode warnings = F.arrayNode();
    ObjectNode marker = F.objectNode();
    marker.put("v", Wire.VERSION);
    marker.put("id", "bundle");
    marker.put("status", "noop");
    marker.putNull("error");
    marker.set("warnings", warnings);
    marker.set("steps", steps);
    String lockRun = params.get("RunId");
    boolean locked = false;
    try {
      // One run at a time: a lock held by another run fails the bundle before any step.
      StepRun.enterLock(w, now, lockRun, "repair");
      locked = true;
    } catch (StepRun.Failure f) {
      marker.put("status", "failed");
      marker.put("error", shorten(f.getMessage(), 300));
    }
    for (Template t : locked ? bundle.steps() : List.<Template>of()) {
      // The runner hands each step exactly the bundle parameters its own param() declares.
      Map<String, String> splat = new LinkedHashMap<>();
      for (Param p : t.params()) {
        if (params.containsKey(p.name())) {
          splat.put(p.name(), params.get(p.name()));
        }
      }
      ObjectNode step;
      String bindingError = bind(t.params(), splat);
      if (bindingError != null) {
        step = failedStep(t.id(), "no result line; last output: step threw: "
            + shorten(bindingError.lines().findFirst().orElse(""), 200));
      } else {
        StepRun r = new StepRun(t.id(), w, now, splat);
        Steps.run(r);
        step = r.result(false);
      }
      step.put("critical", t.critical());
      steps.add(step);
      String status = step.path("status").asText();
      out.add("azrdpfix step " + t.id() + ": " + status);
      if (status.equals("changed")) {
        marker.put("status", "changed");
      }
      if (status.equals("failed")) {
        if (!t.critical()) {
          // A best-effort step (time, policy) failing is a warning: the critical steps still run.
          warnings.add(shorten("best-effort step " + t.id() + " failed: " + step.path("error").asText(), 200));
          continue;
        }
        marker.put("status", "failed");
        marker.put("error", shorten("step " + t.id() + " failed: " + step.path("error").asText(), 300));
        break;
      }
    }
    if (locked) {
      StepRun.exitLock(w, lockRun);
    }
    String runId = params.get("RunId");
    if (runId != null && w.state().files.containsKey(StepRun.BACKUP_ROOT + runId + "\\journal.jsonl")) {
      // The journal's end entry: a journal without it is an interrupted run (list-runs).
      StepRun end = new StepRun("bundle", w, now, Map.of("RunId", runId));
      end.journal(StepRun.entry("end").put("status", marker.path("status").asText()));
    }
    if (marker.toString().length() > BUNDLE_MARKER_LIMIT) {
      for (int i = 0; i < steps.size(); i++) {
        ObjectNode s = (ObjectNode) steps.get(i);
        ObjectNode shortStep = F.objectNode();
        shortStep.set("id", s.get("id"));
        shortStep.set("status", s.get("status"));
        shortStep.putArray("findings");
        shortStep.putArray("backups");
        ObjectNode c = shortStep.putArray("changes").addObject();
        c.put("what", s.path("changes").size() + " changes (shortened; see journal.jsonl)");
        c.putNull("before");
        c.putNull("after");
        shortStep.put("error", s.path("error").isNull() ? null : shorten(s.path("error").asText(), 150));
        shortStep.set("critical", s.get("critical"));
        steps.set(i, shortStep);
      }
    }
    out.add(MARKER + marker);
    return cut(String.join("\n", out), "");
  }

  private static ObjectNode failedStep(String id, String error) {
    ObjectNode s = F.objectNode();
    s.put("id", id);
    s.put("status", "failed");
    s.putArray("findings");
    s.putArray("changes");
    s.putArray("backups");
    s.put("error", error);
    return s;
  }

  /**
   * The composer's layout (CONTRACT.md): header comment, param() block, the error preference line, the shipped
   * helpers section with the sha256 it declares, the steps list line, one block per step whose text must be a shipped
   * template file with the sha256 it declares, then the shipped runner. Anything else is not ours.
   */
  private static Bundle parseBundle(String text, ShippedTemplates shipped) {
    String[] lines = text.split("\n", -1);
    int i = 0;
    if (lines.length < 4 || !lines[0].startsWith(Wire.BUNDLE_HEADER_PREFIX)
        || !lines[0].endsWith(Wire.BUNDLE_HEADER_SUFFIX)) {
      return null;
    }
    i++;
    int paramStart = i;
    if (lines[i].equals("param()")) {
      i++;
    } else if (lines[i].equals("param(")) {
      while (i < lines.length && !lines[i].equals(")")) {
        i++;
      }
      i++;
    } else {
      return null;
    }
    List<Param> params = ShippedTemplates.params(String.join("\n", Arrays.copyOfRange(lines, paramStart, i)));
    if (params == null || i + 2 > lines.length || !lines[i].equals(Wire.ERROR_PREFERENCE)) {
      return null;
    }
    i++;
    Matcher helpersOpen = HELPERS_OPEN.matcher(lines[i]);
    if (!helpersOpen.matches()) {
      return null;
    }
    int helpersClose = i + 1;
    while (helpersClose < lines.length && !lines[helpersClose].equals(HELPERS_CLOSE)) {
      helpersClose++;
    }
    if (helpersClose >= lines.length) {
      return null;
    }
    String helpersSha = ShippedTemplates.sha256(String.join("\n", Arrays.copyOfRange(lines, i + 1, helpersClose)));
    if (shipped.helpers() == null || !helpersSha.equals(helpersOpen.group(1))
        || !helpersSha.equals(shipped.helpers().sha256())) {
      return null;
    }
    i = helpersClose + 1;
    if (i >= lines.length || !lines[i].equals(Wire.STEPS_LIST)) {
      return null;
    }
    i++;
    List<Template> steps = new ArrayList<>();
    while (i < lines.length) {
      Matcher open = STEP_OPEN.matcher(lines[i]);
      if (!open.matches()) {
        break;
      }
      String id = open.group(1);
      Optional<Template> known = shipped.byId(id);
      if (i + 1 >= lines.length || known.isEmpty()
          || !lines[i + 1].equals(Wire.stepStart(id, known.get().critical()))) {
        return null;
      }
      int bodyStart = i + 2;
      int close = bodyStart;
      while (close < lines.length && !lines[close].equals(Wire.stepClose(id))) {
        close++;
      }
      if (close >= lines.length || close - 1 < bodyStart || !lines[close - 1].equals(Wire.STEP_END)) {
        return null;
      }
      String body = String.join("\n", Arrays.copyOfRange(lines, bodyStart, close - 1));
      String sha = ShippedTemplates.sha256(body);
      Optional<Template> t = shipped.byId(id);
      if (t.isEmpty() || !sha.equals(open.group(2)) || !sha.equals(t.get().sourceSha256())) {
        return null;
      }
      steps.add(t.get());
      i = close + 1;
    }
    if (steps.isEmpty() || i >= lines.length) {
      return null;
    }
    Matcher runner = RUNNER_OPEN.matcher(lines[i]);
    if (!runner.matches() || !lines[lines.length - 1].equals(Wire.RUNNER_CLOSE)) {
      return null;
    }
    String runnerText = String.join("\n", Arrays.copyOfRange(lines, i + 1, lines.length - 1));
    String runnerSha = ShippedTemplates.sha256(runnerText);
    if (shipped.runner() == null || !runnerSha.equals(runner.group(1))
        || !runnerSha.equals(shipped.runner().sha256())) {
      return null;
    }
    return new Bundle(params, steps);
  }

  /** PowerShell's parameter binding: unknown names, missing mandatory values, ValidatePattern and ValidateSet. */
  static String bind(List<Param> declared, Map<String, String> given) {
    if (declared == null) {
      return notATemplate();
    }
    for (String name : given.keySet()) {
      if (declared.stream().noneMatch(p -> p.name().equalsIgnoreCase(name))) {
        return bindingError("A parameter cannot be found that matches parameter name '" + name + "'.",
            "InvalidArgument", "NamedParameterNotFound");
      }
    }
    List<String> missing = new ArrayList<>();
    for (Param p : declared) {
      String value = lookup(given, p.name());
      if (value == null || value.isEmpty()) {
        if (p.mandatory()) {
          missing.add(p.name());
        }
        continue;
      }
      if (p.pattern() != null && !p.pattern().matcher(value).find()) {
        return bindingError("Cannot validate argument on parameter '" + p.name() + "'. The argument \"" + value
            + "\" does not match the \"" + p.patternText() + "\" pattern. Supply an argument that matches \""
            + p.patternText() + "\" and try the command again.", "InvalidData", "ParameterArgumentValidationError");
      }
      if (!p.set().isEmpty() && p.set().stream().noneMatch(v -> v.equalsIgnoreCase(value))) {
        return bindingError("Cannot validate argument on parameter '" + p.name() + "'. The argument \"" + value
            + "\" does not belong to the set \"" + String.join(",", p.set()) + "\" specified by the ValidateSet "
            + "attribute. Supply an argument that is in the set and then try the command again.", "InvalidData",
            "ParameterArgumentValidationError");
      }
    }
    if (!missing.isEmpty()) {
      return bindingError("Cannot process command because of one or more missing mandatory parameters: "
          + String.join(" ", missing) + ".", "InvalidArgument", "MissingMandatoryParameter");
    }
    return null;
  }

  private static String lookup(Map<String, String> given, String name) {
    for (var e : given.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String bindingError(String message, String category, String errorId) {
    return SCRIPT + " : " + message + "\n"
        + "    + CategoryInfo          : " + category + ": (:) [script0.ps1], ParameterBindingException\n"
        + "    + FullyQualifiedErrorId : " + errorId + ",script0.ps1";
  }

  /** What the simulated guest says to a script it cannot run: it executes only the shipped templates. */
  private static String notATemplate() {
    return "The term 'script0.ps1' is not recognized by the azrdpfix simulated guest: it runs only the shipped "
        + "templates and bundles composed from them, verbatim.\n"
        + "At " + SCRIPT + ":1 char:1\n"
        + "    + CategoryInfo          : NotImplemented: (script0.ps1:String) [], RuntimeException\n"
        + "    + FullyQualifiedErrorId : AzrdpfixSimulatorUnknownScript";
  }

  private static String shorten(String s, int max) {
    String t = s.replaceAll("\\s+", " ").trim();
    return t.length() > max ? t.substring(0, max) : t;
  }

  /** Run Command keeps only the last 4,096 bytes of each stream. */
  static RunOutput cut(String stdout, String stderr) {
    return new RunOutput(lastBytes(stdout), lastBytes(stderr));
  }

  static String lastBytes(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length <= OUTPUT_LIMIT) {
      return s;
    }
    return new String(b, b.length - OUTPUT_LIMIT, OUTPUT_LIMIT, StandardCharsets.UTF_8);
  }
}
