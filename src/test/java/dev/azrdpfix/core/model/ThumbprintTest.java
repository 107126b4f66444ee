package dev.azrdpfix.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ThumbprintTest {
  private static final String TP = "0123456789ABCDEF0123456789ABCDEF01234567";

  @Test
  void acceptsWhatWindowsShowsAndWhatPeoplePaste() {
    assertEquals(TP, Thumbprint.parse(TP).hex());
    assertEquals(TP, Thumbprint.parse(TP.toLowerCase()).hex());
    assertEquals(TP, Thumbprint.parse("01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67").hex());
    assertEquals(TP, Thumbprint.parse("01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67").hex());
    // The certificate dialog's Thumbprint field copies an invisible left-to-right mark in front.
    assertEquals(TP, Thumbprint.parse("\u200E" + TP + "\n").hex());
    assertEquals(Thumbprint.parse(TP), Thumbprint.parse(TP.toLowerCase()));
  }

  @Test
  void rejectsWhatIsNotASha1Thumbprint() {
    assertNull(Thumbprint.parse(null));
    assertNull(Thumbprint.parse(""));
    assertNull(Thumbprint.parse(TP.substring(1)));
    assertNull(Thumbprint.parse(TP + "0"));
    assertNull(Thumbprint.parse(TP.replace('A', 'G')));
    assertNull(Thumbprint.parse(TP.substring(0, 39) + ";"));
    assertNull(Thumbprint.hexOf("abc"));
    assertEquals(TP, Thumbprint.hexOf(TP.toLowerCase()));
  }

  @Test
  void aCertificatesThumbprintIsTheUpperCaseSha1OfItsDer() {
    // SHA-1("abc") from FIPS 180-1.
    assertEquals("A9993E364706816ABA3E25717850C26C9CD0D89D",
        Thumbprint.ofCertificate("abc".getBytes(StandardCharsets.US_ASCII)).hex());
  }
}
