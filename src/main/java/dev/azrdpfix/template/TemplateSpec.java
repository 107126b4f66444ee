package dev.azrdpfix.template;

import java.util.List;
import java.util.Map;

/**
 * One template from the manifest, with its normalised text ({@code lines}) and that text's sha256.
 */
public record TemplateSpec(
    String id,
    String path,
    TemplateKind kind,
    String summary,
    List<String> reads,
    List<String> changes,
    boolean mutates,
    boolean destructive,
    boolean requiresReboot,
    boolean requiresReapply,
    String explicitFlag,
    Map<String, ParameterSpec> parameters,
    List<String> lines,
    String sha256) {

  public TemplateSpec {
    reads = List.copyOf(reads);
    changes = List.copyOf(changes);
    parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    lines = List.copyOf(lines);
  }

  /** The normalised script text (lines joined with \n). */
  public String text() {
    return String.join("\n", lines);
  }
}
