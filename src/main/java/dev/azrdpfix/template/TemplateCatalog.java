package dev.azrdpfix.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.contract.ScriptText;
import dev.azrdpfix.contract.Wire;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.StepProperties;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The PowerShell templates shipped in the jar ({@code dev/azrdpfix/templates/}, from {@code templates/}), read from
 * the classpath only. Prepares single scripts and repair bundles after validating every parameter against the
 * manifest, so that no invalid value ever reaches Azure.
 */
public final class TemplateCatalog {
  /** Classpath folder of the templates. */
  public static final String ROOT = "dev/azrdpfix/templates/";

  private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

  /**
   * The line each template holds where the helpers go: replaced by {@code common/helpers.ps1} when the template is
   * sent alone, left as a plain comment when it is embedded in a bundle (the bundle defines the helpers once).
   */
  public static final String HELPERS_PLACEHOLDER = Wire.HELPERS_PLACEHOLDER;

  private final Map<String, TemplateSpec> templates;
  private final List<String> helperLines;
  private final List<String> runnerLines;

  private TemplateCatalog(Map<String, TemplateSpec> templates, List<String> helperLines, List<String> runnerLines) {
    this.templates = templates;
    this.helperLines = helperLines;
    this.runnerLines = runnerLines;
  }

  /**
   * Loads the manifest and every template it lists.
   *
   * @throws AzrdpfixException INTERNAL when the jar's templates are missing or inconsistent (a build defect)
   */
  public static TemplateCatalog load() {
    JsonNode manifest;
    try {
      manifest = new ObjectMapper().readTree(resource("manifest.json"));
    } catch (IOException e) {
      throw internal("templates/manifest.json is not valid JSON: " + e.getMessage());
    }
    List<String> helpers = ScriptText.normalise(resource(commonPath(manifest, "helpers")));
    List<String> runner = ScriptText.normalise(resource(commonPath(manifest, "bundle-runner")));
    if (runner.contains(HELPERS_PLACEHOLDER)) {
      throw internal("common/bundle-runner.ps1 must not hold the helpers placeholder (the bundle defines them)");
    }
    Map<String, TemplateSpec> specs = new LinkedHashMap<>();
    for (JsonNode t : manifest.path("templates")) {
      TemplateSpec spec = spec(t, helpers);
      if (specs.put(spec.id(), spec) != null) {
        throw internal("template id '" + spec.id() + "' appears twice in manifest.json");
      }
    }
    return new TemplateCatalog(specs, helpers, runner);
  }

  private static String commonPath(JsonNode manifest, String id) {
    for (JsonNode c : manifest.path("common")) {
      if (id.equals(c.path("id").asText())) {
        return c.path("path").asText();
      }
    }
    throw internal("manifest.json lists no common " + id);
  }

  /**
   * A template's lines with its one placeholder line replaced by the helper lines.
   *
   * @throws AzrdpfixException INTERNAL when the template holds the placeholder line other than exactly once
   */
  static List<String> withHelpers(String id, List<String> source, List<String> helpers) {
    int at = source.indexOf(HELPERS_PLACEHOLDER);
    if (at < 0 || source.lastIndexOf(HELPERS_PLACEHOLDER) != at) {
      throw internal("template " + id + " must hold the line '" + HELPERS_PLACEHOLDER + "' exactly once");
    }
    List<String> out = new ArrayList<>(source.size() + helpers.size());
    out.addAll(source.subList(0, at));
    out.addAll(helpers);
    out.addAll(source.subList(at + 1, source.size()));
    return out;
  }

  /** All templates in manifest order. */
  public Collection<TemplateSpec> all() {
    return templates.values();
  }

  /**
   * The template with that id.
   *
   * @throws AzrdpfixException USAGE for an unknown id
   */
  public TemplateSpec get(String id) {
    TemplateSpec spec = id == null ? null : templates.get(id);
    if (spec == null) {
      throw new AzrdpfixException(ExitCode.USAGE, "unknown template '" + id + "': known templates are "
          + String.join(", ", templates.keySet()) + ".");
    }
    return spec;
  }

