package dev.azrdpfix.template;

import java.util.List;
import java.util.Map;

/**
 * One template from the manifest: {@code lines} is the script sent when the template runs alone (its file with the
 * helpers placeholder line replaced by {@code common/helpers.ps1}) and {@code sha256} that text's hash;
 * {@code sourceLines} is the file itself, normalised, which is what a bundle embeds, and {@code sourceSha256} its hash.
 * {@code critical} false marks a best-effort repair step (its failure is a warning and never stops the bundle);
 * {@code restartsServices} that its fix takes effect only after TermService and SessionEnv restart.
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
    boolean critical,
    boolean restartsServices,
    Map<String, ParameterSpec> parameters,
    List<String> lines,
    String sha256,
    List<String> sourceLines,
    String sourceSha256) {

  public TemplateSpec {
    reads = List.copyOf(reads);
    changes = List.copyOf(changes);
    parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    lines = List.copyOf(lines);
    sourceLines = List.copyOf(sourceLines);
  }

  /** Exactly the script sent for this template alone (composed with the helpers; lines joined with \n). */
  public String text() {
    return String.join("\n", lines);
  }

  /** The template file as stored, normalised: the text a bundle embeds for this step. */
  public String sourceText() {
    return String.join("\n", sourceLines);
  }
}
