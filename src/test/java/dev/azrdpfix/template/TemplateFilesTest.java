package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.contract.ScriptText;
import dev.azrdpfix.core.guest.RepairSteps;
import dev.azrdpfix.core.guest.StepProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The template files, the manifest, the contract and the core step table agree with each other and the rules. */
class TemplateFilesTest {
  private static final TemplateCatalog CATALOG = TemplateCatalog.load();

  /** A call of (or reference to) an azrdpfix helper: {@code Verb-AzrdpfixNoun}. */
  private static final Pattern HELPER_CALL = Pattern.compile("\\b[A-Z][A-Za-z]+-Azrdpfix[A-Za-z]+\\b");

  /** Commands that change the VM; a template must journal before the first of them. */
  private static final Pattern MUTATING = Pattern.compile(
      "(?i)\\b(Set-Service|Restart-Service|Start-Service|Enable-NetFirewallRule|Set-NetFirewallRule|"
          + "Set-NetFirewallProfile|Remove-Item|Rename-Item|Set-Acl|New-ItemProperty|Set-ItemProperty|"
          + "Remove-ItemProperty|takeown\\.exe|w32tm\\.exe|gpupdate\\.exe|'/grant'|'/restore')");

  private static JsonNode manifest() throws IOException {
    return new ObjectMapper().readTree(Files.readString(PsSource.ROOT.resolve("manifest.json")));
  }

  @Test
  void everyScriptIsInTheManifestAndEveryManifestPathExists() throws IOException {
    Set<String> listed = new TreeSet<>();
    manifest().path("templates").forEach(t -> listed.add(t.path("path").asText()));
    manifest().path("common").forEach(t -> listed.add(t.path("path").asText()));
    Set<String> onDisk = PsSource.allScripts().stream()
        .map(p -> PsSource.ROOT.relativize(p).toString().replace('\\', '/'))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(onDisk, listed);
    for (String p : listed) {
      assertTrue(Files.isRegularFile(PsSource.ROOT.resolve(p)), p);
    }
  }

  @Test
  void paramBlocksMatchTheManifest() {
    for (TemplateSpec spec : CATALOG.all()) {
      String block = PsSource.paramBlock(PsSource.read(spec.path()));
      assertNotNull(block, spec.id() + " has no param() block");
      Map<String, PsSource.Param> declared = PsSource.params(block);
      assertEquals(spec.parameters().keySet(), declared.keySet(), spec.id());
      for (ParameterSpec p : spec.parameters().values()) {
        PsSource.Param d = declared.get(p.name());
        assertEquals(p.pattern(), d.pattern(), spec.id() + "." + p.name() + " ValidatePattern");
        assertEquals(p.required(), d.mandatory(), spec.id() + "." + p.name() + " Mandatory");
        assertEquals(p.type().pattern(), p.pattern(), spec.id() + "." + p.name() + " canonical pattern");
      }
    }
  }

  @Test
  void theParamBlockReaderSeesEveryParameter() {
    Map<String, PsSource.Param> p =
        PsSource.params(PsSource.paramBlock(PsSource.read("repair/clear-stale-binding.ps1")));
    assertEquals(List.of("RunId", "Thumbprint"), List.copyOf(p.keySet()));
    assertEquals("(?-i)^[0-9A-F]{40}$", p.get("Thumbprint").pattern());
    assertEquals(Map.of(), PsSource.params(PsSource.paramBlock("<# x #>\nparam()\n$a = 1")));
  }

