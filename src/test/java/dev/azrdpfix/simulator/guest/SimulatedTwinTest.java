package dev.azrdpfix.simulator.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.contract.ScriptText;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The simulated guest re-implements every template in Java. Each imitation records the sha256 of the template text
 * it was last checked against ({@link Imitates}); this test fails when a template changes and its twin's recorded
 * hash was not updated, so a .ps1 change cannot pass unless someone looked at its Java twin.
 */
class SimulatedTwinTest {
  private static final List<Class<?>> TWINS =
      List.of(Steps.class, Rollback.class, ScriptHost.class, StepRun.class, Facts.class, Windows.class);

  private static Map<String, String> recorded() {
    Map<String, String> out = new TreeMap<>();
    for (Class<?> c : TWINS) {
      List<Imitates> found = new ArrayList<>();
      if (c.getAnnotation(Imitates.class) != null) {
        found.add(c.getAnnotation(Imitates.class));
      }
      for (Method m : c.getDeclaredMethods()) {
        if (m.getAnnotation(Imitates.class) != null) {
          found.add(m.getAnnotation(Imitates.class));
        }
      }
      for (Imitates i : found) {
        String before = out.put(i.template(), i.sha256());
        assertTrue(before == null, i.template() + " has two twins");
      }
    }
    return out;
  }

  @Test
  void every_template_file_has_exactly_one_simulated_twin() {
    TreeSet<String> files = new TreeSet<>();
    JsonNode manifest = Scripts.manifest();
    manifest.path("templates").forEach(t -> files.add(t.path("path").asText()));
    manifest.path("common").forEach(t -> files.add(t.path("path").asText()));
    assertEquals(files, recorded().keySet());
    TreeSet<String> ids = new TreeSet<>();
    manifest.path("templates").forEach(t -> ids.add(t.path("id").asText()));
    assertEquals(ids, new TreeSet<>(Steps.IDS), "Steps.run dispatches every manifest template");
  }

  @Test
  void every_twin_was_checked_against_the_current_template_text() throws IOException {
    List<String> stale = new ArrayList<>();
    for (var e : recorded().entrySet()) {
      String text = Files.readString(Path.of("templates", e.getKey()), StandardCharsets.UTF_8);
      String now = ScriptText.sha256(ScriptText.normalise(text));
      if (!now.equals(e.getValue())) {
        stale.add("templates/" + e.getKey() + " changed: check its simulated twin (@Imitates in simulator/guest), "
            + "make it do what the template now does, then record sha256 = \"" + now + "\"");
      }
    }
    assertEquals(List.of(), stale);
  }
}
