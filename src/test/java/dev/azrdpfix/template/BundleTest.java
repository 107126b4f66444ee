package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.RepairSteps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bundle composition per CONTRACT.md. Also writes every single-step bundle and one all-steps bundle to
 * target/bundles/ so that .ci/check-templates parses the composed scripts too.
 */
class BundleTest {
  private static final TemplateCatalog CATALOG = TemplateCatalog.load();
  private static final String RUN = "20261123T050000Z-k3x9q2";
  private static final String TP = "0123456789ABCDEF0123456789ABCDEF01234567";

  /** Valid parameters for a repair step, from its manifest types. */
  private static Map<String, String> paramsFor(TemplateSpec spec) {
    Map<String, String> p = new LinkedHashMap<>();
    for (ParameterSpec ps : spec.parameters().values()) {
      p.put(ps.name(), switch (ps.type()) {
        case RUN_ID -> RUN;
        case THUMBPRINT, THUMBPRINT_LIST -> TP;
        default -> throw new AssertionError("add a sample for " + ps.type());
      });
    }
    return p;
  }

  private static List<StepCall> allSteps() {
    List<StepCall> calls = new ArrayList<>();
    for (String id : RepairSteps.ids()) {
      calls.add(new StepCall(id, paramsFor(CATALOG.get(id))));
    }
    return calls;
  }

  /** A step as a reader of the contract sees it: id, declared sha256, text between the wrapper lines. */
  record Embedded(String id, String declaredSha, String text) {}

