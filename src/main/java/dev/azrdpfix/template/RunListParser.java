package dev.azrdpfix.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.contract.ScriptText;
import dev.azrdpfix.contract.Wire;
import dev.azrdpfix.core.guest.VmRuns;
import dev.azrdpfix.core.model.RunId;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code runs} of a {@code list-runs} marker line (CONTRACT.md). The guest is untrusted: an entry whose id is
 * not a run id or whose state is unknown is left out (counted in {@code more}), counts are clamped to
 * 0..{@value #MAX_COUNT}, texts are cut, and a time that does not parse is null.
 */
final class RunListParser {
  static final int MAX_COUNT = 1_000_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunListParser() {}

  /** The runs on the marker line of {@code stdout} (ResultParser has already accepted that line). */
  static VmRuns parse(String stdout) {
    List<String> lines = ScriptText.normalise(stdout == null ? "" : stdout);
    JsonNode node = null;
    for (int i = lines.size() - 1; i >= 0 && node == null; i--) {
      if (lines.get(i).startsWith(Wire.MARKER)) {
        try {
          node = JSON.readTree(lines.get(i).substring(Wire.MARKER.length()).trim());
        } catch (JsonProcessingException e) {
          return new VmRuns(List.of(), 0, null);
        }
      }
    }
    if (node == null) {
      return new VmRuns(List.of(), 0, null);
    }
    List<VmRuns.Run> runs = new ArrayList<>();
    int more = count(node.get("more"));
    for (JsonNode r : node.path("runs")) {
      String id = r.path("id").asText("");
      VmRuns.State state = state(r.path("state").asText(""));
      if (!RunId.isValid(id) || state == null) {
        more++;
        continue;
      }
      List<String> ops = new ArrayList<>();
      for (JsonNode op : r.path("ops")) {
        if (ops.size() < 3 && op.isTextual()) {
          ops.add(cut(op.asText(), 48));
        }
      }
      runs.add(new VmRuns.Run(new RunId(id), time(r.get("t")), state, count(r.get("n")), ops, time(r.get("rb")),
          count(r.get("bad"))));
    }
    JsonNode lock = node.get("lock");
    return new VmRuns(runs, more, time(node.get("now")),
        lock != null && lock.isObject() ? GuestFactsMapper.lock(lock) : null);
  }

  private static VmRuns.State state(String text) {
    return switch (text) {
      case "complete" -> VmRuns.State.COMPLETE;
      case "interrupted" -> VmRuns.State.INTERRUPTED;
      case "rolled-back" -> VmRuns.State.ROLLED_BACK;
      default -> null;
    };
  }

  private static int count(JsonNode n) {
    if (n == null || !n.canConvertToInt()) {
      return 0;
    }
    return Math.max(0, Math.min(MAX_COUNT, n.asInt()));
  }

  private static Instant time(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(n.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }
}
