package dev.azrdpfix.cli;

import static dev.azrdpfix.testing.ArmWorld.SUB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.azrdpfix.testing.ArmWorld;
import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a workflow sees when azrdpfix runs under GitHub Actions: the step outputs, the job summary, the annotations,
 * the progress group, and that nothing the guest (or Azure) says can become a workflow command.
 */
class GithubActionsTest {
  @RegisterExtension
  static WireMockExtension wm = ArmWorld.extension();
  @TempDir
  Path home;

  /** A fake runner: the environment files and the log the runner would read. */
  record Step(Result result, Map<String, String> outputs, String summary) {
    String log() {
      return result.out() + "\n" + result.err();
    }

    List<String> commands() {
      return commandsIn(log());
    }
  }

  Step run(Map<String, String> extraEnv, String... args) throws Exception {
    Path out = home.resolve("github_output");
    Path summary = home.resolve("step_summary");
    Files.deleteIfExists(out);
    Files.deleteIfExists(summary);
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_OUTPUT", out.toString());
    env.put("GITHUB_STEP_SUMMARY", summary.toString());
    Result r = CliRun.run(env, home, args);
    return new Step(r, Files.exists(out) ? parseOutputs(Files.readString(out)) : Map.of(),
        Files.exists(summary) ? Files.readString(summary) : "");
  }

  /** Parses GITHUB_OUTPUT as the runner does: name=value lines and name<<DELIM blocks. */
  static Map<String, String> parseOutputs(String file) {
    Map<String, String> m = new LinkedHashMap<>();
    List<String> lines = List.of(file.split("\n", -1));
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.isEmpty()) {
        continue;
      }
      int heredoc = l.indexOf("<<");
      int eq = l.indexOf('=');
      if (heredoc > 0 && (eq < 0 || heredoc < eq)) {
        String name = l.substring(0, heredoc);
        String delim = l.substring(heredoc + 2);
        List<String> value = new ArrayList<>();
        i++;
        while (!lines.get(i).equals(delim)) {
          value.add(lines.get(i++));
        }
        m.put(name, String.join("\n", value));
      } else {
        m.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    return m;
  }

  /** The lines the runner would read as workflow commands (after leading blanks, CR a line break), in order. */
  static List<String> commandsIn(String log) {
    List<String> commands = new ArrayList<>();
    for (String l : log.split("\r\n|\r|\n")) {
      int i = 0; // .NET's TrimStart, as the runner uses it: Unicode space separators and NEL too, not only ASCII
      while (i < l.length() && (Character.isWhitespace(l.charAt(i)) || Character.isSpaceChar(l.charAt(i))
          || l.charAt(i) == '\u0085')) {
        i++;
      }
      String t = l.substring(i);
      if (t.startsWith("::") || t.toLowerCase(java.util.Locale.ROOT).startsWith("##[")) {
        commands.add(t);
      }
    }
    return commands;
  }

  // ---- against the simulated Azure

  @Test
  void inspect_of_the_headline_vm_gives_outputs_summary_and_one_error_per_blocking_finding() throws Exception {
    Path report = home.resolve("out/inspect.json");
    Step s = run(Map.of(), "inspect", "web-01", "--simulate", "--report", report.toString());
    s.result().expectExit(5);
    assertEquals("5", s.outputs().get("exit-code"), s.toString());
    assertEquals("rdp-blocked", s.outputs().get("exit-name"));
    assertEquals("blocked", s.outputs().get("verdict"));
    assertEquals(report.toString(), s.outputs().get("report"));
    var doc = new ObjectMapper().readTree(report.toFile());
    List<String> critical = new ArrayList<>();
    doc.path("findings").forEach(f -> {
      if (f.path("severity").asText().equals("critical")) {
        critical.add(f.path("id").asText());
      }
    });
    assertFalse(critical.isEmpty());
    // The same Markdown serves the job summary and --report.
    assertEquals(Files.readString(home.resolve("out/inspect.md")), s.summary());
    assertTrue(s.summary().contains("`rdp-certificate-key-unreadable`"), s.summary());
    assertTrue(s.summary().contains("azrdpfix repair rg-prod/web-01 --dry-run"), s.summary());

    List<String> errors = s.commands().stream().filter(c -> c.startsWith("::error ")).toList();
    assertEquals(critical.size(), errors.size(), s.commands()::toString);
    for (String id : critical) {
      assertTrue(errors.stream().anyMatch(e -> e.startsWith("::error title=azrdpfix inspect rg-prod/web-01%3A " + id
          + "::")), id + " in " + errors);
    }
    List<String> log = s.commands();
    assertTrue(log.get(0).startsWith("::group::azrdpfix inspect web-01"), log::toString);
    assertTrue(log.contains("::endgroup::"), log::toString);
    assertTrue(log.indexOf("::endgroup::") < log.indexOf(errors.get(0)), "annotations after the progress group");
  }

