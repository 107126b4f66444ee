package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RunJournal;
import dev.azrdpfix.core.repair.RunMode;
import dev.azrdpfix.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** A failure after the VM was changed keeps the record, says how to undo, and is exit 3; so does a lost reply. */
@Execution(ExecutionMode.CONCURRENT)
class RecordedFailureTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  Path home;

  CliRun.Result azrdpfix(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--simulate", "--sim-latency", "fast/4"));
    return CliRun.run(Map.of(), home, all.toArray(String[]::new));
  }

  @Test
  void a_restart_whose_polls_fail_after_the_bundle_keeps_the_changes_and_prints_the_undo_with_exit_3()
      throws Exception {
    Path file = home.resolve("out/report.json");
    CliRun.Result r =
        azrdpfix("repair", "web-01", "--yes", "--restart", "always", "--report", file.toString(), "--probe-wait", "20s",
            "--sim-faults", "accept-fail-polls:restart").expectExit(3);
    JsonNode report = JSON.readTree(file.toFile());
    String runId = report.path("runId").asText();
    String undo = "azrdpfix rollback rg-prod/web-01 --run " + runId + " --simulate";
    assertEquals(3, report.path("exit").path("code").asInt());
    assertFalse(report.path("changes").isEmpty(), "the bundle's changes are recorded");
    assertTrue(report.path("changesUnknown").asBoolean(), "the restart may or may not have happened");
    assertTrue(r.oneLineError().contains("ended with exit 3"), r::toString);
    assertTrue(r.out().contains("Changes on the VM: unknown") && r.out().contains("Undo: " + undo), r::toString);
    assertTrue(Files.readString(home.resolve("out/report.md")).contains("Undo: `" + undo + "`"));
    azrdpfix("rollback", "web-01", "--run", runId, "--yes").expectExit(0);
    azrdpfix("inspect", "web-01").expectExit(5);
  }

  @Test
  void a_bundle_whose_reply_is_lost_is_not_sent_again_and_is_recorded_as_unknown() throws Exception {
    CliRun.Result r = azrdpfix("repair", "web-01", "--yes", "--output", "json", "--sim-faults",
        "accept-reset:runcommand@2").expectExit(3);
    JsonNode report = JSON.readTree(r.out());
    assertTrue(report.path("changesUnknown").asBoolean(), r::toString);
    assertTrue(report.path("changes").isEmpty());
    JsonNode bundle = report.path("operations").get(report.path("operations").size() - 1);
    assertTrue(bundle.path("result").asText().startsWith("sent, outcome unknown"), bundle.toString());
    assertEquals(report.path("scripts").get(0).path("sha256").asText(), bundle.path("sha256").asText());
    JsonNode state = JSON.readTree(home.resolve("cache/simulator/state.json").toFile());
    int runCommands = 0;
    for (JsonNode op : state.path("operations")) {
      runCommands += op.path("kind").asText().equals("runCommand") ? 1 : 0;
    }
    assertEquals(2, runCommands, "the diagnosis and the one bundle: never sent twice");
    // The bundle did run (on Azure a Run Command goes on after the client left: here its simulated time passes):
    // the record said "unknown", not "none", and its undo works.
    CliRun.time(home).advance(java.time.Duration.ofMinutes(5));
    azrdpfix("rollback", "web-01", "--run", report.path("runId").asText(), "--yes").expectExit(0);
  }

  @Test
  void a_report_path_that_cannot_be_written_falls_back_to_a_temporary_file_named_on_stderr() throws Exception {
    // The command refuses an unwritable --report before any change (CheckBeforeChangeTest); a path that becomes
    // unwritable during the run, and a failing reports folder, still leave the report in a temporary file.
    Path notADirectory = Files.writeString(home.resolve("file"), "x");
    RunJournal journal = RunJournal.start(RunMode.REPAIR, new RepairReport.Actor("u", "h", "token", "sub", "test"),
        java.time.Clock.systemUTC(), new dev.azrdpfix.core.port.Progress() {
          @Override
          public void step(String message) {}

          @Override
          public void detail(String message) {}
        });
    RepairReport report = journal.finish(dev.azrdpfix.core.ExitCode.OK, "repaired: RDP answers");
    ReportStore failing = new ReportStore() {
      @Override
      public Path save(RepairReport r) {
        throw new IllegalStateException("disk full");
      }

      @Override
      public java.util.Optional<dev.azrdpfix.core.model.RunId> latestChange(dev.azrdpfix.core.model.VmRef vm) {
        return java.util.Optional.empty();
      }
    };
    java.io.StringWriter err = new java.io.StringWriter();
    Path saved = RunSupport.save(report, failing, notADirectory.resolve("r.json"), new java.io.PrintWriter(err, true),
        NextCommands.none());
    Matcher m = Pattern.compile("saved to (\\S+\\.json) instead").matcher(err.toString());
    assertTrue(m.find(), err::toString);
    Path fallback = Path.of(m.group(1));
    assertEquals(fallback, saved);
    assertTrue(err.toString().contains("disk full") && err.toString().contains("cannot write the report to"),
        err::toString);
    assertEquals("repair", JSON.readTree(fallback.toFile()).path("mode").asText());
    Files.deleteIfExists(fallback);
    Files.deleteIfExists(fallback.resolveSibling(fallback.getFileName().toString().replace(".json", ".md")));
  }
}
