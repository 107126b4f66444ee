package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.guest.GuestAnalyzer;
import dev.azrdpfix.core.guest.GuestDiagnosis;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.guest.StepProperties;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden and edge cases of reading a template's marker line from Run Command output. */
class ResultParserTest {
  private static final StepProperties.Source STEPS = TemplateCatalog.load()::stepProperties;

  private static String golden(String name) {
    try (InputStream in = ResultParserTest.class.getResourceAsStream("results/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** What Run Command returns: only the last 4,096 bytes of stdout. */
  private static String lastBytes(String s, int n) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return new String(Arrays.copyOfRange(b, Math.max(0, b.length - n), b.length), StandardCharsets.UTF_8);
  }

  @Test
  void diagnoseGoldenMapsToFactsThatTheAnalyzerUnderstands() {
    TemplateResult r = ResultParser.parse("diagnose", golden("diagnose-headline.stdout.txt"), "");
    assertEquals(ResultStatus.OK, r.status(), r.error());
    assertNotNull(r.facts());
    assertEquals("O:BAG:SYD:PAI(A;;FA;;;BA)", r.facts().machineKeys().sddl());
    assertEquals(12, r.facts().eventCount("36870"));
    assertEquals("NT Authority\\NetworkService", r.facts().service("TermService").account());
    assertEquals(3389, r.facts().registry().portNumber());
    assertNull(r.facts().tls().tls12());
    assertEquals(List.of("Public"), r.facts().firewall().active());
    Instant start = Instant.parse("2026-11-23T05:00:00Z");
    GuestDiagnosis d = GuestAnalyzer.analyze(r.facts(), start, start.plusSeconds(30), RepairOptions.defaults(), STEPS);
    assertEquals(List.of("reset-machinekeys-acl", "remove-rdp-certificates", "restart-rdp-services"), d.planIds());
  }

  @Test
  void bundleWithAFailedStepMidwayIsAFailureThatKeepsWhatChanged() {
    TemplateResult r = ResultParser.parse("bundle", golden("bundle-failed-midway.stdout.txt"), "");
    assertEquals(ResultStatus.FAILED, r.status());
    assertEquals("step remove-rdp-certificates failed: Access is denied.", r.error());
    assertEquals(2, r.steps().size());
    assertEquals(ResultStatus.CHANGED, r.steps().get(0).status());
    assertEquals("MachineKeys ACL", r.steps().get(0).changes().get(0).what());
    assertEquals(2, r.steps().get(0).backups().size());
    assertEquals(ResultStatus.FAILED, r.steps().get(1).status());
    assertTrue(r.changedSomething());
  }

  @Test
  void crlfAndTrailingBlankLinesAreFine() {
    TemplateResult r = ResultParser.parse("enable-tls-server", golden("repair-changed-crlf.stdout.txt"), "");
    assertEquals(ResultStatus.CHANGED, r.status(), r.error());
    assertEquals(new TemplateResult.Change("Server\\Enabled", "0", "1"), r.changes().get(0));
  }

  @Test
  void progressCutAt4096BytesIsFineWhenTheMarkerLineSurvives() {
    String full = "x".repeat(3000) + "\n" + golden("diagnose-headline.stdout.txt");
    String kept = lastBytes(full, 4096);
    assertFalse(kept.startsWith("x".repeat(3000)), "the progress line was cut");
    assertEquals(ResultStatus.OK, ResultParser.parse("diagnose", kept, "").status());
  }

  @Test
  void outputCutAt4096BytesMidMarkerLineIsAFailure() {
    String oversized = golden("diagnose-headline.stdout.txt")
        .replace("\"findings\":[]", "\"findings\":[{\"id\":\"long\",\"msg\":\"" + "m".repeat(3000) + "\"}]");
    String full = "progress\n" + oversized;
    assertTrue(oversized.getBytes(StandardCharsets.UTF_8).length > 4096);
    String kept = lastBytes(full, 4096);
    assertFalse(kept.startsWith("AZRDPFIX-RESULT"), "the cut lands inside the marker line");
    TemplateResult r = ResultParser.parse("diagnose", kept, "");
    assertEquals(ResultStatus.FAILED, r.status());
    assertTrue(r.error().contains("cut off"), r.error());
    assertNull(r.facts());
  }

  @Test
  void outputWhoseEndIsCutIsInvalidJsonAndAFailure() {
    String full = golden("diagnose-headline.stdout.txt");
    String head = new String(Arrays.copyOf(full.getBytes(StandardCharsets.UTF_8), 900), StandardCharsets.UTF_8);
    TemplateResult r = ResultParser.parse("diagnose", head, "");
    assertEquals(ResultStatus.FAILED, r.status());
    assertTrue(r.error().contains("invalid result line"), r.error());
  }

  @Test
  void missingMarkerIsAFailureNamingTheLastStderrLine() {
    TemplateResult r = ResultParser.parse("diagnose", "starting\n",
        "At line:1 char:1\r\nGet-Item : Access is denied\r\n\r\n");
    assertEquals(ResultStatus.FAILED, r.status());
    assertTrue(r.error().contains("printed no result line"), r.error());
    assertTrue(r.error().endsWith("last stderr line: Get-Item : Access is denied"), r.error());
    assertEquals(ResultStatus.FAILED, ResultParser.parse("diagnose", null, null).status());
    assertEquals(ResultStatus.FAILED, ResultParser.parse("diagnose", "", "").status());
  }

  @Test
  void markerNotLastIsAFailure() {
    String out = "AZRDPFIX-RESULT {\"v\":1,\"id\":\"refresh-policy\",\"status\":\"changed\",\"changes\":"
        + "[{\"what\":\"policy\",\"before\":\"1\",\"after\":\"0\"}]}\nleaked output\n";
    TemplateResult r = ResultParser.parse("refresh-policy", out, "");
    assertEquals(ResultStatus.FAILED, r.status());
    assertTrue(r.error().contains("'leaked output'"), r.error());
    assertEquals(1, r.changes().size(), "what was changed is still reported");
  }

  @Test
  void invalidJsonWrongIdVersionAndStatusAreFailures() {
    assertTrue(ResultParser.parse("diagnose", "AZRDPFIX-RESULT {not json", "").error().contains("invalid"));
    assertTrue(ResultParser.parse("diagnose", "AZRDPFIX-RESULT [1,2]", "").error().contains("not a JSON object"));
    assertTrue(ResultParser.parse("diagnose", "AZRDPFIX-RESULT {\"v\":1,\"id\":\"rollback\",\"status\":\"ok\"}", "")
        .error().contains("expected diagnose"));
    assertTrue(ResultParser.parse("rollback", "AZRDPFIX-RESULT {\"v\":2,\"id\":\"rollback\",\"status\":\"noop\"}", "")
        .error().contains("version 2"));
    TemplateResult unknown = ResultParser.parse("rollback",
        "AZRDPFIX-RESULT {\"v\":1,\"id\":\"rollback\",\"status\":\"fine\"}", "");
    assertEquals(ResultStatus.FAILED, unknown.status());
    TemplateResult silent = ResultParser.parse("rollback",
        "AZRDPFIX-RESULT {\"v\":1,\"id\":\"rollback\",\"status\":\"failed\",\"error\":null}", "boom");
    assertEquals(ResultStatus.FAILED, silent.status());
    assertTrue(silent.error().contains("without a message") && silent.error().contains("boom"), silent.error());
    TemplateResult noFacts = ResultParser.parse("diagnose",
        "AZRDPFIX-RESULT {\"v\":1,\"id\":\"diagnose\",\"status\":\"ok\"}", "");
    assertEquals(ResultStatus.FAILED, noFacts.status());
  }

  @Test
  void theLastMarkerLineWins() {
    String out = "AZRDPFIX-RESULT {\"v\":1,\"id\":\"resync-time\",\"status\":\"failed\",\"error\":\"old\"}\n"
        + "AZRDPFIX-RESULT {\"v\":1,\"id\":\"resync-time\",\"status\":\"noop\"}\n";
    assertEquals(ResultStatus.NOOP, ResultParser.parse("resync-time", out, "").status());
  }

  @Test
  void aBundleThatHidesAFailedStepIsAFailure() {
    String out = "AZRDPFIX-RESULT {\"v\":1,\"id\":\"bundle\",\"status\":\"changed\",\"steps\":["
        + "{\"id\":\"enable-tls-server\",\"status\":\"changed\"},{\"id\":\"resync-time\",\"status\":\"failed\","
        + "\"error\":\"w32tm.exe /resync failed\"}]}";
    TemplateResult r = ResultParser.parse("bundle", out, "");
    assertEquals(ResultStatus.FAILED, r.status());
    assertTrue(r.error().contains("resync-time"), r.error());
  }

  @Test
  void aBindingErrorBeforeTheBodyIsReportedByItsMessageNotItsErrorId() {
    String stderr = "C:\\Packages\\script0.ps1 : Cannot validate argument on parameter 'RunId'. The argument \"x\" "
        + "does not match the pattern.\n"
        + "    + CategoryInfo          : InvalidData: (:) [script0.ps1], ParameterBindingException\n"
        + "    + FullyQualifiedErrorId : ParameterArgumentValidationError,script0.ps1\n";
    TemplateResult r = ResultParser.parse("rollback", "", stderr);
    assertEquals(ResultStatus.FAILED, r.status());
    assertTrue(r.error().contains("Cannot validate argument on parameter 'RunId'"), r.error());
    assertFalse(r.error().contains("FullyQualifiedErrorId"), r.error());
  }

  @Test
  void aFailedBestEffortStepIsAWarningOfTheBundleNotItsFailure() {
    String out = "AZRDPFIX-RESULT {\"v\":1,\"id\":\"bundle\",\"status\":\"changed\",\"error\":null,"
        + "\"warnings\":[\"best-effort step resync-time failed: w32tm exit 1\"],\"steps\":["
        + "{\"id\":\"resync-time\",\"status\":\"failed\",\"error\":\"w32tm exit 1\",\"critical\":false},"
        + "{\"id\":\"enable-remote-connections\",\"status\":\"changed\",\"critical\":true}]}";
    TemplateResult r = ResultParser.parse("bundle", out, "");
    assertEquals(ResultStatus.CHANGED, r.status(), String.valueOf(r.error()));
    assertEquals("best-effort-step-failed", r.findings().get(0).id());
    assertTrue(r.findings().get(0).msg().contains("resync-time"));
    // The same failure on a critical step (or one from an older runner, without the field) fails the bundle.
    TemplateResult critical = ResultParser.parse("bundle", out.replace("\"critical\":false", "\"critical\":true"), "");
    assertEquals(ResultStatus.FAILED, critical.status());
    TemplateResult unmarked = ResultParser.parse("bundle", out.replace(",\"critical\":false", ""), "");
    assertEquals(ResultStatus.FAILED, unmarked.status());
  }

  @Test
  void resultsSerialiseWithPlainJacksonUsingLowerCaseStatus() throws IOException {
    ObjectMapper plain = new ObjectMapper();
    TemplateResult r = ResultParser.parse("diagnose", golden("diagnose-headline.stdout.txt"), "");
    JsonNode json = plain.readTree(plain.writeValueAsString(r));
    assertEquals("ok", json.path("status").asText());
    assertEquals("O:BAG:SYD:PAI(A;;FA;;;BA)", json.path("facts").path("machineKeys").path("sddl").asText());
    TemplateResult b = ResultParser.parse("bundle", golden("bundle-failed-midway.stdout.txt"), "");
    JsonNode bj = plain.readTree(plain.writeValueAsString(b));
    assertEquals("failed", bj.path("status").asText());
    assertEquals("changed", bj.path("steps").path(0).path("status").asText());
    assertEquals(ResultStatus.FAILED, plain.readValue("\"failed\"", ResultStatus.class));
  }
}
