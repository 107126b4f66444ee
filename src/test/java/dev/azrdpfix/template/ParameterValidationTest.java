package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.contract.ScriptText;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParameterValidationTest {
  private static final TemplateCatalog CATALOG = TemplateCatalog.load();
  private static final String RUN = "20261123T050000Z-k3x9q2";
  private static final String TP = "0123456789ABCDEF0123456789ABCDEF01234567";

  private static AzrdpfixException usage(Runnable r) {
    AzrdpfixException e = assertThrows(AzrdpfixException.class, r::run);
    assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one-line message");
    return e;
  }

  private static void good(ParameterType type, String value) {
    new ParameterSpec("P", type, type.pattern(), true, null).check("t", value);
  }

  private static AzrdpfixException bad(ParameterType type, String value) {
    return usage(() -> new ParameterSpec("P", type, type.pattern(), true, null).check("t", value));
  }

  @Test
  void eachTypeAcceptsGoodValues() {
    good(ParameterType.RUN_ID, RUN);
    good(ParameterType.THUMBPRINT, TP);
    good(ParameterType.THUMBPRINT_LIST, TP);
    good(ParameterType.THUMBPRINT_LIST, TP + "_" + TP.replace('0', 'F'));
    good(ParameterType.TOKEN, "web-01.prod_2");
    good(ParameterType.BOOL, "true");
    good(ParameterType.BOOL, "false");
    good(ParameterType.INT, "-42");
    good(ParameterType.INT, "0");
    good(ParameterType.PORT, "3389");
    good(ParameterType.PORT, "65535");
    good(ParameterType.PORT, "1");
  }

  @Test
  void eachTypeRejectsBadValues() {
    bad(ParameterType.RUN_ID, "20261123T050000Z-K3X9Q2");
    bad(ParameterType.RUN_ID, "2026-11-23");
    bad(ParameterType.THUMBPRINT, TP.toLowerCase());
    bad(ParameterType.THUMBPRINT, TP.substring(1));
    bad(ParameterType.THUMBPRINT, TP + "0");
    bad(ParameterType.THUMBPRINT_LIST, TP + "_ " + TP);
    bad(ParameterType.THUMBPRINT_LIST, TP + "_");
    // A comma would become an array in powershell -Command mode: not a list separator.
    bad(ParameterType.THUMBPRINT_LIST, TP + "," + TP);
    bad(ParameterType.THUMBPRINT_LIST, String.join("_", java.util.Collections.nCopies(17, TP)));
    bad(ParameterType.TOKEN, "a".repeat(65));
    bad(ParameterType.TOKEN, "web/01");
    bad(ParameterType.BOOL, "True");
    bad(ParameterType.BOOL, "1");
    bad(ParameterType.INT, "1.5");
    bad(ParameterType.INT, "1234567890");
    bad(ParameterType.PORT, "0");
    bad(ParameterType.PORT, "65536");
    bad(ParameterType.PORT, "99999");
    bad(ParameterType.PORT, "-1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "a b", "x'y", "x\"y", "a;b", "$(calc)", "a`b", "a|b", "a&b", "a\nb",
      "20261123T050000Z-k3x9q2\n", "20261123T050000Z-k3x9q2 ", "\u00e9"})
  void blanksQuotesAndShellCharactersAreRejectedForEveryType(String value) {
    for (ParameterType t : ParameterType.values()) {
      bad(t, value);
    }
  }

  @Test
  void theMessageNamesTheParameterTemplateAndRule() {
    AzrdpfixException e =
        usage(() -> CATALOG.prepare("clear-stale-binding", Map.of("RunId", RUN, "Thumbprint", "abc;")));
    assertTrue(e.getMessage().contains("Thumbprint"), e.getMessage());
    assertTrue(e.getMessage().contains("clear-stale-binding"), e.getMessage());
    assertTrue(e.getMessage().contains("40 upper-case hex digits"), e.getMessage());
    assertTrue(!e.getMessage().contains("abc;"), "the rejected value is not echoed: " + e.getMessage());
  }

  @Test
  void unknownMissingAndNullParameters() {
    assertTrue(usage(() -> CATALOG.prepare("clear-stale-binding", Map.of("RunId", RUN)))
        .getMessage().contains("needs parameter Thumbprint"));
    assertTrue(usage(() -> CATALOG.prepare("diagnose", Map.of("RunId", RUN)))
        .getMessage().contains("no parameter 'RunId'"));
    Map<String, String> withNull = new HashMap<>();
    withNull.put("RunId", null);
    assertTrue(usage(() -> CATALOG.prepare("rollback", withNull)).getMessage().contains("empty"));
    assertTrue(usage(() -> CATALOG.prepare("no-such-template", Map.of())).getMessage().contains("no-such-template"));
    assertTrue(usage(() -> CATALOG.get(null)).getMessage().contains("unknown template"));
  }

  @Test
  void preparedScriptIsTheComposedTemplateWithValidatedParameters() {
    PreparedScript s = CATALOG.prepare("clear-stale-binding", Map.of("Thumbprint", TP, "RunId", RUN));
    TemplateSpec spec = CATALOG.get("clear-stale-binding");
    assertEquals(spec.lines(), s.lines());
    assertEquals(TemplateCatalog.withHelpers(spec.id(), spec.sourceLines(), CATALOG.helperLines()), s.lines(),
        "the template file with the helpers in place of its placeholder line");
    assertEquals(spec.sha256(), s.sha256());
    assertEquals(ScriptText.sha256(s.text()), s.sha256());
    assertEquals(List.of("RunId", "Thumbprint"), List.copyOf(s.parameters().keySet()), "manifest order");
    assertEquals(TP, s.parameters().get("Thumbprint"));
    assertTrue(!s.text().contains(TP), "values never enter the script text");
    PreparedScript d = CATALOG.prepare("diagnose", null);
    assertEquals(Map.of(), d.parameters());
  }
}