  @Test
  void everyTemplateHoldsOnePlaceholderLineRightAfterItsParamBlock() {
    for (TemplateSpec spec : CATALOG.all()) {
      List<String> lines = ScriptText.normalise(PsSource.read(spec.path()));
      assertEquals(1, lines.stream().filter(TemplateCatalog.HELPERS_PLACEHOLDER::equals).count(),
          spec.id() + " holds the line '" + TemplateCatalog.HELPERS_PLACEHOLDER + "' exactly once");
      int at = lines.indexOf(TemplateCatalog.HELPERS_PLACEHOLDER);
      String text = PsSource.read(spec.path());
      String before = String.join("\n", lines.subList(0, at));
      String block = PsSource.paramBlock(text);
      assertNotNull(block, spec.id());
      int paramEnd = before.lastIndexOf("\nparam(" + block + ")") + 1;
      assertTrue(paramEnd > 0, spec.id() + ": the placeholder comes after the param() block");
      // Between param() and the placeholder only the error preference: no code that could need a helper.
      List<String> between = before.substring(paramEnd + ("param(" + block + ")").length()).lines()
          .filter(l -> !l.isBlank()).toList();
      assertEquals(List.of("$ErrorActionPreference = 'Stop'"), between, spec.id());
      assertFalse(HELPER_CALL.matcher(before).find(), spec.id() + " calls a helper before the placeholder");
    }
  }

  @Test
  void theRunnerHasNoPlaceholderBecauseTheBundleDefinesTheHelpersOnce() {
    assertFalse(ScriptText.normalise(PsSource.read("common/bundle-runner.ps1"))
        .contains(TemplateCatalog.HELPERS_PLACEHOLDER));
  }

  @Test
  void noScriptButTheHelpersFileDefinesAHelperFunction() {
    Set<String> helpers = definedFunctions(PsSource.read("common/helpers.ps1"));
    for (Path p : PsSource.allScripts()) {
      if (p.endsWith("helpers.ps1")) {
        continue;
      }
      String text = PsSource.read(p);
      assertFalse(text.contains(PsSource.REGION_START) || text.contains(PsSource.REGION_END),
          p + " carries a copy of the helper region; put '" + TemplateCatalog.HELPERS_PLACEHOLDER + "' instead");
      for (String f : definedFunctions(text)) {
        assertFalse(helpers.contains(f) || f.contains("-Azrdpfix"), p + " defines helper function " + f);
      }
    }
  }

  @Test
  void theHelpersFileDefinesEveryHelperTheScriptsCall() {
    String helpers = PsSource.read("common/helpers.ps1");
    Set<String> defined = definedFunctions(helpers);
    assertTrue(defined.size() >= 10, "helpers.ps1 defines its functions: " + defined);
    for (Path p : PsSource.allScripts()) {
      Set<String> own = definedFunctions(PsSource.read(p));
      Matcher m = HELPER_CALL.matcher(PsSource.read(p));
      while (m.find()) {
        assertTrue(defined.contains(m.group()) || own.contains(m.group()),
            p + " calls " + m.group() + ", which common/helpers.ps1 does not define");
      }
    }
  }

  @Test
  void theHelpersFileIsOneRegionOfFunctionsAndComments() {
    List<String> lines = ScriptText.normalise(PsSource.read("common/helpers.ps1"));
    assertEquals(PsSource.REGION_START, lines.get(0));
    assertEquals(PsSource.REGION_END, lines.get(lines.size() - 1));
    // Only definitions at the top level: composing the helpers into a script must not run or print anything.
    for (String l : lines) {
      assertTrue(l.isBlank() || l.startsWith(" ") || l.startsWith("#") || l.startsWith("function ") || l.equals("}"),
          "top-level statement in helpers.ps1: " + l);
    }
  }

  @Test
  void theHelperCallPatternFindsCallsAndDefinitions() {
    Matcher m = HELPER_CALL.matcher("$x = ConvertTo-AzrdpfixRegText $r; Write-AzrdpfixResult $x; Get-Safe { 1 }");
    List<String> found = new ArrayList<>();
    while (m.find()) {
      found.add(m.group());
    }
    assertEquals(List.of("ConvertTo-AzrdpfixRegText", "Write-AzrdpfixResult"), found);
    assertEquals(Set.of("Get-Safe", "Test-AzrdpfixX"),
        definedFunctions("function Get-Safe([scriptblock]$Body) {\n}\n  function Test-AzrdpfixX {\n}"));
  }