  @Test
  void repair_reports_run_id_verdict_and_undo_and_a_notice_not_an_error() throws Exception {
    Path report = home.resolve("r.json");
    Step s = run(Map.of(), "repair", "web-01", "--simulate", "--yes", "--probe-timeout", "2s", "--probe-wait",
        "20s", "--report", report.toString());
    s.result().expectExit(0);
    var doc = new ObjectMapper().readTree(report.toFile());
    String runId = doc.path("runId").asText();
    assertEquals(runId, s.outputs().get("run-id"));
    assertEquals("ok", s.outputs().get("verdict"), "the probe's verdict after the repair");
    assertEquals("0", s.outputs().get("exit-code"));
    assertEquals("ok", s.outputs().get("exit-name"));
    assertEquals(Files.readString(home.resolve("r.md")), s.summary());
    for (String section : List.of("## Findings before", "## Plan", "## Azure operations", "## Changes on the VM",
        "## Verification", "Undo: `azrdpfix rollback rg-prod/web-01 --run " + runId + " --simulate`")) {
      assertTrue(s.summary().contains(section), section);
    }
    assertTrue(s.commands().stream().noneMatch(c -> c.startsWith("::error")), s.commands()::toString);
    assertTrue(s.commands().stream().anyMatch(c -> c.startsWith("::notice title=azrdpfix repair rg-prod/web-01::")
        && c.contains("--run " + runId)), s.commands()::toString);
  }

