package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.testing.CliRun;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input: exit 2, one line naming the thing, the cause and the next step; never a stack trace or a request. */
class UsageErrorsTest {
  @TempDir
  Path home;

  private static final String SUB = "00000000-0000-0000-0000-000000000001";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "bad VM name characters | inspect 'web 01' | not a valid Azure VM name",
      "VM name ending in a dot | inspect web-01. | not a valid Azure VM name",
      "too many slashes | inspect a/b/c | is malformed",
      "empty group part | inspect /web-01x | is malformed",
      "malformed resource ID | inspect /subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/a | malformed",
      "resource ID with a bad subscription | inspect /subscriptions/nope/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm | not a subscription ID",
      "group conflict | inspect rg-a/web-01 -g rg-b | resource group conflict",
      "bad group name | inspect web-01 -g bad*group | not a valid name",
      "unknown cloud | inspect web-01 --cloud MoonCloud | unknown cloud 'MoonCloud'",
      "unknown auth | inspect web-01 --auth magic | unknown --auth 'magic'",
      "http ARM endpoint | inspect web-01 --arm-endpoint http://localhost:1/ | is not an https URL",
      "bad subscription option | inspect web-01 --subscription 1234 | not a subscription ID",
      "bad output format | inspect web-01 --output yaml | Invalid value for option '--output'",
      "bad RDP port | inspect web-01 --rdp-port 70000 | is not a TCP port",
      "non-numeric RDP port | inspect web-01 --rdp-port abc | Invalid value for option '--rdp-port'",
      "bad source | inspect web-01 --source my-laptop | is not an IP address",
      "unknown option | inspect web-01 --frobnicate | Unknown option",
      "unknown command | frobnicate | Unmatched argument",
      "missing VM | inspect | Missing required parameter",
      // Checked before any login or request; the loopback endpoint and token auth only make sure of it.
      "a template that is not a repair step | repair web-01 --steps diagnose --auth token --arm-endpoint https://127.0.0.1:9/ | --steps 'diagnose' is not a repair step: use one or more of resync-time, clear-stale-binding,",
      "rollback as a step | repair web-01 --steps reset-machinekeys-acl,rollback --auth token --arm-endpoint https://127.0.0.1:9/ | --steps 'rollback' is not a repair step",
      "an empty step list | repair web-01 --steps , --auth token --arm-endpoint https://127.0.0.1:9/ | --steps is empty",
      "a malformed run id | rollback web-01 --run yesterday --auth token --arm-endpoint https://127.0.0.1:9/ | --run 'yesterday' is not a run id",
  })
  void rejects_with_exit_2_and_one_line(String name, String args, String expected) {
    CliRun.Result r = CliRun.run(Map.of("AZURE_SUBSCRIPTION_ID", SUB), home, split(args)).expectExit(2);
    String line = r.oneLineError();
    assertTrue(line.contains(expected), () -> "expected '" + expected + "'\n" + r);
  }

  @Test
  void a_missing_subscription_says_how_to_set_one() {
    CliRun.Result r = CliRun.run(Map.of(), home, "inspect", "web-01").expectExit(2);
    assertTrue(r.oneLineError().contains("az account set"), r::toString);
  }

  @Test
  void help_lists_every_exit_code() {
    CliRun.Result r = CliRun.run(Map.of(), home, "--help").expectExit(0);
    for (dev.azrdpfix.core.ExitCode c : dev.azrdpfix.core.ExitCode.values()) {
      assertTrue(r.out().contains(String.format("%3d   %s", c.code(), c.description().substring(0, 20))),
          () -> c + " missing from --help\n" + r);
    }
  }

  private static String[] split(String args) {
    java.util.List<String> out = new java.util.ArrayList<>();
    var m = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(args);
    while (m.find()) {
      out.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return out.toArray(String[]::new);
  }
}
