package dev.azrdpfix.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FindingIdTest {
  @Test
  void idsAreKebabCaseAndRoundTrip() {
    for (FindingId f : FindingId.values()) {
      assertTrue(f.id().matches("[a-z0-9]+(-[a-z0-9]+)*"), f.id());
      assertEquals(f, FindingId.fromId(f.id()));
      assertEquals(f.id(), f.toString());
    }
    assertEquals("rdp-blocked-by-nsg", FindingId.RDP_BLOCKED_BY_NSG.id());
    assertNull(FindingId.fromId("RDP_BLOCKED_BY_NSG"));
  }

  /** An id no rule produces would be a promise to automation that nothing keeps. */
  @Test
  void everyIdIsProducedSomewhereInTheProduct() throws IOException {
    StringBuilder main = new StringBuilder();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (!f.endsWith("FindingId.java")) {
          main.append(Files.readString(f));
        }
      }
    }
    List<String> unused = new ArrayList<>();
    for (FindingId f : FindingId.values()) {
      if (!main.toString().contains("FindingId." + f.name())) {
        unused.add(f.name());
      }
    }
    assertEquals(List.of(), unused);
  }
}
