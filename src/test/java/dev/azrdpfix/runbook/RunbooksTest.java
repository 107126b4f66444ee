package dev.azrdpfix.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.azrdpfix.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runbook is code: every command of every page under samples/runbooks/ runs, in the page's order, against the
 * simulated Azure, and must end as the page promises. The convention (samples/runbooks/README.md):
 *
 * <ul>
 *   <li>Only fenced {@code ```sh} blocks are code. Each line is blank, a comment, an assignment {@code NAME=value}
 *       (the engineer's VM; the test may override it), or {@code azrdpfix ...} followed by an expectation comment
 *       {@code # expect: exit N[, finding ID][, no finding ID][, output "TEXT"]}. Nothing else may appear, so no
 *       command can escape the test. Commands outside azrdpfix (Azure CLI, portal steps) go in {@code ```sh manual}
 *       blocks, which must not contain azrdpfix commands.</li>
 *   <li>{@code <!-- runbook-test: NAME=value ... -->} maps a page's placeholders to simulated VMs;
 *       {@code <!-- runbook-test-setup: azrdpfix ... # expect: ... -->} brings the simulated VM into the page's
 *       starting state (e.g. "a repair ran").</li>
 *   <li>The test appends {@code --simulate} to commands that reach Azure, resolves a relative {@code --report}
 *       path in a per-page folder, and gives each page its own simulator state (a fresh cache folder).</li>
 *   <li>Each page has the sections Confirm, What the exit codes mean, Escalate and Undo, and its exit-code table
 *       explains every exit code its commands expect.</li>
 * </ul>
 */
class RunbooksTest {
  static final Path PAGES = Path.of("samples/runbooks");
  private static final Pattern MAPPING = Pattern.compile("<!--\\s*runbook-test:(.*?)-->", Pattern.DOTALL);
  private static final Pattern SETUP = Pattern.compile("<!--\\s*runbook-test-setup:(.*?)-->", Pattern.DOTALL);
  private static final Pattern ASSIGN = Pattern.compile("([A-Z][A-Z0-9_]*)=(\\S+)\\s*(#.*)?");
  private static final Pattern EXPECT = Pattern.compile("#\\s*expect:\\s*(.+)$");
  private static final Set<String> OFFLINE = Set.of("explain", "probe", "templates", "simulator", "--version",
      "--help");
  private static final List<String> SECTIONS = List.of("## Confirm", "## What the exit codes mean", "## Escalate",
      "## Undo");

  @TempDir
  Path temp;

  /** One command as the page states it, with what it must do. */
  record Step(int line, String text, List<String> args, int exit, List<String> checks) {}

  static List<Path> pages() throws IOException {
    try (Stream<Path> s = Files.list(PAGES)) {
      return s.filter(p -> p.toString().endsWith(".md") && !p.getFileName().toString().equals("README.md"))
          .sorted().toList();
    }
  }

  @Test
  void there_is_a_page_for_each_symptom() throws IOException {
    List<String> names = pages().stream().map(p -> p.getFileName().toString()).toList();
    assertEquals(List.of("agent-not-ready.md", "nsg-blocks-rdp.md", "rdp-0x904-tls.md", "repair-failed.md",
        "vm-deallocated.md"), names);
  }

  @TestFactory
  Stream<DynamicTest> every_command_of_every_page_does_what_the_page_promises() throws IOException {
    return pages().stream().map(page -> DynamicTest.dynamicTest(page.getFileName().toString(), () -> run(page)));
  }

  void run(Path page) throws IOException {
    String text = Files.readString(page);
    for (String section : SECTIONS) {
      assertTrue(text.contains("\n" + section), page + ": missing section '" + section + "'");
    }
    Map<String, String> vars = new LinkedHashMap<>();
    Matcher mapping = MAPPING.matcher(text);
    Map<String, String> overrides = new LinkedHashMap<>();
    while (mapping.find()) {
      for (String pair : mapping.group(1).trim().split("\\s+")) {
        Matcher a = ASSIGN.matcher(pair);
        assertTrue(a.matches(), page + ": bad runbook-test mapping '" + pair + "'");
        overrides.put(a.group(1), a.group(2));
      }
    }
    vars.putAll(overrides);
    List<Step> steps = new ArrayList<>();
    Matcher setup = SETUP.matcher(text);
    while (setup.find()) {
      steps.add(step(page, lineOf(text, setup.start()), setup.group(1).trim(), vars));
    }
    int setupCount = steps.size();
    // Fences are found line by line, indented ones (inside numbered lists) included, so none is skipped.
    String[] all = text.split("\n", -1);
    int blocks = 0;
    for (int i = 0; i < all.length; i++) {
      String opener = all[i].trim();
      if (!opener.startsWith("```")) {
        continue;
      }
      String info = opener.substring(3).trim();
      int end = i + 1;
      while (end < all.length && !all[end].trim().equals("```")) {
        end++;
      }
      assertTrue(end < all.length, page + ":" + (i + 1) + ": unclosed code block");
      List<String> lines = List.of(all).subList(i + 1, end);
      int firstLine = i + 2;
      i = end;
      if (!info.startsWith("sh")) {
        continue;
      }
      if (info.equals("sh manual")) {
        for (String l : lines) {
          assertFalse(l.trim().startsWith("azrdpfix"), page + ": an azrdpfix command in a manual block escapes"
              + " the test: " + l);
        }
        continue;
      }
      assertEquals("sh", info, page + ":" + (firstLine - 1) + ": code blocks are ```sh (tested) or ```sh manual");
      blocks++;
      for (int k = 0; k < lines.size(); k++) {
        String l = lines.get(k).trim();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        Matcher a = ASSIGN.matcher(l);
        if (a.matches()) {
          vars.put(a.group(1), overrides.getOrDefault(a.group(1), a.group(2)));
          continue;
        }
        steps.add(step(page, firstLine + k, l, vars));
      }
    }
    assertTrue(blocks > 0 && steps.size() > setupCount, page + ": no tested command");
    Set<String> expectedExits = new TreeSet<>();
    Path dir = Files.createDirectories(temp.resolve(page.getFileName().toString()));
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      if (i >= setupCount) {
        expectedExits.add(Integer.toString(s.exit()));
      }
      List<String> args = new ArrayList<>(s.args().subList(1, s.args().size()));
      for (int k = 0; k + 1 < args.size(); k++) {
        if (args.get(k).equals("--report") && !Path.of(args.get(k + 1)).isAbsolute()) {
          args.set(k + 1, dir.resolve(args.get(k + 1)).toString());
        }
      }
      if (!OFFLINE.contains(args.get(0))) {
        args.add("--simulate");
      }
      CliRun.Result r = CliRun.run(Map.of("AZRDPFIX_CACHE_DIR", dir.resolve("cache").toString()), dir,
          args.toArray(String[]::new));
      String where = page + ":" + s.line() + ": " + s.text() + "\n" + r;
      assertEquals(s.exit(), r.exit(), "exit code\n" + where);
      for (String check : s.checks()) {
        if (check.startsWith("finding ")) {
          assertTrue(hasWord(r.out(), check.substring(8)), check + "\n" + where);
        } else if (check.startsWith("no finding ")) {
          assertFalse(hasWord(r.out(), check.substring(11)), check + "\n" + where);
        } else if (check.startsWith("output ")) {
          String want = check.substring(7).replaceAll("^\"|\"$", "");
          assertTrue(r.out().contains(want), check + "\n" + where);
        } else {
          fail(page + ":" + s.line() + ": unknown expectation '" + check + "'");
        }
      }
    }
    String table = text.substring(text.indexOf("\n## What the exit codes mean"));
    for (String code : expectedExits) {
      assertTrue(table.contains("\n| " + code + " "), page + ": exit " + code
          + " is expected by a command but not explained in 'What the exit codes mean'");
    }
  }

  private static Step step(Path page, int line, String text, Map<String, String> vars) {
    Matcher e = EXPECT.matcher(text);
    if (!e.find()) {
      fail(page + ":" + line + ": '" + text + "' has no '# expect: exit N' comment (every command promises one)");
    }
    String command = text.substring(0, e.start()).trim();
    List<String> args = split(command, vars, page + ":" + line);
    if (args.isEmpty() || !args.get(0).equals("azrdpfix")) {
      fail(page + ":" + line + ": only azrdpfix commands run here; put '" + command + "' in a ```sh manual block");
    }
    List<String> checks = new ArrayList<>();
    Integer exit = null;
    for (String part : e.group(1).split(",")) {
      String p = part.trim();
      if (p.matches("exit \\d+")) {
        exit = Integer.parseInt(p.substring(5));
      } else if (!p.isEmpty()) {
        checks.add(p);
      }
    }
    if (exit == null) {
      fail(page + ":" + line + ": the expectation names no exit code: " + e.group(1));
    }
    return new Step(line, text, args, exit, checks);
  }

  /** Splits like a shell for the simple cases pages use: blanks, "double" and 'single' quotes, $VAR and ${VAR}. */
  static List<String> split(String command, Map<String, String> vars, String where) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean any = false;
    char quote = 0;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (quote == 0 && Character.isWhitespace(c)) {
        if (any) {
          out.add(cur.toString());
          cur.setLength(0);
          any = false;
        }
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
        any = true;
      } else if (c == quote) {
        quote = 0;
      } else if (c == '$' && quote != '\'') {
        Matcher m = Pattern.compile("\\$(\\{([A-Z][A-Z0-9_]*)}|([A-Z][A-Z0-9_]*))").matcher(command).region(i,
            command.length());
        if (!m.lookingAt()) {
          fail(where + ": unsupported '$' in " + command);
        }
        String name = m.group(2) != null ? m.group(2) : m.group(3);
        if (!vars.containsKey(name)) {
          fail(where + ": $" + name + " is used before the page sets it (" + name + "=...)");
        }
        cur.append(vars.get(name));
        any = true;
        i = m.end() - 1;
      } else if (quote == 0 && "|&;<>`()*?".indexOf(c) >= 0) {
        fail(where + ": shell syntax '" + c + "' in a runbook command: keep commands to one azrdpfix call");
      } else {
        cur.append(c);
        any = true;
      }
    }
    if (any) {
      out.add(cur.toString());
    }
    return out;
  }

  private static boolean hasWord(String text, String word) {
    return Pattern.compile("(?<![a-z0-9-])" + Pattern.quote(word) + "(?![a-z0-9-])").matcher(text).find();
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }
}
