package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.contract.ScriptText;
import dev.azrdpfix.contract.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The templates shipped on the classpath ({@code dev/azrdpfix/templates/manifest.json}), normalised, composed with
 * the helpers and hashed as CONTRACT.md says, so the simulated guest recognises a script by its exact text and
 * nothing else.
 */
final class ShippedTemplates {
  private static final String ROOT = "dev/azrdpfix/templates/";
  private static final Pattern PARAM_LINE = Pattern.compile(
      "\\s*\\[Parameter\\(Mandatory\\s*=\\s*\\$(true|false)\\)\\]"
          + "(?:\\[ValidatePattern\\('((?:[^']|'')*)'\\)\\])?"
          + "(?:\\[ValidateSet\\(((?:'[^']*',?\\s*)+)\\)\\])?"
          + "\\[string\\]\\$([A-Za-z][A-Za-z0-9]*),?\\s*");

  /** The line a template file holds where the helpers go (CONTRACT.md). */
  static final String HELPERS_PLACEHOLDER = Wire.HELPERS_PLACEHOLDER;

  /**
   * One shipped script: {@code text}/{@code sha256} is what runs when it is sent alone (a template composed with the
   * helpers), {@code sourceSha256} the hash of the file as stored (what a bundle embeds); equal for common files.
   */
  record Template(String id, String text, String sha256, String sourceSha256, List<Param> params, boolean critical) {}

  /** A parameter as the script's {@code param()} block declares it. */
  record Param(String name, boolean mandatory, Pattern pattern, String patternText, List<String> set) {}

  private static volatile ShippedTemplates instance;

  private final Map<String, Template> byId = new LinkedHashMap<>();
  private final Map<String, Template> bySha = new LinkedHashMap<>();
  private final Template runner;
  private final Template helpers;

  private ShippedTemplates() {
    JsonNode manifest;
    try (InputStream in = open("manifest.json")) {
      manifest = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the shipped template manifest", e);
    }
    Template r = null;
    Template h = null;
    for (JsonNode c : manifest.path("common")) {
      if (c.path("id").asText().equals("bundle-runner")) {
        r = common("bundle-runner", c.path("path").asText());
      }
      if (c.path("id").asText().equals("helpers")) {
        h = common("helpers", c.path("path").asText());
      }
    }
    runner = r;
    helpers = h;
    for (JsonNode t : manifest.path("templates")) {
      Template tpl = template(t.path("id").asText(), t.path("path").asText(), helpers,
          t.path("critical").asBoolean(true));
      if (tpl != null) {
        byId.put(tpl.id(), tpl);
        bySha.put(tpl.sha256(), tpl);
      }
    }
  }

  static ShippedTemplates get() {
    if (instance == null) {
      synchronized (ShippedTemplates.class) {
        if (instance == null) {
          instance = new ShippedTemplates();
        }
      }
    }
    return instance;
  }

  Optional<Template> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  Optional<Template> bySha(String sha) {
    return Optional.ofNullable(bySha.get(sha));
  }

  Template runner() {
    return runner;
  }

  Template helpers() {
    return helpers;
  }

  private static Template common(String id, String path) {
    String text = read(path);
    return new Template(id, text, sha256(text), sha256(text), List.of(), true);
  }

  /**
   * A template as it runs alone: its one placeholder line replaced by the helpers. A template without exactly one
   * placeholder (or a missing helpers file) cannot be composed, so the guest never recognises it.
   */
  private static Template template(String id, String path, Template helpers, boolean critical) {
    String source = read(path);
    List<String> lines = List.of(source.split("\n", -1));
    int at = lines.indexOf(HELPERS_PLACEHOLDER);
    if (helpers == null || at < 0 || lines.lastIndexOf(HELPERS_PLACEHOLDER) != at) {
      return null;
    }
    String text = String.join("\n", lines.subList(0, at)) + (at > 0 ? "\n" : "") + helpers.text()
        + (at < lines.size() - 1 ? "\n" + String.join("\n", lines.subList(at + 1, lines.size())) : "");
    return new Template(id, text, sha256(text), sha256(source), params(text), critical);
  }

  private static String read(String path) {
    try (InputStream in = open(path)) {
      return normalise(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read shipped template " + path, e);
    }
  }

  private static InputStream open(String path) throws IOException {
    InputStream in = ShippedTemplates.class.getClassLoader().getResourceAsStream(ROOT + path);
    if (in == null) {
      throw new IOException(ROOT + path + " is not on the classpath");
    }
    return in;
  }

  /** CONTRACT.md's normalised text ({@link ScriptText#normalise}), joined with LF. */
  static String normalise(String raw) {
    return String.join("\n", ScriptText.normalise(raw));
  }

  static String sha256(String text) {
    return ScriptText.sha256(text);
  }

  /**
   * The parameters of the script's top-level {@code param()} block, read the way PowerShell binds them: patterns are
   * case-insensitive unless they say {@code (?-i)}. Returns null when the block is not in the shape the templates and
   * the bundle composer write (one attribute-decorated {@code [string]} parameter per line).
   */
  static List<Param> params(String text) {
    String[] lines = text.split("\n", -1);
    int i = 0;
    while (i < lines.length && !lines[i].startsWith("param(")) {
      if (lines[i].startsWith("$")) {
        return List.of(); // code before any param(): a script without parameters
      }
      i++;
    }
    if (i == lines.length) {
      return List.of();
    }
    if (lines[i].trim().equals("param()")) {
      return List.of();
    }
    List<Param> out = new ArrayList<>();
    for (i = i + 1; i < lines.length && !lines[i].trim().equals(")"); i++) {
      Matcher m = PARAM_LINE.matcher(lines[i]);
      if (!m.matches()) {
        return null;
      }
      String pattern = m.group(2) == null ? null : m.group(2).replace("''", "'");
      List<String> set = new ArrayList<>();
      if (m.group(3) != null) {
        for (String v : m.group(3).split(",")) {
          set.add(v.trim().replace("'", ""));
        }
      }
      out.add(new Param(m.group(4), m.group(1).equals("true"),
          pattern == null ? null : Pattern.compile(pattern, Pattern.CASE_INSENSITIVE), pattern, set));
    }
    return out;
  }
}