  @Test
  void a_probe_that_fails_gives_its_verdict_as_output_and_one_error() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    Step s = run(Map.of(), "probe", "127.0.0.1:" + port, "--timeout", "2s");
    s.result().expectExit(5);
    assertEquals("tcp-refused", s.outputs().get("verdict"), s.toString());
    assertEquals("rdp-blocked", s.outputs().get("exit-name"));
    assertTrue(s.summary().contains("| Verdict | **tcp-refused** |"), s.summary());
    List<String> errors = s.commands().stream().filter(c -> c.startsWith("::error")).toList();
    assertEquals(1, errors.size(), s.commands()::toString);
    assertTrue(errors.get(0).startsWith("::error title=azrdpfix probe 127.0.0.1%3A" + port + "%3A tcp-refused::"));
  }

  @Test
  void check_access_names_the_missing_actions_in_one_error() throws Exception {
    Step s = run(Map.of(), "check-access", "web-01", "--for", "inspect", "--simulate", "--sim-faults",
        "role:reader");
    s.result().expectExit(4);
    assertEquals("missing-permissions", s.outputs().get("verdict"));
    assertTrue(s.summary().contains("| `Microsoft.Compute/virtualMachines/runCommand/action` | **missing** |"),
        s.summary());
    List<String> errors = s.commands().stream().filter(c -> c.startsWith("::error")).toList();
    assertEquals(1, errors.size(), s.commands()::toString);
    assertTrue(errors.get(0).contains("Microsoft.Compute/virtualMachines/runCommand/action"), errors.get(0));
  }

  @Test
  void a_usage_error_still_sets_the_exit_outputs_and_becomes_one_annotation() throws Exception {
    Step s = run(Map.of(), "inspect", "bad/name/with/slashes", "--simulate");
    s.result().expectExit(2);
    assertEquals("2", s.outputs().get("exit-code"));
    assertEquals("usage", s.outputs().get("exit-name"));
    List<String> errors = s.commands().stream().filter(c -> c.startsWith("::error")).toList();
    assertEquals(1, errors.size(), s.commands()::toString);
    assertTrue(errors.get(0).startsWith("::error title=azrdpfix%3A exit 2 (usage)::"), errors.get(0));
    assertTrue(s.summary().startsWith("# azrdpfix: exit 2 (usage)"), s.summary());
  }

  @Test
  void outside_github_actions_nothing_is_written_and_output_is_unchanged() throws Exception {
    Path out = home.resolve("github_output");
    Result plain = CliRun.run(Map.of("GITHUB_OUTPUT", out.toString()), home, "inspect", "healthy-01", "--simulate");
    plain.expectExit(0);
    assertFalse(Files.exists(out));
    assertTrue(commandsIn(plain.out() + plain.err()).isEmpty(), plain::toString);
  }

  // ---- untrusted text

  @Test
  void text_from_the_guest_never_becomes_a_workflow_command() throws Exception {
    ArmWorld world = new ArmWorld(wm);
    ArmWorld.Vm vm = new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300);
    // The agent status is reported by the guest: the broken machine decides what it says.
    vm.agent = "Not Ready\r\n::add-mask::x\n  ::error title=owned::pwned\r##[warning]legacy\n\u00a0::set-output"
        + " name=verdict::ok\n%0A::warning::encoded";
    world.serve(vm);
    Step s = run(Map.of("AZRDPFIX_ACCESS_TOKEN", "test-token", "AZURE_SUBSCRIPTION_ID", SUB), "inspect", "rg1/vm1",
        "--arm-endpoint", world.endpoint(), "--ca-file", ArmWorld.caPem(home).toString(), "--auth", "token");
    assertTrue(s.log().contains("pwned"), "the text is still shown, only defused:\n" + s.log());
    for (String c : s.commands()) {
      assertTrue(c.matches("::(group|endgroup|error title=azrdpfix[^:]*|warning title=azrdpfix[^:]*|notice"
          + " title=azrdpfix[^:]*)::.*") || c.equals("::endgroup::"), "unexpected command: " + c + "\n" + s.log());
      assertFalse(c.contains("\n") || c.contains("\r"));
    }
    assertFalse(s.outputs().get("verdict").equals("ok") && s.result().exit() != 0);
  }

  @Test
  void the_guard_defuses_commands_in_any_line_shape_and_passes_only_its_own() {
    StringWriter sink = new StringWriter();
    GithubActions actions = GithubActions.start(Environment.of(Map.of("GITHUB_ACTIONS", "true"), home));
    PrintWriter w = actions.guard(new PrintWriter(sink));
    w.print("::error::one\n   ::warning::two\r::notice::three\r\n##[error]four\n\t::group::five");
    w.print("\n:");
    w.flush();
    assertTrue(sink.toString().endsWith("\n"), "a lone ':' at a line start is held until the line is decided");
    w.print(":stop-commands::six\nplain :: text\n");
    actions.beginGroup(w, new String[] {"inspect", "vm1", "--simulate"});
    actions.endGroup(w);
    actions.finish(0, w, w);
    String log = sink.toString();
    assertEquals(List.of("::group::azrdpfix inspect vm1: progress", "::endgroup::"), commandsIn(log),
        log);
    for (String word : List.of("one", "two", "three", "four", "five", "six")) {
      assertTrue(log.contains(word), word);
    }
    assertTrue(log.contains(": :error::one"), log);
    assertTrue(log.contains("# #[error]four"), log);
    assertTrue(log.contains("plain :: text"), "text in the middle of a line is left alone");
  }

  @Test
  void workflow_command_escaping_and_output_delimiters() {
    assertEquals("50%25 done%0D%0A::x", GithubActions.escapeData("50% done\r\n::x"));
    assertEquals("a%3Ab%2Cc%0A", GithubActions.escapeProperty("a:b,c\n"));
    String tricky = "line1\nghadelimiter_x\nEOF";
    String entry = GithubActions.outputEntry("report", tricky);
    assertEquals(Map.of("report", tricky), parseOutputs(entry));
  }

  @Test
  void summaries_stay_below_the_limit_and_say_they_were_cut() {
    String big = "| row | é |\n".repeat(200_000);
    String cut = GithubActions.truncateUtf8(big, GithubActions.MAX_SUMMARY_BYTES);
    assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= GithubActions.MAX_SUMMARY_BYTES);
    assertTrue(cut.contains("Summary truncated"));
    assertFalse(cut.contains("\uFFFD"), "no broken character at the cut");
    assertEquals("short\n", GithubActions.truncateUtf8("short\n", GithubActions.MAX_SUMMARY_BYTES));
  }
}
