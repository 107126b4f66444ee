package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Test helper: the shipped template texts from the classpath, composed with the helpers, and bundles composed exactly
 * as CONTRACT.md lays them out (written here from the contract, independently of the guest's own parser).
 */
final class Scripts {
  static final String RUN_ID = "20261123T050000Z-k3x9q2";
  private static final String ROOT = "dev/azrdpfix/templates/";

  private Scripts() {}

  static JsonNode manifest() {
    try (InputStream in = resource("manifest.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode spec(String id) {
    for (JsonNode t : manifest().path("templates")) {
      if (t.path("id").asText().equals(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException(id);
  }

  /** A template as the tool sends it alone: its file's lines with the placeholder line replaced by the helpers. */
  static List<String> template(String id) {
    List<String> out = new ArrayList<>();
    for (String line : source(id)) {
      if (line.equals("# azrdpfix:helpers")) {
        out.addAll(lines("common/helpers.ps1"));
      } else {
        out.add(line);
      }
    }
    return out;
  }

  /** A template file's normalised lines, as stored (placeholder line included): what a bundle embeds. */
  static List<String> source(String id) {
    return lines(spec(id).path("path").asText());
  }

  static List<String> lines(String path) {
    try (InputStream in = resource(path)) {
      String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (s.startsWith("\uFEFF")) {
        s = s.substring(1);
      }
      s = s.replace("\r\n", "\n").replace('\r', '\n');
      List<String> out = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
      if (out.get(out.size() - 1).isEmpty()) {
        out.remove(out.size() - 1);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A repair bundle of the given steps in order, laid out as CONTRACT.md "The bundle" says. */
  static List<String> bundle(String... ids) {
    List<String> out = new ArrayList<>();
    out.add("<# azrdpfix bundle: " + String.join(",", ids)
        + " (generated from templates/manifest.json; step texts are verbatim templates) #>");
    TreeMap<String, String[]> params = new TreeMap<>();
    for (String id : ids) {
      spec(id).path("parameters").fields().forEachRemaining(p -> {
        boolean required = p.getValue().path("required").asBoolean();
        String[] old = params.get(p.getKey());
        boolean mandatory = required || (old != null && old[0].equals("true"));
        params.put(p.getKey(), new String[] {Boolean.toString(mandatory), p.getValue().path("pattern").asText()});
      });
    }
    if (params.isEmpty()) {
      out.add("param()");
    } else {
      out.add("param(");
      int i = 0;
      for (var p : params.entrySet()) {
        i++;
        out.add("  [Parameter(Mandatory = $" + p.getValue()[0] + ")][ValidatePattern('"
            + p.getValue()[1].replace("'", "''") + "')][string]$" + p.getKey() + (i < params.size() ? "," : ""));
      }
      out.add(")");
    }
    out.add("$ErrorActionPreference = 'Stop'");
    List<String> helpers = lines("common/helpers.ps1");
    out.add("# >>> azrdpfix-helpers sha256=" + ShippedTemplates.sha256(String.join("\n", helpers)));
    out.addAll(helpers);
    out.add("# <<< azrdpfix-helpers");
    out.add("$azrdpfixSteps = New-Object System.Collections.Generic.List[object]");
    for (String id : ids) {
      List<String> text = source(id);
      out.add("# >>> azrdpfix-step " + id + " sha256=" + ShippedTemplates.sha256(String.join("\n", text)));
      boolean critical = spec(id).path("critical").asBoolean(true);
      out.add("$azrdpfixSteps.Add(@{ Id = '" + id + "'; Critical = $" + critical + "; Block = {");
      out.addAll(text);
      out.add("} })");
      out.add("# <<< azrdpfix-step " + id);
    }
    List<String> runner = lines("common/bundle-runner.ps1");
    out.add("# >>> azrdpfix-runner sha256=" + ShippedTemplates.sha256(String.join("\n", runner)));
    out.addAll(runner);
    out.add("# <<< azrdpfix-runner");
    return out;
  }

  private static InputStream resource(String path) throws IOException {
    InputStream in = Scripts.class.getClassLoader().getResourceAsStream(ROOT + path);
    if (in == null) {
      throw new IOException(ROOT + path + " missing from the classpath");
    }
    return in;
  }
}