  /** Parses the bundle exactly as CONTRACT.md describes it, the way the simulated guest must. */
  static List<Embedded> embedded(List<String> lines) {
    List<Embedded> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (!l.startsWith(ScriptBundle.STEP_OPEN)) {
        continue;
      }
      String[] parts = l.substring(ScriptBundle.STEP_OPEN.length()).split(" sha256=");
      String id = parts[0];
      assertEquals("$azrdpfixSteps.Add(@{ Id = '" + id + "'; Block = {", lines.get(i + 1));
      int close = lines.indexOf(ScriptBundle.STEP_CLOSE + id);
      assertTrue(close > i, "closing marker of " + id);
      assertEquals("} })", lines.get(close - 1));
      out.add(new Embedded(id, parts[1], String.join("\n", lines.subList(i + 2, close - 1))));
      i = close;
    }
    return out;
  }

  @Test
  void bundleEmbedsEachTemplateVerbatimWithItsSha256() {
    PreparedScript b = CATALOG.bundle(allSteps());
    List<Embedded> steps = embedded(b.lines());
    assertEquals(RepairSteps.ids(), steps.stream().map(Embedded::id).toList());
    for (Embedded e : steps) {
      TemplateSpec spec = CATALOG.get(e.id());
      assertEquals(spec.text(), e.text(), e.id());
      assertEquals(spec.sha256(), e.declaredSha(), e.id());
      assertEquals(ScriptText.sha256(e.text()), e.declaredSha(), e.id());
    }
    assertEquals("bundle", b.id());
    assertEquals(ScriptText.sha256(b.text()), b.sha256());
  }

  @Test
  void bundleEndsWithTheRunnerBetweenItsMarkers() {
    List<String> lines = CATALOG.bundle(allSteps()).lines();
    int open = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(ScriptBundle.RUNNER_OPEN)) {
        open = i;
      }
    }
    assertTrue(open > 0);
    assertEquals(ScriptBundle.RUNNER_CLOSE, lines.get(lines.size() - 1));
    List<String> runner = lines.subList(open + 1, lines.size() - 1);
    assertEquals(CATALOG.runnerLines(), runner);
    assertEquals(ScriptText.sha256(runner), lines.get(open).substring(ScriptBundle.RUNNER_OPEN.length()));
    assertEquals(ScriptText.normalise(PsSource.read("common/bundle-runner.ps1")), runner);
  }

  @Test
  void paramBlockIsTheSortedUnionGeneratedFromTheManifest() {
    PreparedScript b = CATALOG.bundle(List.of(
        new StepCall("remove-rdp-certificates", Map.of("RunId", RUN, "Thumbprints", TP)),
        new StepCall("clear-stale-binding", Map.of("RunId", RUN, "Thumbprint", TP))));
    String block = PsSource.paramBlock(b.text());
    Map<String, PsSource.Param> params = PsSource.params(block);
    assertEquals(List.of("RunId", "Thumbprint", "Thumbprints"), List.copyOf(params.keySet()));
    assertEquals(ParameterType.THUMBPRINT_LIST.pattern(), params.get("Thumbprints").pattern());
    assertTrue(params.values().stream().allMatch(PsSource.Param::mandatory));
    assertEquals(Map.of("RunId", RUN, "Thumbprint", TP, "Thumbprints", TP), b.parameters());
    assertFalse(b.text().contains(TP), "values travel as parameters only, never in the text");
    // Steps keep the caller's order; the analyzer already sorted them.
    assertEquals(List.of("remove-rdp-certificates", "clear-stale-binding"),
        embedded(b.lines()).stream().map(Embedded::id).toList());
    assertTrue(b.lines().get(0).contains("remove-rdp-certificates,clear-stale-binding"));
  }

  @Test
  void bundleRejectsWhatItCannotRun() {
    assertEquals(ExitCode.USAGE, assertThrows(AzrdpfixException.class, () -> CATALOG.bundle(List.of())).exitCode());
    AzrdpfixException notRepair = assertThrows(AzrdpfixException.class,
        () -> CATALOG.bundle(List.of(new StepCall("diagnose", Map.of()))));
    assertEquals(ExitCode.USAGE, notRepair.exitCode());
    AzrdpfixException twice = assertThrows(AzrdpfixException.class, () -> CATALOG.bundle(List.of(
        new StepCall("resync-time", Map.of("RunId", RUN)), new StepCall("resync-time", Map.of("RunId", RUN)))));
    assertTrue(twice.getMessage().contains("twice"));
    AzrdpfixException differs = assertThrows(AzrdpfixException.class, () -> CATALOG.bundle(List.of(
        new StepCall("resync-time", Map.of("RunId", RUN)),
        new StepCall("refresh-policy", Map.of("RunId", "20261123T050000Z-zzzzzz")))));
    assertEquals(ExitCode.USAGE, differs.exitCode());
    assertTrue(differs.getMessage().contains("RunId"));
    AzrdpfixException invalid = assertThrows(AzrdpfixException.class, () -> CATALOG.bundle(List.of(
        new StepCall("remove-rdp-certificates", Map.of("RunId", RUN, "Thumbprints", TP + ";calc")))));
    assertEquals(ExitCode.USAGE, invalid.exitCode());
    assertTrue(invalid.getMessage().contains("Thumbprints"));
  }

  @Test
  void writesBundlesForTheParseCheck() throws IOException {
    Path dir = Path.of("target", "bundles");
    Files.createDirectories(dir);
    for (StepCall call : allSteps()) {
      write(dir.resolve("bundle-" + call.templateId() + ".ps1"), CATALOG.bundle(List.of(call)));
    }
    PreparedScript all = CATALOG.bundle(allSteps());
    write(dir.resolve("bundle-all-steps.ps1"), all);
    assertEquals(RepairSteps.ids().size() + 1, Files.list(dir).filter(p -> p.toString().endsWith(".ps1")).count());
    // Run Command limits inline scripts; the whole bundle stays far below 256 KB.
    assertTrue(all.text().getBytes(StandardCharsets.UTF_8).length < 256 * 1024);
  }

  private static void write(Path p, PreparedScript s) throws IOException {
    Files.writeString(p, s.text() + "\n", StandardCharsets.UTF_8);
  }
}
