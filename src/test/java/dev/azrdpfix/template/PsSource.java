package dev.azrdpfix.template;

import dev.azrdpfix.contract.ScriptText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads template files from the source tree and pulls out the parts the tests check (param block, helper region markers). */
final class PsSource {
  static final Path ROOT = Path.of("templates");
  static final String REGION_START = "#region azrdpfix-helpers";
  static final String REGION_END = "#endregion azrdpfix-helpers";

  /** One declared parameter: name, ValidatePattern string, Mandatory flag. */
  record Param(String name, String pattern, boolean mandatory) {}

  private PsSource() {}

  static List<Path> allScripts() {
    try (Stream<Path> s = Files.walk(ROOT)) {
      return s.filter(p -> p.toString().endsWith(".ps1")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(String relative) {
    return read(ROOT.resolve(relative));
  }

  static String read(Path p) {
    try {
      return String.join("\n", ScriptText.normalise(Files.readString(p, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text with the helper region cut out (a composed script, or a file that wrongly carries a copy). */
  static String body(String text) {
    int a = text.indexOf(REGION_START);
    int b = text.indexOf(REGION_END);
    if (a < 0 || b < a) {
      return text;
    }
    return text.substring(0, a) + text.substring(b + REGION_END.length());
  }

  /** The body without comment blocks and whole-line comments: the code that runs. */
  static String code(String text) {
    String noBlocks = body(text).replaceAll("(?s)<#.*?#>", "");
    return noBlocks.lines().filter(l -> !l.stripLeading().startsWith("#"))
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  /** The text of the first top-level {@code param(...)} block, or null; single-quoted strings are skipped. */
  static String paramBlock(String text) {
    Matcher m = Pattern.compile("(?m)^param\\(").matcher(text);
    if (!m.find()) {
      return null;
    }
    int start = m.end() - 1;
    int depth = 0;
    boolean quoted = false;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        depth--;
        if (depth == 0) {
          return text.substring(start + 1, i);
        }
      }
    }
    throw new AssertionError("unbalanced param( block");
  }

  /** The parameters of a param block, split at top-level commas. */
  static Map<String, Param> params(String block) {
    Map<String, Param> out = new LinkedHashMap<>();
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    StringBuilder cur = new StringBuilder();
    for (char c : block.toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && (c == '(' || c == '[')) {
        depth++;
      } else if (!quoted && (c == ')' || c == ']')) {
        depth--;
      }
      if (c == ',' && depth == 0 && !quoted) {
        parts.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    parts.add(cur.toString());
    Pattern name = Pattern.compile("\\$([A-Za-z][A-Za-z0-9]*)\\s*$");
    Pattern pattern = Pattern.compile("ValidatePattern\\('([^']*)'\\)");
    for (String part : parts) {
      if (part.isBlank()) {
        continue;
      }
      Matcher n = name.matcher(part.strip());
      if (!n.find()) {
        throw new AssertionError("cannot read parameter from: " + part);
      }
      Matcher p = pattern.matcher(part);
      out.put(n.group(1), new Param(n.group(1), p.find() ? p.group(1) : null,
          part.replace(" ", "").contains("Mandatory=$true")));
    }
    return out;
  }
}