  /**
   * What repair step {@code id} implies, read from the manifest: the one home of step properties, handed to core as a
   * {@link StepProperties.Source} ({@code catalog::stepProperties}).
   *
   * @throws IllegalArgumentException when the manifest has no repair step {@code id}
   */
  public StepProperties stepProperties(String id) {
    TemplateSpec t = id == null ? null : templates.get(id);
    if (t == null || t.kind() != TemplateKind.REPAIR) {
      throw new IllegalArgumentException("templates/manifest.json has no repair step '" + id + "'");
    }
    return new StepProperties(t.id(), t.destructive(), t.requiresReboot(), t.requiresReapply(), t.explicitFlag(),
        t.critical(), t.restartsServices());
  }

  /** The helper functions' normalised lines ({@code common/helpers.ps1}), the one copy every script uses. */
  public List<String> helperLines() {
    return helperLines;
  }

  /** The bundle runner's normalised lines ({@code common/bundle-runner.ps1}). */
  public List<String> runnerLines() {
    return runnerLines;
  }

  /**
   * One template as a script: its text with the helpers in place of the placeholder line ({@link TemplateSpec#lines}),
   * with validated parameters (defaults filled in).
   *
   * @throws AzrdpfixException USAGE for an unknown template or an unknown, missing or invalid parameter
   */
  public PreparedScript prepare(String id, Map<String, String> params) {
    TemplateSpec spec = get(id);
    Map<String, String> values = validate(spec, params);
    return new PreparedScript(spec.id(), spec.lines(), values, spec.sha256());
  }

  /**
   * Several repair steps as one script (format in CONTRACT.md), in the given order.
   *
   * @throws AzrdpfixException USAGE for an empty list, a non-repair or repeated template, an invalid parameter, or
   *     one parameter given different values in two steps
   */
  public PreparedScript bundle(List<StepCall> steps) {
    if (steps == null || steps.isEmpty()) {
      throw new AzrdpfixException(ExitCode.USAGE, "a repair bundle needs at least one step.");
    }
    List<ScriptBundle.Step> parts = new ArrayList<>();
    Map<String, String> union = new TreeMap<>();
    Map<String, ParameterSpec> specs = new TreeMap<>();
    Map<String, Boolean> required = new TreeMap<>();
    for (StepCall call : steps) {
      TemplateSpec spec = get(call.templateId());
      if (spec.kind() != TemplateKind.REPAIR) {
        throw new AzrdpfixException(ExitCode.USAGE, "template " + spec.id() + " is not a repair step and cannot be "
            + "bundled.");
      }
      if (parts.stream().anyMatch(p -> p.spec().id().equals(spec.id()))) {
        throw new AzrdpfixException(ExitCode.USAGE, "repair step " + spec.id() + " appears twice in one bundle.");
      }
      Map<String, String> values = validate(spec, call.params());
      for (ParameterSpec p : spec.parameters().values()) {
        ParameterSpec seen = specs.putIfAbsent(p.name(), p);
        if (seen != null && !sameSpec(seen, p)) {
          throw internal("parameter " + p.name() + " has different specs in two templates (" + spec.id() + ")");
        }
        required.merge(p.name(), p.required(), Boolean::logicalOr);
      }
      for (Map.Entry<String, String> v : values.entrySet()) {
        String before = union.putIfAbsent(v.getKey(), v.getValue());
        if (before != null && !before.equals(v.getValue())) {
          throw new AzrdpfixException(ExitCode.USAGE, "parameter " + v.getKey() + " has two different values in one "
              + "bundle (steps share parameters by name). Give every step the same " + v.getKey() + ".");
        }
      }
      parts.add(new ScriptBundle.Step(spec));
    }
    List<String> lines = ScriptBundle.compose(parts, specs, required, helperLines, runnerLines);
    return new PreparedScript("bundle", lines, union, ScriptText.sha256(lines));
  }

