package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.simulator.ServedRequest;
import dev.azrdpfix.simulator.SimulatedAzure;
import dev.azrdpfix.simulator.arm.FaultPlan;
import dev.azrdpfix.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix of issue 9: {@code repair web-01 --simulate --yes} with one fault at one ARM call site per run,
 * then the record (the saved report) is checked against the simulated VM: the journal the guest keeps for the run,
 * and the operations the simulated Azure accepted. Goal: no change on the VM without a record saying so (its
 * changes, or "unknown"), and no POST carried out twice.
 *
 * <p>The call sites are enumerated from the simulator's request log of a clean run: each (route, n-th request to it).
 * Every POST call site gets every fault (429, 500, 503, reset, 409, accept-then-reset, accept-then-fail-polls).
 * The GET call sites are sampled deterministically, to keep the class well under a minute on two cores: the first
 * and the last request of each GET route, each with a 409 and one of 429, 500, 503 and reset in rotation (a GET
 * that is retried only repeats itself, so the four give the same run).
 */
@Execution(ExecutionMode.CONCURRENT)
class FaultMatrixTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> STATUS_FAULTS = List.of("429", "500", "503", "reset", "409");
  private static final List<String> ACCEPT_FAULTS = List.of("accept-reset", "accept-fail-polls");

  @TempDir
  Path home;

  static List<String> args(String faults, Path report) {
    List<String> a = new ArrayList<>(
        List.of("repair", "web-01", "--yes", "--restart", "always", "--output", "json", "--probe-timeout", "2s",
            "--probe-wait", "20s", "--simulate", "--sim-latency", "fast/4", "--report", report.toString()));
    if (faults != null) {
      a.addAll(List.of("--sim-faults", faults));
    }
    return a;
  }

  /** Runs the CLI in-process and returns its result and the simulated Azure's request log. */
  static Map.Entry<CliRun.Result, List<ServedRequest>> run(Path home, String faults) {
    List<SimulatedAzure> started = new ArrayList<>();
    SimulatedAzure.observeStartsOnThisThread(started::add);
    try {
      CliRun.Result r = CliRun.run(Map.of(), home, args(faults, home.resolve("out/report.json"))
          .toArray(String[]::new));
      List<ServedRequest> log = started.stream().flatMap(s -> s.requests().stream()).toList();
      return Map.entry(r, log);
    } finally {
      SimulatedAzure.observeStartsOnThisThread(null);
    }
  }

  /** Every (route, n-th request) of a clean run, in order. */
  static List<Map.Entry<String, Integer>> callSites() throws IOException {
    Path clean = Files.createTempDirectory("azrdpfix-matrix-clean");
    var run = run(clean, null);
    assertEquals(0, run.getKey().exit(), run.getKey()::toString);
    Map<String, Integer> seen = new LinkedHashMap<>();
    List<Map.Entry<String, Integer>> sites = new ArrayList<>();
    for (ServedRequest r : run.getValue()) {
      int n = seen.merge(r.route(), 1, Integer::sum);
      sites.add(Map.entry(r.route(), n));
    }
    return sites;
  }

  static Stream<Arguments> cases() throws IOException {
    List<Map.Entry<String, Integer>> sites = callSites();
    Map<String, Integer> last = new LinkedHashMap<>();
    sites.forEach(s -> last.merge(s.getKey(), s.getValue(), Math::max));
    assertTrue(last.keySet().containsAll(List.of("vm-get", "runcommand", "restart", "operation", "instanceview")),
        last.toString());
    List<Arguments> out = new ArrayList<>();
    int getSites = 0;
    for (Map.Entry<String, Integer> site : sites) {
      String route = site.getKey();
      int n = site.getValue();
      boolean post = FaultPlan.ACTIONS.contains(route);
      if (!post && n != 1 && n != last.get(route)) {
        continue; // a GET call site between the first and the last of its route: sampled out
      }
      String at = route + "@" + n;
      // A fault on the n-th request only: a retried request is the (n+1)-th, and must pass.
      if (post) {
        STATUS_FAULTS.forEach(f -> out.add(Arguments.of(f + ":" + at + ":1")));
        ACCEPT_FAULTS.forEach(f -> out.add(Arguments.of(f + ":" + at + ":1")));
      } else {
        // A retried GET (429, 500, 503, reset) only repeats: each GET call site gets one of them, in rotation,
        // and the 409 that fails it.
        out.add(Arguments.of(STATUS_FAULTS.get(getSites++ % 4) + ":" + at + ":1"));
        out.add(Arguments.of("409:" + at + ":1"));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void every_change_on_the_vm_is_recorded_and_no_post_is_carried_out_twice(String faults) throws Exception {
    var run = run(home, faults);
    CliRun.Result r = run.getKey();
    assertNotEquals(1, r.exit(), () -> "a bug, not an Azure failure\n" + r);

    JsonNode state = JSON.readTree(home.resolve("cache/simulator/state.json").toFile());
    List<JsonNode> accepted = new ArrayList<>();
    state.path("operations").forEach(o -> {
      if (o.path("vm").asText().equals("rg-prod/web-01")) {
        accepted.add(o);
      }
    });
    long bundles = accepted.stream().filter(FaultMatrixTest::isBundle).count();
    long restarts = accepted.stream().filter(o -> o.path("kind").asText().equals("restart")).count();
    assertTrue(bundles <= 1, () -> "the repair bundle was carried out " + bundles + " times\n" + r);
    assertTrue(restarts <= 1, () -> "the VM was restarted " + restarts + " times\n" + r);

    Map<String, String> journals = new LinkedHashMap<>();
    state.path("vms").path("rg-prod/web-01").path("guest").path("files").fields().forEachRemaining(f -> {
      if (f.getKey().endsWith("\\journal.jsonl") && !f.getValue().asText().isBlank()) {
        journals.put(f.getKey(), f.getValue().asText());
      }
    });

    Path reportFile = home.resolve("out/report.json");
    boolean mayHaveChanged = bundles > 0 || restarts > 0;
    if (!Files.exists(reportFile)) {
      assertFalse(mayHaveChanged, () -> "the VM may have been changed and no report was saved\n" + r);
      assertTrue(journals.isEmpty(), () -> "the guest journaled changes " + journals.keySet() + " with no report\n"
          + r);
      return;
    }
    JsonNode report = JSON.readTree(reportFile.toFile());
    String runId = report.path("runId").asText();
    try (Stream<Path> cached = Files.list(home.resolve("cache/reports"))) {
      assertTrue(cached.anyMatch(p -> p.getFileName().toString().contains(runId)), "the cache copy is kept");
    }
    boolean guestChanged = journals.keySet().stream().anyMatch(k -> k.contains("\\" + runId + "\\"));
    boolean recordedChanges = !report.path("changes").isEmpty();
    boolean unknown = report.path("changesUnknown").asBoolean();
    if (guestChanged) {
      assertTrue(recordedChanges || unknown, () -> "unrecorded change: the guest journaled changes, the report"
          + " says none\n" + brief(report, r));
    } else {
      assertFalse(recordedChanges, () -> "the report lists changes the guest never journaled\n" + brief(report, r));
    }
    if (mayHaveChanged && report.path("exit").path("code").asInt() != 0) {
      assertEquals(report.toString(), JSON.readTree(r.out()).toString(), "the report saved is the one printed");
      assertTrue(report.path("undoCommand").asText().startsWith("azrdpfix rollback rg-prod/web-01 --run " + runId
          + " --simulate"), () -> brief(report, r));
      assertTrue(report.path("outcome").asText().contains(report.path("undoCommand").asText()), () -> brief(report,
          r));
      if (report.path("exit").path("code").asInt() != 5) {
        assertEquals(3, r.exit(), () -> "a failure after a change is exit 3\n" + brief(report, r));
      }
    }
    if (unknown) {
      assertTrue(report.path("findOutCommand").asText().contains("--list"), () -> brief(report, r));
    }
    // Each run-command the simulated Azure carried out is in the report (done, or sent with its outcome unknown);
    // each the report says was done was carried out: never one twice.
    long done = 0;
    long doneOrUnknown = 0;
    for (JsonNode o : report.path("operations")) {
      String result = o.path("result").asText();
      if (o.path("kind").asText().equals("run-command")) {
        done += result.equals("ok") ? 1 : 0;
        doneOrUnknown += result.equals("ok") || result.startsWith("sent, outcome unknown") ? 1 : 0;
      }
    }
    // From the request log: every POST to runCommand that was not answered "try again" (429, 500, 503) is one
    // operation in the report; a POST whose connection dropped (reset, accept-reset) is never sent again.
    long finalPosts = run.getValue().stream().filter(q -> q.method().equals("POST")
        && q.route().startsWith("runcommand") && q.status() != 429 && q.status() != 500 && q.status() != 503).count();
    long recordedRunCommands = 0;
    for (JsonNode o : report.path("operations")) {
      recordedRunCommands += o.path("kind").asText().equals("run-command") ? 1 : 0;
    }
    assertEquals(recordedRunCommands, finalPosts, () -> "POSTs to runCommand vs run-command operations\n"
        + brief(report, r));
    long acceptedRunCommands = accepted.stream().filter(o -> o.path("kind").asText().equals("runCommand")).count();
    long d = done;
    long du = doneOrUnknown;
    assertTrue(d <= acceptedRunCommands && acceptedRunCommands <= du, () -> "run commands accepted: "
        + acceptedRunCommands + ", recorded done " + d + ", done or unknown " + du + "\n" + brief(report, r));
  }

  /** The parts of a run that tell what went wrong: exit, outcome, operations, changes, stderr. */
  private static String brief(JsonNode report, CliRun.Result r) {
    StringBuilder b = new StringBuilder("exit ").append(r.exit()).append("; outcome: ")
        .append(report.path("outcome").asText()).append("\noperations:\n");
    report.path("operations").forEach(o -> b.append("  ").append(o.path("kind").asText()).append(" ")
        .append(o.path("purpose").asText()).append(": ").append(o.path("result").asText()).append('\n'));
    b.append("changes: ").append(report.path("changes").size()).append(", unknown: ")
        .append(report.path("changesUnknown").asText()).append("\nstderr:\n").append(r.err());
    return b.toString();
  }

  private static boolean isBundle(JsonNode op) {
    if (!op.path("kind").asText().equals("runCommand")) {
      return false;
    }
    for (JsonNode line : op.path("script")) {
      if (line.asText().contains("azrdpfix-step")) {
        return true;
      }
    }
    return false;
  }
}