  private static Set<String> definedFunctions(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\s*function\\s+([A-Za-z][A-Za-z0-9-]*)").matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void forbiddenConstructsAreAbsent() {
    Map<String, Pattern> forbidden = new HashMap<>();
    forbidden.put("Read-Host", Pattern.compile("(?i)Read-Host"));
    forbidden.put("Restart-Computer", Pattern.compile("(?i)Restart-Computer"));
    forbidden.put("Stop-Computer", Pattern.compile("(?i)Stop-Computer"));
    forbidden.put("Invoke-Expression", Pattern.compile("(?i)Invoke-Expression"));
    forbidden.put("iex", Pattern.compile("(?i)\\biex\\b"));
    forbidden.put("[scriptblock]::Create", Pattern.compile("(?i)\\[scriptblock\\]\\s*::\\s*Create"));
    forbidden.put("exit", Pattern.compile("(?im)(^|[;{]\\s*)exit(\\s|;|$)"));
    forbidden.put("download", Pattern.compile("(?i)(Invoke-WebRequest|Invoke-RestMethod|DownloadString|DownloadFile|"
        + "Net\\.WebClient|Start-BitsTransfer|\\bcurl\\b|\\bwget\\b)"));
    forbidden.put("shutdown", Pattern.compile("(?i)shutdown(\\.exe)?\\s+/"));
    for (Path p : PsSource.allScripts()) {
      String text = PsSource.read(p);
      forbidden.forEach((what, re) -> assertFalse(re.matcher(text).find(), p + " contains " + what));
    }
  }

  @Test
  void theForbiddenPatternsCatchWhatTheyShould() {
    assertTrue(Pattern.compile("(?im)(^|[;{]\\s*)exit(\\s|;|$)").matcher("if ($x) { exit 1 }").find());
    assertFalse(Pattern.compile("(?im)(^|[;{]\\s*)exit(\\s|;|$)").matcher("'failed with exit code'").find());
    assertTrue(Pattern.compile("(?i)\\biex\\b").matcher("$s | iex").find());
  }

  @Test
  void everyTemplateHasHelpParamBlockAndStrictErrors() {
    for (TemplateSpec spec : CATALOG.all()) {
      String text = PsSource.read(spec.path());
      assertTrue(text.startsWith("<#"), spec.id() + " starts with its help comment");
      assertTrue(text.contains(".SYNOPSIS"), spec.id() + " .SYNOPSIS");
      assertTrue(text.contains(".NOTES"), spec.id() + " .NOTES");
      assertTrue(text.contains("Why:"), spec.id() + " .NOTES says why");
      for (String name : spec.parameters().keySet()) {
        assertTrue(text.contains(".PARAMETER " + name), spec.id() + " .PARAMETER " + name);
      }
      int param = text.indexOf("\nparam(");
      int eap = text.indexOf("$ErrorActionPreference = 'Stop'");
      assertTrue(param > 0 && eap > param, spec.id() + ": param() then $ErrorActionPreference = 'Stop'");
    }
  }