  static boolean sameSpec(ParameterSpec a, ParameterSpec b) {
    return a.type() == b.type() && a.pattern().equals(b.pattern()) && a.required() == b.required()
        && java.util.Objects.equals(a.defaultValue(), b.defaultValue());
  }

  private static Map<String, String> validate(TemplateSpec spec, Map<String, String> params) {
    Map<String, String> given = params == null ? Map.of() : params;
    for (String name : given.keySet()) {
      if (!spec.parameters().containsKey(name)) {
        throw new AzrdpfixException(ExitCode.USAGE, "template " + spec.id() + " has no parameter '" + name
            + "'; its parameters are: " + (spec.parameters().isEmpty() ? "none"
                : String.join(", ", spec.parameters().keySet()))
            + ".");
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (ParameterSpec p : spec.parameters().values()) {
      String value = given.get(p.name());
      if (value == null && !given.containsKey(p.name())) {
        if (p.defaultValue() != null) {
          value = p.defaultValue();
        } else if (p.required()) {
          throw new AzrdpfixException(ExitCode.USAGE, "template " + spec.id() + " needs parameter " + p.name()
              + ": " + p.type().rule() + ".");
        } else {
          continue;
        }
      }
      p.check(spec.id(), value);
      values.put(p.name(), value);
    }
    return values;
  }

  private static TemplateSpec spec(JsonNode t, List<String> helpers) {
    String id = t.path("id").asText();
    if (!ID.matcher(id).matches()) {
      throw internal("template id '" + id + "' in manifest.json is not kebab-case");
    }
    String path = t.path("path").asText();
    Map<String, ParameterSpec> params = new LinkedHashMap<>();
    t.path("parameters").fields().forEachRemaining(e -> {
      String name = e.getKey();
      JsonNode p = e.getValue();
      ParameterType type;
      try {
        type = ParameterType.fromId(p.path("type").asText());
      } catch (IllegalArgumentException ex) {
        throw internal(id + "." + name + ": " + ex.getMessage());
      }
      String pattern = p.path("pattern").asText(type.pattern());
      if (!NAME.matcher(name).matches() || !pattern.equals(type.pattern())) {
        throw internal(id + "." + name + ": bad name or pattern (the pattern must be the " + type.id()
            + " pattern " + type.pattern() + ")");
      }
      String def = p.hasNonNull("default") ? p.get("default").asText() : null;
      params.put(name, new ParameterSpec(name, type, pattern, p.path("required").asBoolean(false), def));
    });
    List<String> source = ScriptText.normalise(resource(path));
    List<String> lines = withHelpers(id, source, helpers);
    TemplateKind kind;
    try {
      kind = TemplateKind.fromId(t.path("kind").asText());
    } catch (IllegalArgumentException ex) {
      throw internal(id + ": " + ex.getMessage());
    }
    if (kind == TemplateKind.REPAIR && !(t.path("critical").isBoolean() && t.path("restartsServices").isBoolean())) {
      throw internal(id + ": a repair step must say whether it is critical and whether it restartsServices");
    }
    return new TemplateSpec(id, path, kind, t.path("summary").asText(), strings(t.path("reads")),
        strings(t.path("changes")), t.path("mutates").asBoolean(), t.path("destructive").asBoolean(),
        t.path("requiresReboot").asBoolean(), t.path("requiresReapply").asBoolean(),
        t.hasNonNull("explicitFlag") ? t.get("explicitFlag").asText() : null, t.path("critical").asBoolean(true),
        t.path("restartsServices").asBoolean(false), params, lines, ScriptText.sha256(lines), source,
        ScriptText.sha256(source));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String resource(String path) {
    try (InputStream in = TemplateCatalog.class.getClassLoader().getResourceAsStream(ROOT + path)) {
      if (in == null) {
        throw internal("template file " + path + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw internal("cannot read template " + path + ": " + e.getMessage());
    }
  }

  private static AzrdpfixException internal(String what) {
    return new AzrdpfixException(ExitCode.INTERNAL, "broken template set: " + what + ". Rebuild azrdpfix.");
  }
}
