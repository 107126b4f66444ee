package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.simulator.guest.GuestCatalog;
import dev.azrdpfix.simulator.guest.GuestRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Windows CI driver runs here against the simulated guest, the way the workflow runs it against real Windows: if
 * it composed the wrong script, planned wrongly or judged a marker wrongly, this fails before the Windows job does.
 */
class WindowsCiTest {
  private static final Instant NOW = Instant.parse("2026-11-23T05:00:00Z");
  private static final String RUN = "20261123T050000Z-ci0001";

  @TempDir
  Path dir;

  /** What the job's Invoke-AsSystem does on Windows: run the script with its parameters, keep stdout and stderr. */
  private void runAsSystem(GuestRuntime g, String name) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(name + ".ps1"), StandardCharsets.US_ASCII);
    Map<String, String> params = new LinkedHashMap<>();
    for (String l : Files.readAllLines(dir.resolve(name + ".params"), StandardCharsets.US_ASCII)) {
      if (!l.isBlank()) {
        params.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
      }
    }
    GuestRuntime.RunOutput out = g.runPowerShell(lines, params, NOW);
    Files.writeString(dir.resolve(name + ".stdout"), out.stdout());
    Files.writeString(dir.resolve(name + ".stderr"), out.stderr());
  }

  private int ci(String... args) throws IOException {
    return WindowsCi.run(args);
  }

  private String p(String name) {
    return dir.resolve(name).toString();
  }

  @Test
  void diagnosePlanRepairAndRollbackAsTheWindowsJobDoesThem() throws IOException {
    GuestRuntime g = GuestCatalog.create("ci-01", "key-file-acl", NOW);
    assertEquals(0, ci("compose", "diagnose", p("diagnose.ps1"), p("diagnose.params")));
    runAsSystem(g, "diagnose");
    assertEquals(0, ci("check", "diagnose", p("diagnose.stdout"), p("diagnose.stderr"), "ok"));
    assertEquals(0, ci("plan", p("diagnose.stdout"), RUN, p("repair.ps1"), p("repair.params"), NOW.toString()));
    assertTrue(Files.readString(dir.resolve("repair.params")).contains("Thumbprint="));
    runAsSystem(g, "repair");
    assertEquals(0, ci("check", "bundle", p("repair.stdout"), p("repair.stderr"), "changed",
        "plan=repair-rdp-key-acl,restart-rdp-services", "repair-rdp-key-acl=changed", "restart-rdp-services=changed"));
    // The driver is honest: a wrong expectation fails.
    assertEquals(1, ci("check", "bundle", p("repair.stdout"), p("repair.stderr"), "noop"));
    assertEquals(1,
        ci("check", "bundle", p("repair.stdout"), p("repair.stderr"), "changed", "enable-tls-server=changed"));
    assertEquals(0, ci("compose", "rollback", p("rollback.ps1"), p("rollback.params"), "RunId=" + RUN));
    runAsSystem(g, "rollback");
    assertEquals(0, ci("check", "rollback", p("rollback.stdout"), p("rollback.stderr"), "changed"));
  }

  @Test
  void aScriptWithoutAMarkerFailsTheCheck() throws IOException {
    Files.writeString(dir.resolve("x.stdout"), "something went wrong\n");
    Files.writeString(dir.resolve("x.stderr"), "");
    assertEquals(1, ci("check", "diagnose", p("x.stdout"), p("x.stderr"), "ok"));
    assertEquals(2, ci("nonsense"));
  }
}
