package dev.azrdpfix.simulator.guest;

import static dev.azrdpfix.simulator.guest.GuestTestSupport.NOW;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.bundle;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.configuration;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.diagnose;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.hasMarker;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.marker;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.simulator.guest.GuestRuntime.RunOutput;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Only shipped texts run; parameters bind as PowerShell binds them; output is cut like Run Command; state persists. */
class ScriptRecognitionTest {
  private static final Map<String, String> RUN = Map.of("RunId", Scripts.RUN_ID);

  private static void assertRejected(RunOutput out, String stderrPart) {
    assertFalse(hasMarker(out), "no marker: " + out.stdout());
    assertTrue(out.stderr().contains(stderrPart), out.stderr());
  }

  @Test
  void an_unknown_script_fails_like_powershell_with_no_marker() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    assertRejected(g.runPowerShell(List.of("Set-ItemProperty 'HKLM:\\x' -Name a -Value 0"), Map.of(), NOW),
        "FullyQualifiedErrorId");
  }

  @Test
  void a_template_changed_by_one_character_is_unknown() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    List<String> lines = new ArrayList<>(Scripts.template("enable-remote-connections"));
    lines.add("Write-Output 'AZRDPFIX-RESULT {\"v\":1,\"id\":\"x\",\"status\":\"changed\"}'");
    assertRejected(g.runPowerShell(lines, RUN, NOW), "shipped templates");
    assertEquals(1, diagnose(g, NOW).path("registry").path("fDenyTSConnections").asInt(), "nothing ran");
  }

  @Test
  void a_bundle_whose_step_text_was_altered_is_unknown_even_with_a_matching_sha() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    List<String> lines = resealed(Scripts.bundle("enable-remote-connections"),
        "# >>> azrdpfix-step enable-remote-connections sha256=", 2, "} })",
        body -> body.add(1, "Remove-Item C:\\ -Recurse"));
    assertRejected(g.runPowerShell(lines, RUN, NOW), "shipped templates");
  }

  /**
   * The bundle with one section's text edited and its opening marker re-declaring the sha256 of the edited text, as a
   * forger would: the section starts {@code offset} lines after the marker and ends before {@code endLine}.
   */
  private static List<String> resealed(List<String> bundle, String markerPrefix, int offset, String endLine,
      Consumer<List<String>> edit) {
    List<String> lines = new ArrayList<>(bundle);
    int open = 0;
    while (!lines.get(open).startsWith(markerPrefix)) {
      open++;
    }
    List<String> text = lines.subList(open + offset, lines.indexOf(endLine));
    edit.accept(text);
    lines.set(open, markerPrefix + ShippedTemplates.sha256(String.join("\n", text)));
    return lines;
  }

  @Test
  void a_template_file_sent_without_its_helpers_is_unknown() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    assertRejected(g.runPowerShell(Scripts.source("enable-remote-connections"), RUN, NOW), "shipped templates");
    List<String> placeholderKept = new ArrayList<>(Scripts.template("enable-remote-connections"));
    placeholderKept.add(placeholderKept.indexOf("#region azrdpfix-helpers"), "# azrdpfix:helpers");
    assertRejected(g.runPowerShell(placeholderKept, RUN, NOW), "shipped templates");
    assertEquals(1, diagnose(g, NOW).path("registry").path("fDenyTSConnections").asInt(), "nothing ran");
  }

  @Test
  void a_bundle_whose_helpers_were_altered_is_unknown_even_with_a_matching_sha() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    List<String> lines = resealed(Scripts.bundle("enable-remote-connections"), "# >>> azrdpfix-helpers sha256=", 1,
        "# <<< azrdpfix-helpers", helpers -> helpers.add(1, "function Get-AzrdpfixTime { 'forged' }"));
    assertRejected(g.runPowerShell(lines, RUN, NOW), "shipped templates");
    assertEquals(1, diagnose(g, NOW).path("registry").path("fDenyTSConnections").asInt(), "nothing ran");
  }

  @Test
  void a_bundle_without_its_helpers_section_or_with_helpers_per_step_is_unknown() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    List<String> bundle = Scripts.bundle("enable-remote-connections");
    List<String> noHelpers = new ArrayList<>(bundle);
    noHelpers.subList(noHelpers.indexOf(noHelpers.stream().filter(l -> l.startsWith("# >>> azrdpfix-helpers"))
        .findFirst().orElseThrow()), noHelpers.indexOf("# <<< azrdpfix-helpers") + 1).clear();
    assertRejected(g.runPowerShell(noHelpers, RUN, NOW), "shipped templates");

    // The old layout: each step carrying its own helper copy, declared with that text's sha256.
    List<String> perStep = resealed(noHelpers, "# >>> azrdpfix-step enable-remote-connections sha256=", 2, "} })",
        body -> {
          body.clear();
          body.addAll(Scripts.template("enable-remote-connections"));
        });
    assertRejected(g.runPowerShell(perStep, RUN, NOW), "shipped templates");
    assertEquals(1, diagnose(g, NOW).path("registry").path("fDenyTSConnections").asInt(), "nothing ran");

    // The same bundle as composed by the contract runs.
    assertEquals("changed", marker(g.runPowerShell(bundle, RUN, NOW)).path("status").asText());
  }

  @Test
  void a_bad_parameter_fails_binding_before_anything_runs() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    assertRejected(g.runPowerShell(Scripts.template("enable-remote-connections"), Map.of("RunId", "x; rm -r C:\\"),
        NOW), "Cannot validate argument on parameter 'RunId'");
    assertRejected(g.runPowerShell(Scripts.bundle("enable-remote-connections"), Map.of("RunId", "nope"), NOW),
        "ParameterArgumentValidationError");
    assertEquals(1, diagnose(g, NOW).path("registry").path("fDenyTSConnections").asInt(), "nothing ran");
  }

  @Test
  void patterns_are_case_sensitive_because_they_say_so() {
    GuestRuntime g = GuestCatalog.create("web-01", "expired-cert", NOW);
    String tp = diagnose(g, NOW).path("certs").get(0).path("tp").asText();
    assertRejected(g.runPowerShell(Scripts.template("remove-rdp-certificates"),
        Map.of("RunId", Scripts.RUN_ID, "Thumbprints", tp.toLowerCase()), NOW), "does not match");
  }

  @Test
  void missing_and_unknown_parameters_are_binding_errors() {
    GuestRuntime g = GuestCatalog.create("web-01", "healthy", NOW);
    assertRejected(g.runPowerShell(Scripts.template("enable-tls-server"), Map.of(), NOW),
        "missing mandatory parameters: RunId");
    assertRejected(g.runPowerShell(Scripts.template("diagnose"), RUN, NOW),
        "A parameter cannot be found that matches parameter name 'RunId'");
  }

  @Test
  void a_single_template_prints_exactly_one_marker_line() {
    RunOutput out = GuestCatalog.create("web-01", "rdp-disabled", NOW)
        .runPowerShell(Scripts.template("enable-remote-connections"), RUN, NOW);
    assertEquals(1, out.stdout().split("\n").length);
    JsonNode m = marker(out);
    assertEquals("enable-remote-connections", m.path("id").asText());
    assertEquals("changed", m.path("status").asText());
    assertTrue(m.has("error") && m.path("error").isNull());
    assertEquals("", out.stderr());
  }

  @Test
  void bundle_prints_one_short_line_per_step_before_its_marker() {
    RunOutput out = GuestCatalog.create("web-01", "rdp-disabled", NOW)
        .runPowerShell(Scripts.bundle("enable-remote-connections", "enable-tls-server"), RUN, NOW);
    String[] lines = out.stdout().split("\n");
    assertArrayEquals(new String[] {"azrdpfix step enable-remote-connections: changed",
        "azrdpfix step enable-tls-server: noop"}, java.util.Arrays.copyOf(lines, 2));
    JsonNode m = marker(out);
    assertFalse(m.path("steps").get(0).has("v"));
  }

  @Test
  void output_keeps_only_the_last_4096_bytes() {
    StringBuilder long1 = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      long1.append("progress line ").append(i).append('\n');
    }
    long1.append("AZRDPFIX-RESULT {}");
    RunOutput out = ScriptHost.cut(long1.toString(), "");
    assertEquals(4096, out.stdout().length());
    assertTrue(out.stdout().endsWith("AZRDPFIX-RESULT {}"));
    assertFalse(out.stdout().startsWith("progress line 0\n"));
  }

  @Test
  void many_certificates_are_trimmed_from_diagnose_and_a_big_bundle_marker_is_shortened() throws Exception {
    GuestState s = WindowsGuest.JSON.treeToValue(GuestCatalog.create("web-01", "healthy", NOW).toJson(),
        GuestState.class);
    Windows w = new Windows(s);
    List<String> tps = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      tps.add(w.addSelfSigned(NOW.minus(Duration.ofDays(400 + i)), NOW.minus(Duration.ofDays(200 + i))).thumbprint);
    }
    GuestRuntime g = new WindowsGuest(s);
    RunOutput diag = g.runPowerShell(Scripts.template("diagnose"), Map.of(), NOW);
    assertTrue(diag.stdout().length() < 3600 + "AZRDPFIX-RESULT ".length());
    JsonNode f = marker(diag).path("facts");
    assertEquals(17, f.path("certCount").asInt());
    assertTrue(f.path("certs").size() <= 4);

    Map<String, String> p = new LinkedHashMap<>(RUN);
    p.put("Thumbprints", String.join("_", tps));
    JsonNode m = bundle(g, NOW, p, "remove-rdp-certificates");
    JsonNode step = m.path("steps").get(0);
    assertEquals("changed", step.path("status").asText());
    assertEquals("16 changes (shortened; see journal.jsonl)", step.path("changes").get(0).path("what").asText());
    assertEquals(1, diagnose(g, NOW).path("certCount").asInt());
  }

  @Test
  void state_survives_to_json_and_restore_midway_through_a_repair() {
    GuestRuntime g = GuestCatalog.create("web-01", "headline", NOW);
    String old = diagnose(g, NOW).path("certs").get(0).path("tp").asText();
    bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprints", old), "reset-machinekeys-acl",
        "remove-rdp-certificates", "restart-rdp-services");

    GuestRuntime restored = GuestCatalog.restore(g.toJson());
    assertEquals(g.toJson(), restored.toJson());
    assertEquals(configuration(diagnose(g, NOW)), configuration(diagnose(restored, NOW)));
    RdpBehaviour a = g.rdpBehaviour(NOW);
    RdpBehaviour b = restored.rdpBehaviour(NOW);
    assertEquals(a.mode(), b.mode());
    assertArrayEquals(a.certificateDer(), b.certificateDer());
    assertArrayEquals(a.privateKeyPkcs8(), b.privateKeyPkcs8());

    // The journal came along: rollback on the restored guest puts the broken ACL back.
    Instant later = NOW.plus(Duration.ofMinutes(5));
    marker(restored.runPowerShell(Scripts.template("rollback"), RUN, later));
    assertEquals(Acl.BROKEN_MACHINEKEYS_SDDL, diagnose(restored, later).path("machineKeys").path("sddl").asText());
  }
}
