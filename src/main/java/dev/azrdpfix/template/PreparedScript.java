package dev.azrdpfix.template;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A script ready for Run Command: its lines, the validated parameters to bind to its {@code param()} block, and the
 * sha256 of exactly the text sent (lines joined with \n). {@code id} is the template id, or "bundle".
 */
public record PreparedScript(String id, List<String> lines, Map<String, String> parameters, String sha256) {
  public PreparedScript {
    lines = List.copyOf(lines);
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  public String text() {
    return String.join("\n", lines);
  }
}
