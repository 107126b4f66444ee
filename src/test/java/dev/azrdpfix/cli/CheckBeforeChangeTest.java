package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whatever can be checked locally is checked before the first Azure call. The simulated Azure keeps its state in
 * the cache folder and creates it on its first start, so "no simulator folder" proves that no Azure call was made.
 */
class CheckBeforeChangeTest {
  @TempDir
  Path home;

  Result azrdpfix(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--simulate", "--sim-latency", "fast/4"));
    return CliRun.run(Map.of(), home, all.toArray(String[]::new));
  }

  boolean simulatorStarted() {
    return Files.exists(home.resolve("cache").resolve("simulator"));
  }

  @Test
  void an_unwritable_report_path_changes_nothing() throws Exception {
    Path file = Files.writeString(home.resolve("a-file"), "not a folder");
    Result r = azrdpfix("repair", "web-01", "--yes", "--report", file.resolve("report.json").toString())
        .expectExit(2);
    assertTrue(r.oneLineError().contains("--report") && r.err().contains("nothing was changed"), r::toString);
    assertFalse(simulatorStarted(), "no Azure call, so no Run Command was sent");
    // The VM is as broken as before.
    azrdpfix("inspect", "web-01").expectExit(5);
  }

  @Test
  void without_a_terminal_or_yes_the_run_refuses_at_once_and_names_the_preview() {
    Path missing = home.resolve("new").resolve("deeper").resolve("r.json");
    Result r = azrdpfix("repair", "web-01", "--report", missing.toString()).expectExit(6);
    String line = r.oneLineError();
    assertTrue(line.contains("'azrdpfix repair web-01 --report " + missing + " --simulate --sim-latency fast/4"
        + " --dry-run'"), r::toString);
    assertFalse(simulatorStarted(), r::toString);
    assertFalse(Files.exists(home.resolve("new")), "the write check leaves nothing behind");
    azrdpfix("rollback", "web-01").expectExit(6);
    assertFalse(simulatorStarted());
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "--vm-timeout;0;--vm-timeout 0s is out of range",
      "--vm-timeout;3h;--vm-timeout 3h is out of range",
      "--probe-wait;999999999h;--probe-wait",
      "--probe-timeout;0ms;--probe-timeout",
      "--steps;',';--steps is empty"})
  void absurd_values_fail_before_any_azure_call(String option, String value, String message) {
    Result r = azrdpfix("repair", "web-01", "--yes", option, value).expectExit(2);
    assertTrue(r.oneLineError().contains(message), r::toString);
    assertFalse(simulatorStarted(), r::toString);
  }

  @Test
  void a_report_file_that_exists_is_checked_without_being_changed() throws Exception {
    Path existing = Files.writeString(home.resolve("keep.json"), "old");
    Result r = azrdpfix("repair", "web-01", "--report", existing.toString()).expectExit(6);
    assertEquals("old", Files.readString(existing), r::toString);
    assertFalse(Files.exists(home.resolve("keep.md")), r::toString);
  }
}
