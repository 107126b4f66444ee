package dev.azrdpfix.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.FindingId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the README promises automation (finding ids, exit codes) must be what the code has. */
class ReadmeContractTest {
  private static String readme() throws IOException {
    return Files.readString(Path.of("README.md"));
  }

  private static String section(String text, String heading) {
    int start = text.indexOf("\n" + heading + "\n");
    assertTrue(start >= 0, "README has no section " + heading);
    int end = text.indexOf("\n## ", start + heading.length() + 1);
    return end < 0 ? text.substring(start) : text.substring(start, end);
  }

  @Test
  void everyFindingIdTheReadmeNamesExists() throws IOException {
    String json = section(readme(), "## JSON output");
    int from = json.indexOf("e.g.", json.indexOf("Finding ids are stable kebab-case"));
    int to = json.indexOf("and more.", from);
    assertTrue(from >= 0 && to > from, "the README's finding id list moved: update this test");
    List<String> named = new ArrayList<>();
    Matcher m = Pattern.compile("`([^`]+)`").matcher(json.substring(from, to));
    while (m.find()) {
      named.add(m.group(1));
    }
    assertTrue(named.size() >= 20, "found only " + named);
    List<String> unknown = named.stream().filter(id -> FindingId.fromId(id) == null).toList();
    assertEquals(List.of(), unknown, "README names finding ids that FindingId does not have");
    // And the finding ids in the example document.
    Matcher ex = Pattern.compile("\"id\": \"([a-z0-9-]+)\", \"severity\"").matcher(json);
    while (ex.find()) {
      assertTrue(FindingId.fromId(ex.group(1)) != null, ex.group(1));
    }
  }

  /**
   * The exit-code table lists exactly the enum's codes, in its order, and each meaning starts with the enum's
   * description (what {@code --help} prints); the README may add detail after it.
   */
  @Test
  void theExitCodeTableMatchesTheEnum() throws IOException {
    String table = section(readme(), "## Exit codes");
    Matcher row = Pattern.compile("(?m)^\\| (\\d+) \\| (.+) \\|$").matcher(table);
    List<Integer> codes = new ArrayList<>();
    List<String> meanings = new ArrayList<>();
    while (row.find()) {
      codes.add(Integer.parseInt(row.group(1)));
      meanings.add(row.group(2).replace("`", ""));
    }
    assertEquals(Arrays.stream(ExitCode.values()).map(ExitCode::code).toList(), codes);
    for (int i = 0; i < codes.size(); i++) {
      ExitCode c = ExitCode.values()[i];
      assertTrue(meanings.get(i).startsWith(c.description()),
          "README exit " + c.code() + " says '" + meanings.get(i) + "', --help says '" + c.description() + "'");
    }
  }
}