  /**
   * Every guest action is bounded in time and can never reach a prompt: a hung service or a question on a console
   * nobody watches would hold Run Command (uncancellable) for up to 90 minutes and block every later call.
   */
  @Test
  void everyGuestActionIsBoundedAndNonInteractive() {
    Map<String, String> forbidden = new LinkedHashMap<>();
    forbidden.put("\\b(Restart|Start|Stop)-Service\\b", "service cmdlets wait forever on a pending service");
    forbidden.put("\\bRead-Host\\b|(?m)^\\s*pause\\s*$", "a prompt");
    forbidden.put("(?i)\\btakeown\\b", "takeown's /d answer is localized");
    forbidden.put("Start-Process\\b[^\\n]*-Wait\\b", "Start-Process -Wait has no bound");
    forbidden.put("\\.WaitForExit\\(\\s*\\)", "WaitForExit() without a timeout");
    forbidden.put("\\.WaitForStatus\\(\\s*[^,()]*\\)", "WaitForStatus without a timeout");
    forbidden.put("\\bGet-WmiObject\\b", "Get-WmiObject has no timeout");
    forbidden.put("Get-CimInstance\\b(?![^\\n]*-OperationTimeoutSec)", "Get-CimInstance without -OperationTimeoutSec");
    forbidden.put("(?m)^\\s*&\\s", "a native tool called directly instead of through Invoke-AzrdpfixNative");
    List<String> found = new ArrayList<>();
    for (Path p : PsSource.allScripts()) {
      // Comments and single-quoted strings run nothing; the helpers are checked like every template.
      String code = PsSource.code(PsSource.read(p).replace(PsSource.REGION_START, "").replace(PsSource.REGION_END, ""))
          .replaceAll("'(?:[^'\\n]|'')*'", "''");
      forbidden.forEach((regex, why) -> {
        Matcher m = Pattern.compile(regex).matcher(code);
        while (m.find()) {
          found.add(p + ": " + why + ": " + code.substring(m.start(), Math.min(code.length(), m.start() + 60)));
        }
      });
      // Native tools only through the bounded wrapper: every '<tool>.exe' literal is its first argument.
      Matcher exe = Pattern.compile("'[A-Za-z0-9]+\\.exe'").matcher(PsSource.code(PsSource.read(p)));
      String text = PsSource.code(PsSource.read(p));
      while (exe.find()) {
        if (!text.substring(Math.max(0, exe.start() - 22), exe.start()).endsWith("Invoke-AzrdpfixNative ")) {
          found.add(p + ": " + exe.group() + " is not run through Invoke-AzrdpfixNative");
        }
      }
    }
    assertEquals(List.of(), found);
    // The wrapper itself: standard input closed, a kill after the timeout, and the service waits bounded.
    String helpers = PsSource.read("common/helpers.ps1");
    assertTrue(helpers.contains("$proc.StandardInput.Close()"));
    assertTrue(helpers.contains("if (-not $proc.WaitForExit($TimeoutSeconds * 1000)) {"));
    assertTrue(helpers.contains("$Service.WaitForStatus($Status, [TimeSpan]::FromSeconds($TimeoutSeconds))"));
  }

  @Test
  void everyScriptPrintsExactlyOneMarkerLineLast() {
    assertEquals(1, count(PsSource.read("common/helpers.ps1"), "AZRDPFIX-RESULT "), "the helpers print the marker");
    for (Path p : PsSource.allScripts()) {
      if (p.endsWith("helpers.ps1")) {
        continue;
      }
      String body = PsSource.read(p);
      // Only the bundle runner reads markers (of its steps); nothing outside the helpers prints one.
      int reads = p.endsWith("bundle-runner.ps1") ? count(body, "StartsWith('AZRDPFIX-RESULT ')") : 0;
      assertEquals(reads, count(body, "AZRDPFIX-RESULT "), p.toString());
      assertEquals(1, count(body, "Write-AzrdpfixResult "), p + ": one call that prints the marker");
      List<String> lines = body.lines().filter(l -> !l.isBlank()).toList();
      assertTrue(lines.get(lines.size() - 1).startsWith("Write-AzrdpfixResult $"), p + ": marker call is last");
      assertTrue(body.contains("} catch {\n  Set-AzrdpfixFailed $"), p + ": a failure still prints the marker");
      assertFalse(body.contains("Write-Host"), p + ": Write-Host bypasses the output the bundle runner reads");
    }
  }

  @Test
  void repairTemplatesJournalBeforeTheirFirstChange() {
    for (TemplateSpec spec : CATALOG.all()) {
      if (spec.kind() != TemplateKind.REPAIR) {
        continue;
      }
      String body = PsSource.code(PsSource.read(spec.path()));
      assertTrue(body.contains("Initialize-AzrdpfixBackup $RunId"), spec.id() + " creates the backup folder");
      int journal = firstIndex(body, "Add-AzrdpfixJournal ", "Set-AzrdpfixRegValue ", "Remove-AzrdpfixRegValue ");
      assertTrue(journal > 0, spec.id() + " journals its changes");
      Matcher m = MUTATING.matcher(body);
      if (m.find()) {
        assertTrue(journal < m.start(), spec.id() + ": '" + m.group() + "' comes before the first journal entry");
      }
    }
  }

