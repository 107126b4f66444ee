package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.contract.ScriptText;
import dev.azrdpfix.contract.Wire;
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
 * Bundle composition per CONTRACT.md. Also writes every composed single template, every single-step bundle, the
 * headline bundle and one all-steps bundle to target/bundles/ so that .ci/check-templates parses what really runs.
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
        case BOOL -> "false";
        default -> throw new AssertionError("add a sample for " + ps.type());
      });
    }
    return p;
  }

  /** The plan for the headline fault (broken MachineKeys ACL + expired certificate). */
  private static List<StepCall> headlineSteps() {
    return List.of(new StepCall("reset-machinekeys-acl", Map.of("RunId", RUN)),
        new StepCall("remove-rdp-certificates", Map.of("RunId", RUN, "Thumbprints", TP)),
        new StepCall("restart-rdp-services", Map.of("RunId", RUN)));
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
      if (!l.startsWith(Wire.STEP_OPEN)) {
        continue;
      }
      String[] parts = l.substring(Wire.STEP_OPEN.length()).split(" sha256=");
      String id = parts[0];
      assertEquals("$azrdpfixSteps.Add(@{ Id = '" + id + "'; Critical = $" + CATALOG.get(id).critical() + "; Block = {",
          lines.get(i + 1));
      int close = lines.indexOf(Wire.STEP_CLOSE + id);
      assertTrue(close > i, "closing marker of " + id);
      assertEquals("} })", lines.get(close - 1));
      out.add(new Embedded(id, parts[1], String.join("\n", lines.subList(i + 2, close - 1))));
      i = close;
    }
    return out;
  }

  /** The helpers section: declared sha256 and the lines between its markers; fails unless there is exactly one. */
  static Embedded helpersSection(List<String> lines) {
    List<Integer> opens = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(Wire.HELPERS_OPEN)) {
        opens.add(i);
      }
    }
    assertEquals(1, opens.size(), "one helpers section");
    int open = opens.get(0);
    int close = lines.indexOf(Wire.HELPERS_CLOSE);
    assertTrue(close > open);
    assertEquals(close, lines.lastIndexOf(Wire.HELPERS_CLOSE));
    return new Embedded("helpers", lines.get(open).substring(Wire.HELPERS_OPEN.length()),
        String.join("\n", lines.subList(open + 1, close)));
  }

  @Test
  void bundleEmbedsEachTemplateFileVerbatimWithItsSha256() {
    PreparedScript b = CATALOG.bundle(allSteps());
    List<Embedded> steps = embedded(b.lines());
    assertEquals(RepairSteps.ids(), steps.stream().map(Embedded::id).toList());
    for (Embedded e : steps) {
      TemplateSpec spec = CATALOG.get(e.id());
      assertEquals(PsSource.read(spec.path()), e.text(), e.id());
      assertEquals(spec.sourceSha256(), e.declaredSha(), e.id());
      assertEquals(ScriptText.sha256(e.text()), e.declaredSha(), e.id());
      // The placeholder stays a plain comment; the bundle's helpers section stands in for it.
      assertEquals(1, e.text().lines().filter(TemplateCatalog.HELPERS_PLACEHOLDER::equals).count(), e.id());
    }
    assertEquals("bundle", b.id());
    assertEquals(ScriptText.sha256(b.text()), b.sha256());
  }

  @Test
  void helpersComeOnceRightAfterTheParamBlockAndVerifyBySha256() {
    for (List<StepCall> plan : List.of(allSteps(), headlineSteps(), List.of(allSteps().get(0)))) {
      PreparedScript b = CATALOG.bundle(plan);
      List<String> lines = b.lines();
      Embedded helpers = helpersSection(lines);
      assertEquals(PsSource.read("common/helpers.ps1"), helpers.text());
      assertEquals(ScriptText.sha256(helpers.text()), helpers.declaredSha());
      int open = lines.indexOf(Wire.HELPERS_OPEN + helpers.declaredSha());
      assertEquals(")", lines.get(open - 2), "param() block, then the error preference, then the helpers");
      assertEquals("$ErrorActionPreference = 'Stop'", lines.get(open - 1));
      assertEquals("$azrdpfixSteps = New-Object System.Collections.Generic.List[object]",
          lines.get(lines.indexOf(Wire.HELPERS_CLOSE) + 1));
      assertTrue(open < lines.indexOf(b.lines().stream().filter(l -> l.startsWith(Wire.STEP_OPEN))
          .findFirst().orElseThrow()), "helpers before every step");
      // Each helper is defined exactly once in the whole bundle: the region, and every function in it.
      String text = b.text();
      assertEquals(1, count(text, PsSource.REGION_START + "\n"));
      for (String def : PsSource.read("common/helpers.ps1").lines().filter(l -> l.startsWith("function ")).toList()) {
        assertEquals(1, count(text, def), def);
      }
    }
  }

  @Test
  void bundlesAreSmallerThanOneHelperCopyPerStep() {
    int helpers = bytes(PsSource.read("common/helpers.ps1"));
    for (List<StepCall> plan : List.of(allSteps(), headlineSteps())) {
      int sources = 0;
      int singles = 0;
      for (StepCall c : plan) {
        sources += bytes(CATALOG.get(c.templateId()).sourceText());
        singles += bytes(CATALOG.get(c.templateId()).text());
      }
      int bundle = bytes(CATALOG.bundle(plan).text());
      // Templates, one helpers copy, the runner and the wrapper lines (a few hundred bytes per step) - nothing more.
      assertTrue(
          bundle < sources + helpers + bytes(String.join("\n", CATALOG.runnerLines())) + 400 * plan.size() + 2048,
          "bundle of " + plan.size() + " steps is " + bundle + " bytes");
      assertTrue(bundle < singles, "bundle " + bundle + " bytes vs the steps sent one by one " + singles);
    }
    // The repeated helper copies were most of the bytes: the whole plan fits in well under half of the old size, even
    // with the bounded service/native wrappers and the per-SID ACL logic the helpers now carry.
    assertTrue(bytes(CATALOG.bundle(allSteps()).text()) < 80 * 1024, "" + bytes(CATALOG.bundle(allSteps()).text()));
    assertTrue(bytes(CATALOG.bundle(headlineSteps()).text()) < 48 * 1024,
        "" + bytes(CATALOG.bundle(headlineSteps()).text()));
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void bundleEndsWithTheRunnerBetweenItsMarkers() {
    List<String> lines = CATALOG.bundle(allSteps()).lines();
    int open = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(Wire.RUNNER_OPEN)) {
        open = i;
      }
    }
    assertTrue(open > 0);
    assertEquals(Wire.RUNNER_CLOSE, lines.get(lines.size() - 1));
    List<String> runner = lines.subList(open + 1, lines.size() - 1);
    assertEquals(CATALOG.runnerLines(), runner);
    assertEquals(ScriptText.sha256(runner), lines.get(open).substring(Wire.RUNNER_OPEN.length()));
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
    try (var old = Files.list(dir)) {
      for (Path p : old.filter(p -> p.toString().endsWith(".ps1")).toList()) {
        Files.delete(p);
      }
    }
    for (TemplateSpec spec : CATALOG.all()) {
      Map<String, String> params = spec.kind() == TemplateKind.REPAIR ? paramsFor(spec)
          : spec.parameters().isEmpty() ? Map.of()
          : spec.parameters().containsKey("LockRunId") ? Map.of("RunId", RUN, "LockRunId", RUN) : Map.of("RunId", RUN);
      PreparedScript single = CATALOG.prepare(spec.id(), params);
      assertEquals(spec.text(), single.text(), "what is sent alone is the composed text");
      write(dir.resolve("single-" + spec.id() + ".ps1"), single);
    }
    for (StepCall call : allSteps()) {
      write(dir.resolve("bundle-" + call.templateId() + ".ps1"), CATALOG.bundle(List.of(call)));
    }
    write(dir.resolve("bundle-headline.ps1"), CATALOG.bundle(headlineSteps()));
    PreparedScript all = CATALOG.bundle(allSteps());
    write(dir.resolve("bundle-all-steps.ps1"), all);
    try (var written = Files.list(dir)) {
      assertEquals(CATALOG.all().size() + RepairSteps.ids().size() + 2,
          written.filter(p -> p.toString().endsWith(".ps1")).count());
    }
    // Run Command limits inline scripts; the whole bundle stays far below 256 KB.
    assertTrue(all.text().getBytes(StandardCharsets.UTF_8).length < 256 * 1024);
  }

  private static void write(Path p, PreparedScript s) throws IOException {
    Files.writeString(p, s.text() + "\n", StandardCharsets.UTF_8);
  }
}
