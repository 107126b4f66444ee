package dev.azrdpfix.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExplainerTest {

  @Test
  void the_tables_have_microsofts_entries_without_overlaps() {
    assertEquals(47, Explainer.disconnectReasons().size(), "OnDisconnected documents 47 disconnect reasons");
    assertEquals(13 + 2 + 12 + 1 + 1, Explainer.extendedReasons().size(), "0-12, 25, 26, 256-267, 768, the range");
    for (List<CodeEntry> table : List.of(Explainer.disconnectReasons(), Explainer.extendedReasons())) {
      Set<String> names = new HashSet<>();
      for (CodeEntry e : table) {
        assertTrue(names.add(e.name()), "duplicate " + e.name());
        assertTrue(e.from() <= e.to());
        assertEquals(1, table.stream().filter(o -> o.covers(e.from()) || o.covers(e.to())).count(),
            "overlap at " + e.name());
        assertFalse(e.description().isBlank());
        assertFalse(e.likelyCause().isBlank());
        assertNotNull(e.source());
      }
    }
  }

  @Test
  void every_documented_error_code_decodes_to_its_own_entry_in_hex_and_decimal() {
    for (CodeEntry e : Explainer.disconnectReasons()) {
      for (String input : List.of(Explainer.hex(e.from()), Long.toString(e.from()),
          "0x" + Long.toHexString(e.from()))) {
        DecodedCode d = Explainer.explain(input, null).code();
        assertTrue(d.documented(), input);
        assertEquals(e.name(), d.name(), input);
        assertEquals(e.from(), d.value(), input);
        assertEquals(e.description(), d.description());
        assertEquals(e.commands(), d.commands());
        assertEquals("error code", d.table());
      }
    }
  }

  @Test
  void every_documented_extended_code_decodes_to_its_own_entry_including_range_ends() {
    for (CodeEntry e : Explainer.extendedReasons()) {
      for (long v : List.of(e.from(), e.to(), (e.from() + e.to()) / 2)) {
        for (String input : List.of(Explainer.hex(v), Long.toString(v))) {
          DecodedCode d = Explainer.explain("0x904", input).extended();
          assertTrue(d.documented(), input);
          assertEquals(e.name(), d.name(), input);
          assertEquals(v, d.value());
          assertEquals("extended error code", d.table());
        }
      }
    }
  }

  @Test
  void the_0x904_0x7_pair_is_socket_closed_plus_server_denied_and_not_arena_trashed() {
    Explanation x = Explainer.explain("0x904", "0x7");
    assertEquals("disconnectReasonAtClientWinsockFDCLOSE", x.code().name());
    assertEquals("Socket closed.", x.code().description());
    assertEquals("exDiscReasonServerDeniedConnection", x.extended().name());
    assertEquals("The server denied the connection.", x.extended().description());
    assertTrue(x.extended().notes().stream().anyMatch(n -> n.startsWith("Not ERROR_ARENA_TRASHED")),
        x.extended().notes().toString());
    assertTrue(x.reading().startsWith("Socket closed + the server denied the connection"), x.reading());
    assertTrue(x.reading().contains("MachineKeys") && x.reading().contains("SCHANNEL"), x.reading());
    assertEquals(List.of("azrdpfix probe HOST", "azrdpfix inspect VM", "azrdpfix repair VM"), x.commands());
    Explanation decimal = Explainer.explain(" 2308 ", "7");
    assertEquals("2308", decimal.code().input());
    assertEquals(x.reading(), decimal.reading(), "decimal input reads the same");
    assertEquals(x.extended().name(), decimal.extended().name());
  }

  @Test
  void numbers_in_both_tables_are_never_looked_up_in_the_other() {
    // 260 is DNSLookupFailed as an error code, LicenseHwidDoesntMatchLicense as an extended code.
    Explanation x = Explainer.explain("260", "260");
    assertEquals("disconnectReasonDNSLookupFailed", x.code().name());
    assertEquals("exDiscReasonLicenseHwidDoesntMatchLicense", x.extended().name());
    // 264: ConnectionTimedOut vs LicenseErrClientEncryption.
    Explanation y = Explainer.explain("0x108", "0x108");
    assertEquals("disconnectReasonConnectionTimedOut", y.code().name());
    assertEquals("exDiscReasonLicenseErrClientEncryption", y.extended().name());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0x207", "0x1307", "0xB08", "0x708", "0x5", "0xFFFF", "0xABCDEF01"})
  void unknown_error_codes_say_so_plainly(String input) {
    DecodedCode d = Explainer.explain(input, null).code();
    assertFalse(d.documented());
    assertNull(d.name());
    assertTrue(d.notes().get(0).contains("is not in Microsoft's documented list of error codes"), d.notes().get(0));
    assertTrue(d.notes().stream().anyMatch(n -> n.contains("GetErrorDescription")));
    assertTrue(Explainer.explain(input, null).reading().contains("not in Microsoft's documented list"));
    assertEquals(List.of(), Explainer.explain(input, null).commands());
  }

  @Test
  void unknown_codes_get_the_low_byte_hint_marked_as_unconfirmed() {
    DecodedCode d = Explainer.explain("0x1307", null).code();
    assertTrue(d.notes().stream().anyMatch(n -> n.contains("SSL_ERR_*") && n.contains("unconfirmed")), d.notes()
        .toString());
    assertTrue(d.notes().stream().anyMatch(n -> n.contains("often quoted on the web")));
    DecodedCode none = Explainer.explain("0xFFFF", null).code();
    assertTrue(none.notes().stream().noneMatch(n -> n.contains("A hint")));
  }

  @Test
  void seven_as_error_code_and_an_error_code_as_extended_suggest_a_swap() {
    DecodedCode seven = Explainer.explain("0x7", null).code();
    assertFalse(seven.documented());
    assertTrue(seven.notes().stream().anyMatch(n -> n.contains("did you swap")), seven.notes().toString());
    DecodedCode swapped = Explainer.explain("0x7", "0x904").extended();
    assertFalse(swapped.documented());
    assertTrue(swapped.notes().stream().anyMatch(n -> n.contains("0x904 is a documented error code")));
  }

  @Test
  void unknown_extended_codes_say_so_plainly() {
    for (String v : List.of("0xD", "27", "0x10C", "0x2FF", "0x8000")) {
      DecodedCode d = Explainer.explain("0x3", v).extended();
      assertFalse(d.documented(), v);
      assertTrue(d.notes().get(0).contains("not in Microsoft's documented list of extended error codes"), v);
    }
  }

  @Test
  void decimal_that_looks_like_hex_digits_asks_whether_hex_was_meant() {
    DecodedCode d = Explainer.explain("904", null).code();
    assertFalse(d.documented(), "904 decimal is 0x388, not documented");
    assertTrue(d.notes().stream().anyMatch(n -> n.contains("did you mean 0x904")), d.notes().toString());
    DecodedCode bare = Explainer.explain("1B07", null).code();
    assertEquals("SSL_ERR_CERT_EXPIRED", bare.name());
    assertTrue(bare.notes().get(0).contains("read as hex"));
  }

  @Test
  void protocol_range_code_explains_the_range_and_known_names() {
    DecodedCode d = Explainer.explain("0x3", "0x112F").extended();
    assertTrue(d.documented());
    assertTrue(d.notes().stream().anyMatch(n -> n.contains("ERRINFO_GRAPHICS_SUBSYSTEM_FAILED")));
    assertTrue(d.notes().stream().anyMatch(n -> n.contains("inference")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "abc-1", "0x", "0xZZ", "-4", "1.5", "0x1FFFFFFFF", "99999999999", "9 04"})
  void invalid_input_is_a_one_line_usage_error(String input) {
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> Explainer.explain(input, null));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertFalse(e.getMessage().contains("\n"));
    assertTrue(e.getMessage().startsWith("explain: "), e.getMessage());
    AzrdpfixException ext = assertThrows(AzrdpfixException.class, () -> Explainer.explain("0x904", input.isBlank()
        ? "x" : input));
    assertEquals(ExitCode.USAGE, ext.exitCode());
  }

  @Test
  void text_rendering_shows_both_codes_the_reading_and_the_commands() {
    String text = ExplainText.render(Explainer.explain("0x904", "0x7"));
    assertTrue(text.startsWith("Error code 0x904 (2308): disconnectReasonAtClientWinsockFDCLOSE\n"), text);
    assertTrue(text.contains("Extended error code 0x7 (7): exDiscReasonServerDeniedConnection\n"), text);
    assertTrue(text.contains("  Note: Not ERROR_ARENA_TRASHED"), text);
    assertTrue(text.contains("\nNext:\n  azrdpfix probe HOST\n  azrdpfix inspect VM\n  azrdpfix repair VM\n"), text);
    String unknown = ExplainText.render(Explainer.explain("0x207", null));
    assertTrue(unknown.contains("Error code 0x207 (519): not in Microsoft's documented list"), unknown);
    assertFalse(unknown.contains("Next:"));
  }

  @Test
  void explanation_serialises_with_a_plain_object_mapper_and_reads_back() throws Exception {
    ObjectMapper plain = new ObjectMapper();
    Explanation x = Explainer.explain("0x904", "0x7");
    String json = plain.writeValueAsString(x);
    JsonNode tree = plain.readTree(json);
    assertEquals("0x904", tree.at("/code/hex").asText());
    assertEquals(2308, tree.at("/code/value").asLong());
    assertEquals("exDiscReasonServerDeniedConnection", tree.at("/extended/name").asText());
    assertEquals(x, plain.readValue(json, Explanation.class));
    assertTrue(plain.readTree(plain.writeValueAsString(Explainer.explain("0x3", null))).get("extended").isNull());
  }
}