  @Test
  void diagnoseChangesNothing() {
    String body = PsSource.code(PsSource.read("inspect/diagnose.ps1"));
    Matcher m = MUTATING.matcher(body);
    assertFalse(m.find(), () -> "diagnose contains " + m.group());
    assertFalse(body.contains("Initialize-AzrdpfixBackup") || body.contains("Add-AzrdpfixJournal"));
  }

  @Test
  void noTemplateWeakensListenerSecurityExceptDisableNla() {
    for (TemplateSpec spec : CATALOG.all()) {
      String body = PsSource.code(PsSource.read(spec.path()));
      assertFalse(Pattern.compile("(?i)(Set-AzrdpfixRegValue|New-ItemProperty|Set-ItemProperty)[^\n]*SecurityLayer")
          .matcher(body).find(), spec.id() + " writes SecurityLayer");
      boolean writesNla = Pattern.compile("Set-AzrdpfixRegValue[^\n]*'UserAuthentication' 'DWord' 0")
          .matcher(body).find();
      assertEquals(spec.id().equals("disable-nla"), writesNla, spec.id() + " and UserAuthentication=0");
      assertFalse(Pattern.compile("TLS 1\\.[01]").matcher(body).find() && spec.kind() == TemplateKind.REPAIR,
          spec.id() + " touches TLS 1.0/1.1");
    }
  }

  @Test
  void manifestListsExactlyTheCoreStepIdsInOrderAndIsTheOneHomeOfTheirProperties() {
    List<String> repairIds = new ArrayList<>();
    for (TemplateSpec spec : CATALOG.all()) {
      if (spec.kind() != TemplateKind.REPAIR) {
        continue;
      }
      repairIds.add(spec.id());
      StepProperties p = CATALOG.stepProperties(spec.id());
      assertEquals(new StepProperties(spec.id(), spec.destructive(), spec.requiresReboot(), spec.requiresReapply(),
          spec.explicitFlag(), spec.critical(), spec.restartsServices()), p, spec.id());
      assertTrue(spec.mutates(), spec.id() + " mutates");
    }
    assertEquals(RepairSteps.ids(), repairIds, "manifest order is the documented repair order");
    assertFalse(CATALOG.get("diagnose").mutates());
    assertThrows(IllegalArgumentException.class, () -> CATALOG.stepProperties("diagnose"));
    assertThrows(IllegalArgumentException.class, () -> CATALOG.stepProperties("no-such-step"));
    // The risky steps keep their explicit flags (the CLI checks these very strings).
    assertEquals("--allow-machinekeys-rename", CATALOG.stepProperties(RepairSteps.RENAME_MACHINEKEYS).explicitFlag());
    assertEquals("--allow-disable-nla", CATALOG.stepProperties(RepairSteps.DISABLE_NLA).explicitFlag());
    assertTrue(CATALOG.stepProperties(RepairSteps.RENAME_MACHINEKEYS).requiresReapply());
    // Time and policy are best-effort, everything else critical; the clock runs first.
    for (String id : RepairSteps.ids()) {
      boolean bestEffort = id.equals(RepairSteps.RESYNC_TIME) || id.equals(RepairSteps.REFRESH_POLICY);
      assertEquals(!bestEffort, CATALOG.stepProperties(id).critical(), id);
    }
    assertEquals(RepairSteps.RESYNC_TIME, RepairSteps.ids().get(0));
    // Only a SCHANNEL change, the rename and NLA need a VM restart; the rest a service restart at most.
    assertEquals(List.of(RepairSteps.RENAME_MACHINEKEYS, RepairSteps.ENABLE_TLS_SERVER, RepairSteps.DISABLE_NLA),
        RepairSteps.ids().stream().filter(id -> CATALOG.stepProperties(id).requiresReboot()).toList());
  }

  @Test
  void sameNamedParametersHaveTheSameSpecEverywhere() {
    Map<String, ParameterSpec> seen = new HashMap<>();
    for (TemplateSpec spec : CATALOG.all()) {
      for (ParameterSpec p : spec.parameters().values()) {
        ParameterSpec before = seen.putIfAbsent(p.name(), p);
        if (before != null) {
          assertTrue(TemplateCatalog.sameSpec(before, p), p.name() + " differs in " + spec.id());
        }
      }
    }
  }

  @Test
  void contractTableListsExactlyTheManifestTemplates() {
    String contract = PsSource.read("CONTRACT.md");
    String table = contract.substring(contract.indexOf("## Templates"), contract.indexOf("The **bundle**"));
    Set<String> ids = new LinkedHashSet<>();
    Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\|").matcher(table);
    while (m.find()) {
      ids.add(m.group(1));
    }
    assertEquals(CATALOG.all().stream().map(TemplateSpec::id).collect(Collectors.toCollection(LinkedHashSet::new)),
        ids);
  }

  @Test
  void diagnoseSetsEveryContractFact() throws IOException {
    String contract = PsSource.read("CONTRACT.md");
    String json =
        contract.substring(contract.indexOf("```json") + 7, contract.indexOf("```", contract.indexOf("```json") + 7));
    JsonNode facts = new ObjectMapper().readTree(json.replace("…", ""));
    String diagnose = PsSource.body(PsSource.read("inspect/diagnose.ps1"));
    facts.fieldNames().forEachRemaining(k -> assertTrue(
        diagnose.contains("$facts." + k + " =") || diagnose.contains("[ordered]@{ " + k + " ="),
        "diagnose does not set facts." + k));
  }

  @Test
  void catalogServesTheFilesNormalisedAndComposedWithTheHelpers() {
    String helpers = PsSource.read("common/helpers.ps1");
    assertEquals(helpers, String.join("\n", CATALOG.helperLines()));
    for (TemplateSpec spec : CATALOG.all()) {
      String source = PsSource.read(spec.path());
      assertEquals(source, spec.sourceText(), spec.id());
      assertEquals(ScriptText.sha256(source), spec.sourceSha256(), spec.id());
      String composed = spec.text();
      assertEquals(source.replace("\n" + TemplateCatalog.HELPERS_PLACEHOLDER + "\n", "\n" + helpers + "\n"), composed,
          spec.id());
      assertEquals(ScriptText.sha256(composed), spec.sha256());
      assertEquals(1, count(composed, "\nfunction New-AzrdpfixResult("), spec.id() + " carries the helpers once");
      assertFalse(spec.lines().contains(TemplateCatalog.HELPERS_PLACEHOLDER), spec.id() + " placeholder line replaced");
      assertFalse(composed.contains("\r"));
      // param() stays the first statement: the composed script starts exactly like the file.
      assertEquals(PsSource.paramBlock(source), PsSource.paramBlock(composed), spec.id());
    }
  }

  @Test
  void aTemplateWithoutExactlyOnePlaceholderCannotBeComposed() {
    List<String> helpers = List.of("#region azrdpfix-helpers", "#endregion azrdpfix-helpers");
    assertEquals(List.of("param()", "#region azrdpfix-helpers", "#endregion azrdpfix-helpers", "$a = 1"),
        TemplateCatalog.withHelpers("x", List.of("param()", TemplateCatalog.HELPERS_PLACEHOLDER, "$a = 1"), helpers));
    for (List<String> bad : List.of(List.of("param()", "$a = 1"), List.of("param()",
        TemplateCatalog.HELPERS_PLACEHOLDER, TemplateCatalog.HELPERS_PLACEHOLDER))) {
      dev.azrdpfix.core.AzrdpfixException e = org.junit.jupiter.api.Assertions.assertThrows(
          dev.azrdpfix.core.AzrdpfixException.class, () -> TemplateCatalog.withHelpers("x", bad, helpers));
      assertEquals(dev.azrdpfix.core.ExitCode.INTERNAL, e.exitCode());
    }
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static int firstIndex(String text, String... needles) {
    int best = -1;
    for (String n : needles) {
      int i = text.indexOf(n);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
      }
    }
    return best;
  }
}
